package io.jax4j.examples.techniques;

import io.jax4j.Array;
import io.jax4j.Random;
import io.jax4j.autodiff.HasAux;
import io.jax4j.autodiff.Jax;
import io.jax4j.examples.cli.CliCommand;
import io.jax4j.examples.data.Dataset;
import io.jax4j.examples.data.FashionMnist;
import io.jax4j.examples.train.Cnn;
import io.jax4j.examples.train.Display;
import io.jax4j.examples.train.TrainConfig;
import io.jax4j.examples.train.Trainer;
import io.jax4j.examples.train.Training;
import io.jax4j.linen.Dict;
import io.jax4j.linen.TrainState;
import io.jax4j.linen.Variables;
import io.jax4j.optim.GradientTransformation;
import io.jax4j.optim.Losses;
import io.jax4j.optim.Optim;
import io.vavr.Function3;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code jax4j example transfer-learning}: pretrain the CNN on Fashion-MNIST classes 0–4 (T-shirt,
 * trouser, pullover, dress, coat), save a checkpoint, then load it as a frozen backbone for classes
 * 5–9 (sandal, shirt, sneaker, bag, ankle boot) with a new head. As the Flax guide does it: the
 * params get labels ({@code 'frozen'} for the backbone, {@code 'trainable'} for the head) and
 * {@code optax.multi_transform} gives the frozen ones {@code set_to_zero()}; the backbone runs in
 * eval mode (its BatchNorm statistics stay as pretrained), so it is bit-identical afterwards.
 */
@Command(name = "transfer-learning", mixinStandardHelpOptions = true,
        description = "Pretrain on classes 0-4, checkpoint, then train only a new head for classes 5-9 on the frozen backbone.")
public final class TransferLearningExample implements CliCommand {
    @Option(names = "--data", description = "Directory of the Fashion-MNIST files (default: found or fetched as 'jax4j train' does).")
    Path data;

    @Option(names = "--workdir", defaultValue = "./workdir/transfer-learning", description = "Checkpoints go here (default: ${DEFAULT-VALUE}).")
    Path workdir;

    @Option(names = "--pretrain-epochs", defaultValue = "1", description = "Epochs on classes 0-4 (default: ${DEFAULT-VALUE}).")
    int pretrainEpochs;

    @Option(names = "--head-epochs", defaultValue = "1", description = "Epochs of the new head on classes 5-9 (default: ${DEFAULT-VALUE}).")
    int headEpochs;

