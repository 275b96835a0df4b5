package io.jax4j.checkpoint;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.linen.Dict;
import io.jax4j.linen.TrainState;
import io.jax4j.optim.ScaleByAdamState;
import io.jax4j.serialization.FlaxSerialization;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The checkpoint manager in one JVM: round trips, keep policies, intervals, async saves, strictness, transforms. */
class CheckpointManagerTest {

    @TempDir Path dir;

    /** A TrainState after 3 jitted steps: Adam moments, batch stats and the key are all non-trivial. */
    static TrainState<TinyTraining.Extra> trained;

    @BeforeAll
    static void train() {
        trained = TinyTraining.train(TinyTraining.freshState(), 0, 3);
    }

    static byte[] bits(Object tree) { return FlaxSerialization.toBytes(tree); }

    @Test
    void trainStateRoundTrip() throws IOException {
        try (var mgr = Checkpoints.manager(dir)) {
            assertTrue(mgr.latestStep().isEmpty());
            assertTrue(mgr.save(3, trained, Map.of("loss", 0.25)));
            assertEquals(3, mgr.latestStep().getAsLong());
            TrainState<TinyTraining.Extra> target = TinyTraining.freshState();
            TrainState<TinyTraining.Extra> restored = mgr.restore(3, target);

            // static fields from the target, everything else from the file, bit for bit
            assertSame(target.tx(), restored.tx());
            assertSame(target.applyFn(), restored.applyFn());
            assertEquals(3, restored.step().intValue());
            assertArrayEquals(bits(trained), bits(restored));
            assertNotEquals(java.util.Arrays.toString(bits(target)), java.util.Arrays.toString(bits(restored)));
            assertInstanceOf(Dict.class, restored.params());
            assertInstanceOf(Dict.class, restored.extra().batchStats());
            assertArrayEquals(trained.extra().key().toIntArray(), restored.extra().key().toIntArray());
            var adam = assertInstanceOf(ScaleByAdamState.class, ((List<?>) restored.optState()).get(0));
            var adamBefore = (ScaleByAdamState) ((List<?>) trained.optState()).get(0);
            assertEquals(3, adam.count().intValue());
            assertArrayEquals(bits(adamBefore.mu()), bits(adam.mu()));
            assertArrayEquals(bits(adamBefore.nu()), bits(adam.nu()));
            // the restored state trains on
            TinyTraining.train(restored, 3, 4);

            Path step = dir.resolve("3");
            for (String f : List.of("state.msgpack", "metadata.json", "commit_success.txt")) assertTrue(Files.isRegularFile(step.resolve(f)), f);
            assertArrayEquals(bits(trained), Files.readAllBytes(step.resolve("state.msgpack")));
            try (Stream<Path> s = Files.list(dir)) {
                assertEquals(List.of("3", "writer.lock"), s.map(p -> p.getFileName().toString()).sorted().toList());   // the lock while open
            }

            Map<String, Object> raw = mgr.restoreRaw(3);
            // Flax's TrainState subclass layout: the extra record's fields at the top level
            assertEquals(List.of("step", "params", "opt_state", "batch_stats", "key"), List.copyOf(raw.keySet()));

            CheckpointMetadata meta = mgr.metadata(3);
            assertEquals(CheckpointMetadata.FORMAT_VERSION, meta.formatVersion());
            assertEquals(3, meta.step());
            assertEquals(Map.of("loss", 0.25), meta.metrics());
            assertTrue(meta.time().isBefore(java.time.Instant.now().plusSeconds(1)));
            Map<String, CheckpointMetadata.Leaf> leaves = new LinkedHashMap<>();
            meta.tree().forEach(l -> leaves.put(l.path(), l));
            assertEquals(new CheckpointMetadata.Leaf("step", "int32", List.of()), leaves.get("step"));
            assertEquals(new CheckpointMetadata.Leaf("params.Dense_0.kernel", "float32", List.of(5, 16)), leaves.get("params.Dense_0.kernel"));
            assertEquals(new CheckpointMetadata.Leaf("batch_stats.BatchNorm_0.mean", "float32", List.of(16)), leaves.get("batch_stats.BatchNorm_0.mean"));
            assertEquals(new CheckpointMetadata.Leaf("key", "uint32", List.of(2)), leaves.get("key"));
            assertEquals(new CheckpointMetadata.Leaf("opt_state.0.mu.Dense_1.bias", "float32", List.of(1)), leaves.get("opt_state.0.mu.Dense_1.bias"));
            assertEquals(new CheckpointMetadata.Leaf("opt_state.0.count", "int32", List.of()), leaves.get("opt_state.0.count"));
            // every array of the state is described, and nothing else
            assertEquals(io.jax4j.tree.Tree.leavesOfType(trained, Array.class).size(),
                    meta.tree().stream().filter(l -> l.shape() != null).count());
        }
    }

    record Small(Array step, Map<String, Object> params) {}

    static Small small(int step) {
        return new Small(Array.scalar(step), Map.of("w", Array.of(step, 2f * step)));
    }

