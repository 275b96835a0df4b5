package io.jax4j.examples.techniques;

import io.jax4j.Array;
import io.jax4j.examples.cli.Jax4jCli;
import io.jax4j.examples.data.Dataset;
import io.jax4j.examples.data.Synthetic;
import io.jax4j.examples.train.Cnn;
import io.jax4j.examples.train.ScheduleTest;
import io.jax4j.linen.Dict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each {@code jax4j example NAME} program on small synthetic data. */
class TechniquesTest {
    final ByteArrayOutputStream buf = new ByteArrayOutputStream();
    final PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);

    String printed() { return buf.toString(StandardCharsets.UTF_8); }

    @Test
    void batchNormUpdatesRunningAveragesThroughAux() {
        BatchNormExample.Result r = BatchNormExample.run(30, 0, out);
        // initial statistics: mean 0, var 1, one per Dense_0 feature
        Dict init = r.initial().get("batch_stats").dict("BatchNorm_0");
        assertArrayEquals(new float[4], ((Array) init.get("mean")).toFloatArray());
        assertArrayEquals(new float[]{1, 1, 1, 1}, ((Array) init.get("var")).toFloatArray());
        // after one step: 0.9 * 0 + 0.1 * (the batch mean of Dense_0's output under the initial params)
        float[] after = ((Array) r.statsAfterFirstStep().at("BatchNorm_0", "mean")).toFloatArray();
        float[] want = r.firstBatchDenseMean().mul(0.1f).toFloatArray();
        for (int i = 0; i < 4; i++) assertEquals(want[i], after[i], 1e-4 * Math.max(1, Math.abs(want[i])), "feature " + i);
        assertTrue(r.lastLoss() < 0.5 * r.firstLoss(), "training lowers the loss: " + r.firstLoss() + " -> " + r.lastLoss());
        assertTrue(Double.isFinite(r.evalLoss()));
        assertFalse(java.util.Arrays.equals(after, ((Array) r.finalStats().at("BatchNorm_0", "mean")).toFloatArray()));
        assertTrue(printed().contains("batch_stats"), printed());
    }

    @Test
    void dropoutDropsAboutHalfScalesTheRestAndFoldsTheStep() {
        DropoutExample.Result r = DropoutExample.run(64, 0.5, 0, out);
        float[] eval = r.eval().toFloatArray(), s0 = r.step0().toFloatArray(), s1 = r.step1().toFloatArray();
        for (int i = 0; i < eval.length; i++) {
            assertTrue(s0[i] == 0f || s0[i] == eval[i] * 2f, "kept units are scaled by 1/(1-0.5): " + s0[i] + " vs " + eval[i]);
        }
        assertTrue(r.droppedFraction0() > 0.35 && r.droppedFraction0() < 0.65, "dropped " + r.droppedFraction0());
        assertTrue(r.droppedFraction1() > 0.35 && r.droppedFraction1() < 0.65, "dropped " + r.droppedFraction1());
        assertFalse(java.util.Arrays.equals(s0, s1), "fold_in(key, step) gives each step its own mask");
        assertArrayEquals(s0, r.step0Again().toFloatArray(), "the same key gives the same mask");
    }

    @Test
    void lrScheduleIsTheTutorialsWarmupCosine() {
        double[] v = LrScheduleExample.run(0.1, 1, 3, 10, out);
        assertEquals(31, v.length);
        for (int s = 0; s <= 30; s++) assertEquals(ScheduleTest.formula(s, 0.1, 1, 3, 10), v[s], 2e-8, "step " + s);
        assertEquals(0.1, v[10], 1e-7);
        assertEquals(0.0, v[30], 1e-9);
        assertTrue(printed().contains("create_learning_rate_fn"), printed());
    }

    @Test
    void transferLearningTrainsOnlyTheHead(@TempDir Path dir) {
        Cnn small = new Cnn(8, 16, 32, 10, 0.0);
        Dataset train = Synthetic.bands(400, 12, 10, 3), test = Synthetic.bands(100, 12, 10, 4);
        var settings = new TransferLearningExample.Settings(2, 0, 8, 0, 20, 5e-3);
        TransferLearningExample.Result r = TransferLearningExample.run(small, train, test, settings, dir, out);
        Dict pre = r.pretrained(), post = r.transferred();
        for (String layer : List.of("Conv_0", "BatchNorm_0", "Conv_1", "BatchNorm_1", "Dense_0")) {
            assertTrue(TransferLearningExample.sameLeaves(pre.get(layer), post.get(layer)), layer + " must stay bit-identical");
        }
        assertTrue(TransferLearningExample.sameLeaves(r.statsBefore(), r.statsAfter()), "BatchNorm statistics stay as pretrained");
        assertTrue(r.backboneIdentical());
        // the new head starts at zero and learns
        for (Object leaf : io.jax4j.tree.Tree.leavesOfType(pre.get("Dense_1"), Array.class)) {
            for (float v : ((Array) leaf).toFloatArray()) assertEquals(0f, v);
        }
        assertFalse(TransferLearningExample.sameLeaves(pre.get("Dense_1"), post.get("Dense_1")));
        assertEquals(8 * (train.labelRange(5, 10).size() / 20), r.headSteps());
        System.out.print(printed());
        assertTrue(r.pretrainAccuracy() > 0.5, "pretraining on classes 0-4 learns (chance 0.2): " + r.pretrainAccuracy());
        assertTrue(r.headAccuracy() > 0.5, "the head learns classes 5-9 on the frozen backbone (chance 0.2): " + r.headAccuracy());
        assertTrue(printed().contains("Dense_1/kernel=trainable") && printed().contains("Conv_0/kernel=frozen"), printed());
        int pretrainSteps = 2 * (train.labelRange(0, 5).size() / 20);
        assertTrue(dir.resolve("checkpoints").resolve(Integer.toString(pretrainSteps)).resolve("state.msgpack").toFile().isFile(),
                "the pretrained checkpoint of step " + pretrainSteps);
    }

    @Test
    void transferLearningStepLimits(@TempDir Path dir) {
        Cnn small = new Cnn(2, 4, 8, 4, 0.0);
        Dataset train = Synthetic.bands(40, 8, 4, 3), test = Synthetic.bands(20, 8, 4, 4);
        var r = TransferLearningExample.run(small, train, test, new TransferLearningExample.Settings(2, 3, 2, 5, 4, 5e-3), dir, out);
        assertEquals(5, r.headSteps());
        assertTrue(r.backboneIdentical());
        assertTrue(dir.resolve("checkpoints").resolve("3").toFile().isDirectory(), "pretraining stopped and saved at step 3");
    }

    @Test
    void checkpointsKeepTheLastAndRestoreExactly(@TempDir Path dir) {
        CheckpointsExample.Result r = CheckpointsExample.run(new Cnn(2, 4, 8, 3, 0.5), Synthetic.bands(16, 8, 3, 5), 4, 2, 4, dir, out);
        assertEquals(List.of(3, 4), r.kept());
        assertTrue(r.restoredIdentical());
        assertTrue(r.continuedIdentical());
    }

    @Test
    void theCliListsTheExamplesAndTrain() {
        var cl = Jax4jCli.commandLine();
        assertTrue(cl.getSubcommands().containsKey("train"), cl.getSubcommands().keySet().toString());
        var ex = cl.getSubcommands().get("example");
        assertEquals(List.of("batch-norm", "dropout", "lr-schedule", "transfer-learning", "checkpoints"),
                List.copyOf(ex.getSubcommands().keySet()));
        var sw = new java.io.StringWriter();
        int rc = cl.setOut(new java.io.PrintWriter(sw)).execute("example", "lr-schedule", "--steps-per-epoch", "4");
        assertEquals(0, rc);
    }

    @Test
    void clipTransferLearningTrainsOnlyTheNewHead(@TempDir Path dir) throws Exception {
        Path clip = Path.of(TechniquesTest.class.getResource("/fixtures/clip_tiny/config.json").toURI()).getParent();
        Dataset train = Synthetic.bands(96, 28, 3, 5), test = Synthetic.bands(48, 28, 3, 6);
        var settings = new ClipTransferLearning.Settings(3, 0, 16, 1e-2, 0, 0);
        ClipTransferLearning.Result r = ClipTransferLearning.run(clip, train, test, settings, dir, out);
        assertTrue(r.backboneIdentical(), "the CLIP backbone must stay bit-identical");
        assertTrue(TransferLearningExample.sameLeaves(r.before().get("backbone"), r.after().get("backbone")));
        assertFalse(TransferLearningExample.sameLeaves(r.before().get("head"), r.after().get("head")), "the head learned");
        assertTrue(TransferLearningExample.sameLeaves(r.after(), r.restored()), "the checkpoint restores bit-identically");
        assertEquals(18, r.steps());
        assertTrue(r.testAccuracy() > 0.5, "above chance (1/3) on separable bands: " + r.testAccuracy());
        assertTrue(printed().contains("bit-identical before and after: true"), printed());
    }

    @Test
    void clipImagesAreResizedAndNormalisedAsClipsProcessorDoes() {
        // a constant grey image stays constant through the bicubic resize; then (v/255 - mean) / std per channel
        byte[] px = new byte[28 * 28];
        java.util.Arrays.fill(px, (byte) 200);
        Dataset one = new Dataset(px, new int[]{0}, 28, 28, 1, 1);
        float[] v = ClipImages.pixelValues(one, new int[]{0}, 0, 1, 32).toFloatArray();
        assertEquals(32 * 32 * 3, v.length);
        for (int ch = 0; ch < 3; ch++) {
            double want = (200 / 255.0 - ClipImages.MEAN[ch]) / ClipImages.STD[ch];
            for (int p = 0; p < 32 * 32; p++) assertEquals(want, v[p * 3 + ch], 1e-5);
        }
        // bicubic upsampling of a step keeps the step's ends and overshoots as PIL's filter does
        double[] step = new double[8];
        for (int i = 4; i < 8; i++) step[i] = 255;
        double[] up = ClipImages.resize(step, 1, 8, 1, 16);
        assertEquals(0, up[0]);
        assertEquals(255, up[15]);
        for (int i = 1; i < 16; i++) assertTrue(up[i] >= up[i - 1], "monotone after clamping: " + java.util.Arrays.toString(up));
    }
}
