package io.jax4j.examples.techniques;

import io.jax4j.Array;
import io.jax4j.Np;
import io.jax4j.Random;
import io.jax4j.autodiff.Jax;
import io.jax4j.autodiff.JitOptions;
import io.jax4j.checkpoint.CheckpointManager;
import io.jax4j.checkpoint.CheckpointOptions;
import io.jax4j.checkpoint.Checkpoints;
import io.jax4j.examples.data.Dataset;
import io.jax4j.linen.Bound;
import io.jax4j.linen.Dict;
import io.jax4j.linen.TrainState;
import io.jax4j.linen.Traverse;
import io.jax4j.linen.Variables;
import io.jax4j.optim.GradientTransformation;
import io.jax4j.optim.Losses;
import io.jax4j.optim.Optim;
import io.jax4j.pretrained.Classifier;
import io.jax4j.pretrained.Clip;
import io.jax4j.pretrained.ClipVisionModel;
import io.vavr.Function2;
import io.vavr.Function3;
import io.vavr.Tuple;
import io.vavr.Tuple2;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The tutorial's transfer learning as it does it: the vision tower of a pretrained CLIP
 * ({@code FlaxCLIPModel.from_pretrained(...)}, its {@code vision_model} taken with bind/unbind), a new
 * zero-initialised Dense head, {@code optax.multi_transform} with {@code set_to_zero} on every param
 * whose path holds {@code backbone} (labels by {@code path_aware_map}), a jitted train step, and a
 * check that the backbone's params are bit-identical after training. The state is checkpointed and
 * restored strictly. Images go through {@link ClipImages} (CLIP's processor).
 */
public final class ClipTransferLearning {
    private ClipTransferLearning() {}

    /** Epochs (and an optional step limit, 0 for none), batch size, the head's Adam learning rate, and subset sizes (0: all). */
    public record Settings(int epochs, int steps, int batchSize, double lr, int trainSize, int testSize) {}

    /** The params before and after training, the head's test accuracy, its steps, and whether the backbone stayed bit-identical. */
    public record Result(Dict before, Dict after, Dict restored, double testAccuracy, int steps, boolean backboneIdentical) {}

    record Batch(Array images, Array labels) {}

    public static Result run(Path clipDir, Dataset train, Dataset test, Settings cfg, Path workdir, PrintStream out) {
        long t0 = System.nanoTime();
        // 1. the pretrained vision tower: FlaxCLIPVisionModel's module and params (model.safetensors or flax_model.msgpack)
        Bound<ClipVisionModel> vision = Clip.visionFromPretrained(clipDir);
        int size = vision.module().visionModel().config().imageSize();
        Dataset trainSet = cfg.trainSize() > 0 ? train.take(cfg.trainSize()) : train;
        Dataset testSet = cfg.testSize() > 0 ? test.take(cfg.testSize()) : test;
        out.printf(Locale.ROOT, "1. CLIP vision tower from %s: %d layers, width %d, %dx%d images (%.1f s)%n", clipDir,
                vision.module().visionModel().config().numHiddenLayers(), vision.module().visionModel().config().hiddenSize(), size, size,
                seconds(t0));

        // 2. a new zero-initialised head on it; the pretrained params go under "backbone"
        var model = new Classifier(train.numClasses(), vision.module());
        Dict params = model.init(Random.key(0), () -> model.call(Array.zeros(1, size, size, 3))).get("params")
                .with("backbone", vision.variables().get("params"));
        Dict before = params;

        // 3. optax.multi_transform({'trainable': adam, 'frozen': set_to_zero}, path_aware_map(label, params))
        Dict labels = Traverse.pathAwareMap((path, leaf) -> path.contains("backbone") ? "frozen" : "trainable", params);
        GradientTransformation tx = Optim.multiTransform(Map.of("trainable", Optim.adam(cfg.lr()), "frozen", Optim.setToZero()), labels);
        TrainState<Void> state = TrainState.create(model::apply, params, tx);

        Function2<TrainState<Void>, Batch, Tuple2<TrainState<Void>, Array>> trainStep = Jax.jit((s, batch) -> {
            var vg = Jax.valueAndGrad((Dict p) -> {
                Array logits = s.apply(Variables.of("params", p), () -> model.call(batch.images())).value();
                return Losses.softmaxCrossEntropyWithIntegerLabels(logits, batch.labels()).mean();
            }).apply(s.params());
            return Tuple.of(s.applyGradients(vg.grad()), vg.value());
        }, JitOptions.named("clip_head_step"));
        Function3<TrainState<Void>, Array, Array, Array> correct = Jax.jit((s, x, y) -> {
            Array logits = s.apply(Variables.of("params", s.params()), () -> model.call(x)).value();
            return Np.sum(Np.equal(Np.argmax(logits, -1), y).astype(io.jax4j.DType.I32));
        }, JitOptions.named("clip_eval_step"));

        // 4. train the head
        int b = Math.min(cfg.batchSize(), trainSet.size()), spe = trainSet.size() / b, steps = 0;
        int limit = cfg.steps() > 0 ? cfg.steps() : Integer.MAX_VALUE;
        Dataset.Batcher batcher = trainSet.batcher(b);
        Array keys = Random.split(Random.key(7), Math.max(2, cfg.epochs()));
        out.printf(Locale.ROOT, "2. training a new head (%d classes) on %d images, backbone frozen (%d epoch(s) of %d steps%s)%n",
                train.numClasses(), trainSet.size(), cfg.epochs(), spe, cfg.steps() > 0 ? ", at most " + cfg.steps() + " steps" : "");
        long t1 = System.nanoTime();
        double loss = Double.NaN;
        for (int e = 0; e < cfg.epochs() && steps < limit; e++) {
            int[] perm = Random.permutation(keys.get(e), trainSet.size()).toIntArray();
            for (int s = 0; s < spe && steps < limit; s++, steps++) {
                Batch batch = new Batch(ClipImages.pixelValues(trainSet, perm, s * b, (s + 1) * b, size), batcher.labels(perm, s * b, (s + 1) * b));
                Tuple2<TrainState<Void>, Array> r = trainStep.apply(state, batch);
                state = r._1;
                loss = r._2.item();
            }
            out.printf(Locale.ROOT, "   epoch %d: loss %.4f (%.1f s)%n", e + 1, loss, seconds(t1));
        }
        double trainSeconds = seconds(t1);

        // 5. evaluate, check the backbone, checkpoint and restore
        int[] all = new int[testSet.size()];
        for (int i = 0; i < all.length; i++) all[i] = i;
        long right = 0;
        Dataset.Batcher testBatcher = testSet.batcher(b);
        for (int from = 0; from < testSet.size(); from += b) {
            int to = Math.min(testSet.size(), from + b);
            right += (long) correct.apply(state, ClipImages.pixelValues(testSet, all, from, to, size), testBatcher.labels(all, from, to)).item();
        }
        double accuracy = (double) right / Math.max(1, testSet.size());
        boolean identical = TransferLearningExample.sameLeaves(before.get("backbone"), state.params().get("backbone"));
        Path ckpt = workdir.resolve("clip-checkpoints");
        TrainState<Void> restored;
        try (CheckpointManager mgr = Checkpoints.manager(ckpt, CheckpointOptions.defaults().keepLast(1))) {
            long step = state.step().intValue();
            if (mgr.allSteps().contains(step)) mgr.delete(step);
            mgr.save(step, state, Map.of("test_accuracy", accuracy), true);
            restored = mgr.restore(step, TrainState.create(model::apply, before, tx));
        }
        boolean restoredSame = TransferLearningExample.sameLeaves(state.params(), restored.params());
        out.printf(Locale.ROOT, "   %d steps in %.1f s (%.2f steps/s)%n", steps, trainSeconds, steps / trainSeconds);
        out.printf(Locale.ROOT, "3. test accuracy %.4f on %d images (chance %.2f)%n", accuracy, testSet.size(), 1.0 / train.numClasses());
        out.printf(Locale.ROOT, "   backbone params bit-identical before and after: %s; head changed: %s%n", identical,
                !TransferLearningExample.sameLeaves(before.get("head"), state.params().get("head")));
        out.printf(Locale.ROOT, "   checkpoint %s: restored bit-identical: %s; total %.0f s%n", ckpt.resolve(Long.toString(state.step().intValue())),
                restoredSame, seconds(t0));
        return new Result(before, state.params(), restored.params(), accuracy, steps, identical);
    }

    private static double seconds(long since) { return (System.nanoTime() - since) / 1e9; }
}