    @Test
    void keepLast() {
        try (var mgr = Checkpoints.manager(dir, CheckpointOptions.defaults().keepLast(2))) {
            for (int s = 1; s <= 5; s++) {
                mgr.save(s, small(s));
                assertEquals(s, mgr.latestStep().getAsLong());
                assertEquals(Math.min(s, 2), mgr.allSteps().size());
            }
            assertEquals(List.of(4L, 5L), mgr.allSteps());
            assertEquals(5, mgr.restore(5, small(0)).step().intValue());
            var gone = assertThrows(CheckpointException.class, () -> mgr.restore(3, small(0)));
            assertTrue(gone.getMessage().contains("no committed step 3") && gone.getMessage().contains("[4, 5]"), gone.getMessage());
        }
    }

    @Test
    void keepBest() {
        double[] accuracy = {0.5, 0.9, 0.7, 0.8, 0.6, 0.55};
        try (var mgr = Checkpoints.manager(dir, CheckpointOptions.defaults().keepBest(2, "accuracy", true))) {
            for (int s = 1; s <= 5; s++) mgr.save(s, small(s), Map.of("accuracy", accuracy[s - 1], "loss", 1.0 / s));
            // the best two (0.9 at 2, 0.8 at 4) and the latest (5), which resuming needs
            assertEquals(List.of(2L, 4L, 5L), mgr.allSteps());
            mgr.save(6, small(6), Map.of("accuracy", accuracy[5]));
            assertEquals(List.of(2L, 4L, 6L), mgr.allSteps());
            var missing = assertThrows(IllegalArgumentException.class, () -> mgr.save(7, small(7), Map.of("loss", 0.1)));
            assertTrue(missing.getMessage().contains("'accuracy'") && missing.getMessage().contains("[loss]"), missing.getMessage());
            assertEquals(List.of(2L, 4L, 6L), mgr.allSteps());
        }
        // a smaller loss is better; with keepLast the union of both policies stays
        try (var mgr = Checkpoints.manager(dir.resolve("min"), CheckpointOptions.defaults().keepLast(1).keepBest(1, "loss", false))) {
            double[] loss = {0.3, 0.1, 0.2, 0.4};
            for (int s = 1; s <= 4; s++) mgr.save(s, small(s), Map.of("loss", loss[s - 1]));
            assertEquals(List.of(2L, 4L), mgr.allSteps());
        }
    }

    @Test
    void saveInterval() {
        try (var mgr = Checkpoints.manager(dir, CheckpointOptions.defaults().saveIntervalSteps(3))) {
            for (int s = 1; s <= 7; s++) assertEquals(s % 3 == 0, mgr.save(s, small(s)), "step " + s);
            assertEquals(List.of(3L, 6L), mgr.allSteps());
            assertTrue(mgr.save(7, small(7), Map.of(), true));
            assertEquals(List.of(3L, 6L, 7L), mgr.allSteps());
            var twice = assertThrows(CheckpointException.class, () -> mgr.save(6, small(6)));
            assertTrue(twice.getMessage().contains("step 6 already exists"), twice.getMessage());
        }
    }

    @Test
    void asyncSaveReturnsAtOnceAndWaitUntilFinishedCommits() {
        StepDirectory.beforeRename = tmp -> KilledSaveChild.sleep(400);
        try (var mgr = Checkpoints.manager(dir, CheckpointOptions.defaults().keepLast(2).async())) {
            long t0 = System.nanoTime();
            assertTrue(mgr.save(1, small(1)));
            long returnedMs = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(returnedMs < 300, "save returned after " + returnedMs + " ms, before the write's 400 ms pause ended");
            assertTrue(mgr.latestStep().isEmpty(), "step 1 is still in flight");
            mgr.waitUntilFinished();
            assertEquals(List.of(1L), mgr.allSteps());
            StepDirectory.beforeRename = tmp -> {};
            // at most one in flight: each save waits for the previous one
            for (int s = 2; s <= 4; s++) assertTrue(mgr.save(s, small(s)));
            assertEquals(3, mgr.restore(3, small(0)).step().intValue(), "restore waits for the save in flight");
            mgr.waitUntilFinished();
            assertEquals(List.of(3L, 4L), mgr.allSteps());
            assertArrayEquals(bits(small(4)), bits(mgr.restore(4, small(0))));
        } finally {
            StepDirectory.beforeRename = tmp -> {};
        }
    }

    @Test
    void asyncSaveErrorsSurfaceOnTheNextCallAndOnClose() throws IOException {
        Path d = dir.resolve("ckpt");
        var mgr = Checkpoints.manager(d, CheckpointOptions.defaults().async());
        StepDirectory.deleteRecursively(d);
        Files.writeString(d, "not a directory");             // the background write cannot create its temp dir
        assertTrue(mgr.save(1, small(1)));
        var e = assertThrows(CheckpointException.class, () -> {
            mgr.waitUntilFinished();
        });
        assertTrue(e.getMessage().contains("asynchronous save of step 1") && e.getMessage().contains("cannot write step 1"), e.getMessage());
        mgr.waitUntilFinished();                               // thrown once
        assertTrue(mgr.save(2, small(2)));
        var onClose = assertThrows(CheckpointException.class, mgr::close);
        assertTrue(onClose.getMessage().contains("asynchronous save of step 2"), onClose.getMessage());
        assertThrows(IllegalStateException.class, mgr::latestStep);
    }

