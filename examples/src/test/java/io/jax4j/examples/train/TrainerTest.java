package io.jax4j.examples.train;

import io.jax4j.Array;
import io.jax4j.examples.data.Dataset;
import io.jax4j.examples.data.Synthetic;
import io.jax4j.tree.Tree;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The training loop on tiny synthetic data: a 2-step smoke run, and resumption that ends bit-identical. */
class TrainerTest {
    static final Cnn TINY = new Cnn(2, 4, 8, 3, 0.5);
    static final Dataset TRAIN = Synthetic.bands(16, 8, 3, 1);
    static final Dataset TEST = Synthetic.bands(8, 8, 3, 2);

    static TrainConfig config(Path dir, int epochs, int batch) {
        return new TrainConfig(epochs, batch, 0.1, 1, 0.9, 0, dir, false, 0, 3);
    }

    @Test
    void twoStepSmokeRunWritesCheckpointMetricsAndChart(@TempDir Path dir) throws Exception {
        long t0 = System.nanoTime();
        Trainer t = new Trainer(TINY, config(dir, 1, 8), TRAIN, TEST, Display.silent());
        Trainer.Result r = t.run();
        System.out.println("smoke run " + (System.nanoTime() - t0) / 1e6 + " ms");
        assertFalse(r.interrupted());
        assertEquals(2, r.steps());
        assertEquals(2, r.state().step().intValue());
        assertEquals(1, r.history().epochs().size());
        EpochRecord e = r.history().epochs().getFirst();
        assertTrue(Double.isFinite(e.trainLoss()) && e.trainLoss() > 0, "train loss " + e.trainLoss());
        assertTrue(e.testAccuracy() >= 0 && e.testAccuracy() <= 1);
        // warm-up over the one epoch of 2 steps: lr 0 then 0.05
        assertEquals(List.of(0.0, 0.05), r.history().stepLearningRate().stream().map(x -> Math.round(x * 1e6) / 1e6).toList());
        assertTrue(Files.isRegularFile(dir.resolve("checkpoints/2/state.msgpack")));
        String metrics = Files.readString(dir.resolve("metrics.json"));
        assertTrue(metrics.contains("\"test_accuracy\"") && metrics.contains("\"step_learning_rate\""), metrics);
        byte[] png = Files.readAllBytes(dir.resolve("curves.png"));
        assertEquals((byte) 0x89, png[0]);
        assertEquals('P', png[1]);
    }

    @Test
    void resumeAfterAnInterruptionEndsWithTheSameParameters(@TempDir Path dir) {
        int epochs = 2, batch = 4; // 4 steps per epoch, 8 in all
        Trainer.Result straight = new Trainer(TINY, config(dir.resolve("straight"), epochs, batch), TRAIN, TEST, Display.silent()).run();
        assertEquals(8, straight.steps());

        Path resumed = dir.resolve("resumed");
        Trainer first = new Trainer(TINY, config(resumed, epochs, batch), TRAIN, TEST, Display.silent())
                .onStep((tr, step) -> { if (step == 6) tr.requestStop(); });
        Trainer.Result interrupted = first.run();
        assertTrue(interrupted.interrupted());
        assertEquals(6, interrupted.steps());
        assertEquals(List.of(4L, 6L), first.checkpoints().allSteps());
        assertEquals(6L, first.checkpoints().metadata(6).metrics().get("step"));
        assertEquals(1L, first.checkpoints().metadata(6).metrics().get("epoch"));
        assertEquals(2L, first.checkpoints().metadata(6).metrics().get("batch"));
        first.close();                                     // one writer per checkpoint directory

        Trainer.Result second = new Trainer(TINY, config(resumed, epochs, batch).withResume(true), TRAIN, TEST, Display.silent()).run();
        assertFalse(second.interrupted());
        assertEquals(8, second.state().step().intValue());
        assertBitIdentical(straight.state().params(), second.state().params());
        assertBitIdentical(straight.state().extra().batchStats(), second.state().extra().batchStats());
        assertBitIdentical(straight.state().optState(), second.state().optState());
        assertEquals(straight.history().stepLoss(), second.history().stepLoss());
        assertEquals(straight.history().epochs().getLast().testAccuracy(), second.history().epochs().getLast().testAccuracy());
        assertEquals(straight.history().epochs().getLast().trainLoss(), second.history().epochs().getLast().trainLoss(), 1e-12);
    }

    static void assertBitIdentical(Object expected, Object actual) {
        List<Array> a = Tree.leavesOfType(expected, Array.class), b = Tree.leavesOfType(actual, Array.class);
        assertEquals(a.size(), b.size());
        assertFalse(a.isEmpty());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).aval(), b.get(i).aval());
            assertEquals(-1, a.get(i).concrete("test").segment().mismatch(b.get(i).concrete("test").segment()), "leaf " + i + " differs");
        }
    }
}