    @Option(names = "--batch-size", defaultValue = "128", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    /** The pretrained params, the params after training the head, the head's test accuracy. */
    public record Result(Dict pretrained, Dict transferred, double pretrainAccuracy, double headAccuracy) {}

    @Override
    public Integer call() {
        FashionMnist.Splits d = FashionMnist.load(data, System.out::println);
        run(Cnn.tutorial(), d.train(), d.test(), pretrainEpochs, headEpochs, batchSize, workdir, System.out);
        return 0;
    }

    public static Result run(Cnn model, Dataset train, Dataset test, int pretrainEpochs, int headEpochs, int batchSize,
                             Path workdir, PrintStream out) {
        int half = train.numClasses() / 2;
        Dataset trainA = train.labelRange(0, half), testA = test.labelRange(0, half);
        Dataset trainB = train.labelRange(half, train.numClasses()), testB = test.labelRange(half, test.numClasses());
        Cnn modelA = model.withClasses(half), modelB = model.withClasses(train.numClasses() - half);

        // 1. pretrain on classes 0..half-1 and checkpoint (the main job's loop)
        out.printf(Locale.ROOT, "pretraining on classes 0-%d (%d images)%n", half - 1, trainA.size());
        TrainConfig cfg = new TrainConfig(pretrainEpochs, batchSize, 0.1, Math.min(1, pretrainEpochs - 1), 0.9, 0, workdir, false, 1000, 1);
        Trainer pre = new Trainer(modelA, cfg, trainA, testA, Display.silent());
        Trainer.Result a = pre.run();
        double preAcc = a.history().epochs().getLast().testAccuracy();
        out.printf(Locale.ROOT, "pretrained: test accuracy %.4f on classes 0-%d; checkpoint %s%n", preAcc, half - 1,
                pre.checkpoints().dir().resolve("checkpoint_" + pre.checkpoints().latestStep().getAsInt()));

        // 2. load the checkpoint as the backbone; a fresh head for the other classes
        TrainState<Training.Extra> template = Training.createTrainState(modelA, Random.key(0), Random.key(0),
                new int[]{1, train.height(), train.width(), train.channels()}, Training.sgd(pre.schedule(), 0.9));
        TrainState<Training.Extra> restored = pre.checkpoints().restore(pre.checkpoints().latestStep().getAsInt(), template);
        Variables fresh = modelB.init(Random.key(42), () -> modelB.call(Array.ones(1, train.height(), train.width(), train.channels()), false));
        Dict backbone = restored.params();
        Dict params = backbone.with("Dense_1", fresh.get("params").get("Dense_1"));

        // 3. labels and multi_transform: only the head is trainable
        Map<String, Object> labels = new LinkedHashMap<>();
        for (String layer : params.keySet()) labels.put(layer, layer.equals("Dense_1") ? "trainable" : "frozen");
        GradientTransformation tx = Optim.multiTransform(
                Map.of("trainable", Optim.sgd(0.05, 0.9), "frozen", Optim.setToZero()), Dict.copyOf(labels));
        out.println("labels: " + labels);
        TrainState<Training.Extra> state = TrainState.create(modelB::apply, params, tx,
                new Training.Extra(restored.extra().batchStats(), Random.key(1)));

        // 4. train the head: the backbone in eval mode (running BatchNorm statistics, no dropout)
        Function3<TrainState<Training.Extra>, Array, Array, TrainState<Training.Extra>> headStep = Jax.jit((s, x, y) -> {
            var vg = Jax.valueAndGradWithAux((Dict p) -> {
                Array logits = s.apply(Variables.of("params", p, "batch_stats", s.extra().batchStats()), () -> modelB.call(x, false)).value();
                return HasAux.of(Losses.softmaxCrossEntropyWithIntegerLabels(logits, y).mean(), logits);
            }).apply(s.params());
            return s.applyGradients(vg.grad());
        });
        Dataset.Batcher batcher = trainB.batcher(batchSize);
        int spe = trainB.size() / batchSize;
        Array[] keys = Trainer.rows(Random.split(Random.key(7), headEpochs));
        for (int e = 0; e < headEpochs; e++) {
            int[] perm = Random.permutation(keys[e], trainB.size()).toIntArray();
            for (int s = 0; s < spe; s++) {
                state = headStep.apply(state, batcher.images(perm, s * batchSize, (s + 1) * batchSize),
                        batcher.labels(perm, s * batchSize, (s + 1) * batchSize));
            }
        }
        double headAcc = Trainer.evaluate(Training.evalStep(modelB), state, testB, 1000).accuracy().item();
        out.printf(Locale.ROOT, "new head on classes %d-%d: test accuracy %.4f (chance %.2f) after %d steps; backbone unchanged: %s%n",
                half, train.numClasses() - 1, headAcc, 1.0 / (train.numClasses() - half), headEpochs * spe,
                sameLeaves(backbone.without("Dense_1"), state.params().without("Dense_1")));
        return new Result(backbone, state.params(), preAcc, headAcc);
    }

    /** Whether two trees hold bit-identical arrays (same avals, same bytes). */
    public static boolean sameLeaves(Object a, Object b) {
        var x = io.jax4j.tree.Tree.leavesOfType(a, Array.class);
        var y = io.jax4j.tree.Tree.leavesOfType(b, Array.class);
        if (x.size() != y.size()) return false;
        for (int i = 0; i < x.size(); i++) {
            if (!x.get(i).aval().equals(y.get(i).aval())) return false;
            if (x.get(i).concrete("sameLeaves").segment().mismatch(y.get(i).concrete("sameLeaves").segment()) != -1) return false;
        }
        return true;
    }
}