    @Test
    void strictRestoreNamesTheKeyPath() {
        try (var mgr = Checkpoints.manager(dir)) {
            mgr.save(3, trained);
            TrainState<TinyTraining.Extra> good = TinyTraining.freshState();
            Dict params = good.params();
            Dict dense0 = params.dict("Dense_0");

            var missing = assertThrows(CheckpointException.class, () -> mgr.restore(3, good.withParams(params.with("Dense_2", dense0))));
            assertMessage(missing, "step 3", "at params the keys differ", "missing from the state dict [Dense_2]");

            var extra = assertThrows(CheckpointException.class, () -> mgr.restore(3, good.withParams(params.without("Dense_1"))));
            assertMessage(extra, "at params the keys differ", "not in the target [Dense_1]");

            Dict wideKernel = dense0.with("kernel", Array.zeros(5, 17));
            var shape = assertThrows(CheckpointException.class, () -> mgr.restore(3, good.withParams(params.with("Dense_0", wideKernel))));
            assertMessage(shape, "at params.Dense_0.kernel", "f32[5,17]", "f32[5,16]");

            Dict f64Bias = dense0.with("bias", Array.zeros(DType.F64, 16));
            var dtype = assertThrows(CheckpointException.class, () -> mgr.restore(3, good.withParams(params.with("Dense_0", f64Bias))));
            assertMessage(dtype, "at params.Dense_0.bias", "f64[16]", "f32[16]", "dtype");

            var noKey = assertThrows(CheckpointException.class, () -> mgr.restore(3, good.withExtra(new TinyTraining.Extra(good.extra().batchStats(), null))));
            assertMessage(noKey, "at key ");

            // a structure mismatch deep in the optimizer state, too
            var noOpt = assertThrows(CheckpointException.class, () -> mgr.restore(3, good.withOptState(List.of())));
            assertMessage(noOpt, "at opt_state the keys differ");
        }
    }

    private static void assertMessage(Exception e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "'" + p + "' not in: " + e.getMessage());
    }

    record Renamed(Array step, Map<String, Object> params) {}

    @Test
    void transformHookForDeliberateStructureChanges() {
        try (var mgr = Checkpoints.manager(dir)) {
            var saved = new Small(Array.scalar(9), Map.of("Dense_0", Map.of("kernel", Array.of(1f, 2f)), "Dense_1", Map.of("kernel", Array.of(3f))));
            mgr.save(9, saved);
            var target = new Renamed(Array.scalar(0), Map.of("backbone", Map.of("kernel", Array.zeros(2)), "head", Map.of("kernel", Array.zeros(1))));
            var strict = assertThrows(CheckpointException.class, () -> mgr.restore(9, target));
            assertMessage(strict, "missing from the state dict [backbone, head]", "not in the target [Dense_0, Dense_1]");

            Renamed r = mgr.restore(9, target, raw -> {
                Map<?, ?> p = (Map<?, ?>) raw.get("params");
                return Map.of("step", raw.get("step"), "params", Map.of("backbone", p.get("Dense_0"), "head", p.get("Dense_1")));
            });
            assertEquals(9, r.step().intValue());
            assertArrayEquals(new float[]{1f, 2f}, ((Array) ((Map<?, ?>) r.params().get("backbone")).get("kernel")).toFloatArray());
            assertArrayEquals(new float[]{3f}, ((Array) ((Map<?, ?>) r.params().get("head")).get("kernel")).toFloatArray());

            // the transformed dict is still restored strictly
            var sloppy = assertThrows(CheckpointException.class, () -> mgr.restore(9, target, raw -> raw));
            assertMessage(sloppy, "at params the keys differ");
        }
    }

    @Test
    void leftoversOfKilledSavesAreIgnoredAndCleanedOnOpen() throws IOException {
        try (var mgr = Checkpoints.manager(dir)) {
            mgr.save(1, small(1));
        }
        Path tmp = Files.createDirectory(dir.resolve("2.tmp-" + java.util.UUID.randomUUID()));
        Files.write(tmp.resolve("state.msgpack"), new byte[]{1, 2, 3});
        Path uncommitted = Files.createDirectory(dir.resolve("3"));           // no commit marker
        Files.write(uncommitted.resolve("state.msgpack"), new byte[]{1, 2, 3});
        try (var mgr = Checkpoints.manager(dir)) {
            assertFalse(Files.exists(tmp), "the leftover temp dir is removed on open");
            assertEquals(List.of(1L), mgr.allSteps());
            assertEquals(1, mgr.latestStep().getAsLong());
            assertArrayEquals(bits(small(1)), bits(mgr.restoreLatest(small(0))));
        }
    }
}
