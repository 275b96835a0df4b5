package io.jax4j.examples.train;

import io.jax4j.Array;
import io.jax4j.Np;
import io.jax4j.tree.Tree;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Data-parallel training ({@code jax4j train --devices N}) reaches one device's parameters: the same
 * seed and global batch over 1, 2 and 4 replicas (BatchNorm over the whole batch, dropout masks of
 * the whole batch, gradients averaged), equal up to floating-point reduction order; a checkpoint
 * written with 2 replicas resumes with 4. The build gives tests 4 virtual host devices.
 */
class DataParallelTest {
    static final int EPOCHS = 2, BATCH = 8;   // 2 steps per epoch on 16 examples

    static Trainer.Result train(Path dir, int replicas) {
        try (Trainer t = new Trainer(TrainerTest.TINY, TrainerTest.config(dir, EPOCHS, BATCH), TrainerTest.TRAIN, TrainerTest.TEST, Display.silent())) {
            return t.dataParallel(replicas).run();
        }
    }

    @Test
    void oneTwoAndFourReplicasReachTheSameParameters(@TempDir Path dir) {
        Trainer.Result one = train(dir.resolve("1"), 1);
        for (int replicas : new int[]{2, 4}) {
            Trainer.Result r = train(dir.resolve(Integer.toString(replicas)), replicas);
            assertEquals(one.steps(), r.steps());
            assertClose(one.state().params(), r.state().params(), replicas + " replicas: params");
            assertClose(one.state().extra().batchStats(), r.state().extra().batchStats(), replicas + " replicas: batch_stats");
            assertClose(one.state().optState(), r.state().optState(), replicas + " replicas: opt_state");
            for (int i = 0; i < one.history().stepLoss().size(); i++) {
                assertEquals(one.history().stepLoss().get(i), r.history().stepLoss().get(i), 1e-5, replicas + " replicas: loss of step " + i);
            }
        }
    }

    @Test
    void aCheckpointOfTwoReplicasResumesWithFour(@TempDir Path dir) {
        Trainer.Result straight = train(dir.resolve("straight"), 1);
        Path w = dir.resolve("resumed");
        try (Trainer first = new Trainer(TrainerTest.TINY, TrainerTest.config(w, EPOCHS, BATCH), TrainerTest.TRAIN, TrainerTest.TEST, Display.silent())) {
            first.dataParallel(2).onStep((tr, step) -> { if (step == 3) tr.requestStop(); });
            assertTrue(first.run().interrupted());
        }
        try (Trainer second = new Trainer(TrainerTest.TINY, TrainerTest.config(w, EPOCHS, BATCH).withResume(true), TrainerTest.TRAIN,
                TrainerTest.TEST, Display.silent())) {
            Trainer.Result r = second.dataParallel(4).run();
            assertEquals(4, r.state().step().intValue());
            assertClose(straight.state().params(), r.state().params(), "resumed with 4 replicas");
        }
    }

    @Test
    void aBatchThatDoesNotSplitEvenlyIsRefused(@TempDir Path dir) {
        try (Trainer t = new Trainer(TrainerTest.TINY, TrainerTest.config(dir, 1, 6), TrainerTest.TRAIN, TrainerTest.TEST, Display.silent())) {
            var e = assertThrows(IllegalArgumentException.class, () -> t.dataParallel(4));
            assertTrue(e.getMessage().contains("--batch-size 6 does not split into 4 equal shards"), e.getMessage());
            var d = assertThrows(IllegalArgumentException.class, () -> t.dataParallel(6));
            assertTrue(d.getMessage().contains("-Djax4j.cpuDevices=6") || d.getMessage().contains("6 equal shards"), d.getMessage());
        }
    }

    static void assertClose(Object expected, Object actual, String what) {
        List<Array> a = Tree.leavesOfType(expected, Array.class), b = Tree.leavesOfType(actual, Array.class);
        assertEquals(a.size(), b.size(), what);
        assertTrue(!a.isEmpty(), what);
        double scale = 0;   // of the whole tree: a gradient that is zero in exact arithmetic (a bias before BatchNorm) is rounding noise
        for (Array x : a) scale = Math.max(scale, Np.max(Np.abs(x)).item());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).aval(), b.get(i).aval(), what + ", leaf " + i);
            double diff = Np.max(Np.abs(Np.subtract(a.get(i).astype(io.jax4j.DType.F64), b.get(i).astype(io.jax4j.DType.F64)))).item();
            assertTrue(diff <= 2e-5 * scale, what + ", leaf " + i + ": max difference " + diff + " (scale " + scale + ")");
        }
    }
}
