package io.jax4j.checkpoint;

import io.jax4j.linen.TrainState;
import io.jax4j.serialization.FlaxSerialization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Checkpoints across JVMs: an exact resume in a new JVM, and a JVM killed in the middle of a save. */
class ResumeTest {

    @TempDir Path dir;

    static final int N = 8;
    static final int K = 3;

    @Test
    void resumingInANewJvmIsBitExact() throws Exception {
        TrainState<TinyTraining.Extra> straight = TinyTraining.train(TinyTraining.freshState(), 0, N);

        TrainState<TinyTraining.Extra> firstPart = TinyTraining.train(TinyTraining.freshState(), 0, K);
        try (var mgr = Checkpoints.manager(dir)) {
            mgr.save(K, firstPart);
        }
        Process child = ChildJvm.start(ResumeChild.class, List.of(), dir.toString(), Integer.toString(K), Integer.toString(N));
        CompletableFuture<String> output = drain(child, null, null);
        if (!child.waitFor(90, TimeUnit.SECONDS)) {
            child.destroyForcibly();
            fail("the resuming JVM did not finish in 90 s: " + output.getNow(""));
        }
        String out = output.get(10, TimeUnit.SECONDS);
        assertEquals(0, child.exitValue(), out);
        assertTrue(out.contains("resumed " + K + " -> " + N), out);

        try (var mgr = Checkpoints.manager(dir)) {
            assertEquals(List.of((long) K, (long) N), mgr.allSteps());
            TrainState<TinyTraining.Extra> resumed = mgr.restore(N, TinyTraining.freshState());
            assertEquals(N, resumed.step().intValue());
            // params alone, then the whole state (step, Adam count/mu/nu, batch stats, key), bit for bit
            assertArrayEquals(FlaxSerialization.toBytes(straight.params()), FlaxSerialization.toBytes(resumed.params()));
            assertArrayEquals(FlaxSerialization.toBytes(straight), FlaxSerialization.toBytes(resumed));
            assertFalse(java.util.Arrays.equals(FlaxSerialization.toBytes(firstPart.params()), FlaxSerialization.toBytes(resumed.params())),
                    "the resumed run trained");
        }
    }

    @Test
    void aJvmKilledDuringASaveLeavesThePreviousStepLoadable() throws Exception {
        Process child = ChildJvm.start(KilledSaveChild.class, List.of("-Xmx512m"), dir.toString());
        var paused = new CompletableFuture<String>();
        CompletableFuture<String> output = drain(child, KilledSaveChild.PAUSE_LINE, paused);
        String pauseLine;
        try {
            pauseLine = paused.get(90, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            child.destroyForcibly();
            throw new AssertionError("the child never reached the pause before the rename: " + output.getNow(""), e);
        }
        child.destroyForcibly();
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        assertFalse(output.get(10, TimeUnit.SECONDS).contains("not killed"));

        // step 2's files were all written into its temp dir; only the rename was missing
        Path tmp = Path.of(pauseLine.substring(KilledSaveChild.PAUSE_LINE.length()).trim());
        assertTrue(tmp.getFileName().toString().startsWith("2.tmp-"), tmp.toString());
        assertTrue(Files.isRegularFile(tmp.resolve("state.msgpack")) && Files.isRegularFile(tmp.resolve("commit_success.txt")));
        assertTrue(Files.size(tmp.resolve("state.msgpack")) > 2_000_000, "a large checkpoint");
        assertFalse(Files.exists(dir.resolve("2")));

        try (var mgr = Checkpoints.manager(dir)) {
            assertFalse(Files.exists(tmp), "the partial temp dir is cleaned up on open");
            assertEquals(List.of(1L), mgr.allSteps());
            var restored = mgr.restore(mgr.latestStep().getAsLong(), KilledSaveChild.state(0));
            assertArrayEquals(FlaxSerialization.toBytes(KilledSaveChild.state(1)), FlaxSerialization.toBytes(restored));
            assertEquals(Map.of("loss", 1.0), mgr.metadata(1).metrics());
            // and the step can be saved again
            assertTrue(mgr.save(2, KilledSaveChild.state(2), Map.of("loss", 0.5)));
            assertEquals(List.of(1L, 2L), mgr.allSteps());
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("1", "2"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    /** Collects the child's output; completes {@code found} with the first line starting with {@code marker}. */
    private static CompletableFuture<String> drain(Process p, String marker, CompletableFuture<String> found) {
        var all = new CompletableFuture<String>();
        Thread.ofVirtual().start(() -> {
            var sb = new StringBuilder();
            try (var r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    sb.append(line).append('\n');
                    if (marker != null && line.startsWith(marker)) found.complete(line);
                }
            } catch (IOException e) {
                sb.append("(output closed: ").append(e).append(")\n");
            }
            if (found != null) found.completeExceptionally(new AssertionError("the child exited without pausing:\n" + sb));
            all.complete(sb.toString());
        });
        return all;
    }
}
