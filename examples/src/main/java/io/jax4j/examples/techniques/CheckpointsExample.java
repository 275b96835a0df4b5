package io.jax4j.examples.techniques;

import io.jax4j.Array;
import io.jax4j.Random;
import io.jax4j.examples.cli.CliCommand;
import io.jax4j.examples.data.Dataset;
import io.jax4j.examples.data.Synthetic;
import io.jax4j.examples.train.Checkpoints;
import io.jax4j.examples.train.Cnn;
import io.jax4j.examples.train.Trainer;
import io.jax4j.examples.train.Training;
import io.jax4j.linen.TrainState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code jax4j example checkpoints}: save the whole train state (params, optimizer state, BatchNorm
 * statistics, dropout key, step) every step keeping the newest few, restore the latest into a
 * freshly created state (the target gives structure, shapes and dtypes, as Flax's
 * {@code restore_checkpoint(ckpt_dir, target=state)}), and check that training on from the restored
 * state gives bit for bit what training on from the live state gives.
 */
@Command(name = "checkpoints", mixinStandardHelpOptions = true,
        description = "Save the train state every step (keep the last few), restore the latest, continue identically.")
public final class CheckpointsExample implements CliCommand {
    @Option(names = "--workdir", defaultValue = "./workdir/checkpoints-example", description = "Checkpoints go here (default: ${DEFAULT-VALUE}).")
    Path workdir;

    @Option(names = "--steps", defaultValue = "5", description = "Steps to train and checkpoint (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--keep", defaultValue = "3", description = "Checkpoints to keep (default: ${DEFAULT-VALUE}).")
    int keep;

    /** The steps kept, whether the restored state equals the live one, whether training on from each agrees. */
    public record Result(List<Integer> kept, boolean restoredIdentical, boolean continuedIdentical) {}

    @Override
    public Integer call() {
        run(new Cnn(8, 16, 32, 4, 0.5), Synthetic.bands(64, 16, 4, 0), steps, keep, 16, workdir, System.out);
        return 0;
    }

    public static Result run(Cnn model, Dataset data, int steps, int keep, int batchSize, Path workdir, PrintStream out) {
        Checkpoints ckpt = new Checkpoints(workdir, keep);
        int[] shape = {1, data.height(), data.width(), data.channels()};
        var tx = Training.sgd(Training.learningRateFn(0.1, 1, 2, steps), 0.9);
        Array[] keys = Trainer.rows(Random.split(Random.key(0), 3));
        TrainState<Training.Extra> state = Training.createTrainState(model, keys[1], keys[2], shape, tx);
        var step = Training.trainStep(model);
        Dataset.Batcher batcher = data.batcher(batchSize);
        int[] order = Random.permutation(keys[0], data.size()).toIntArray();
        int perEpoch = data.size() / batchSize;
        for (int i = 0; i < steps; i++) {
            int s = i % perEpoch;
            state = step.apply(state, batcher.images(order, s * batchSize, (s + 1) * batchSize),
                    batcher.labels(order, s * batchSize, (s + 1) * batchSize)).state();
            Path p = ckpt.save(state.step().intValue(), state, java.util.Map.of("note", "example"));
            out.printf(Locale.ROOT, "step %d saved %s%n", state.step().intValue(), p);
        }
        List<Integer> kept = ckpt.steps();
        out.println("kept (keep " + keep + "): " + kept);

        TrainState<Training.Extra> fresh = Training.createTrainState(model, Random.key(99), Random.key(98), shape, tx);
        TrainState<Training.Extra> restored = ckpt.restore(ckpt.latestStep().getAsInt(), fresh);
        boolean same = TransferLearningExample.sameLeaves(state, restored) && restored.step().intValue() == state.step().intValue();
        out.println("restored step " + restored.step().intValue() + " into a fresh state: identical to the live state: " + same);

        Array x = batcher.images(order, 0, batchSize), y = batcher.labels(order, 0, batchSize);
        TrainState<Training.Extra> a = step.apply(state, x, y).state(), b = step.apply(restored, x, y).state();
        boolean cont = TransferLearningExample.sameLeaves(a, b);
        out.println("one more step from each: identical: " + cont);
        return new Result(kept, same, cont);
    }
}
