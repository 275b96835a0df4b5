package io.jax4j.examples.techniques;

import io.jax4j.Array;
import io.jax4j.Random;
import io.jax4j.checkpoint.CheckpointManager;
import io.jax4j.checkpoint.CheckpointOptions;
import io.jax4j.checkpoint.Checkpoints;
import io.jax4j.examples.cli.CliCommand;
import io.jax4j.examples.data.Dataset;
import io.jax4j.examples.data.Synthetic;
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
import java.util.Map;

/**
 * {@code jax4j example checkpoints}: with Orbax's {@code CheckpointManager} ({@link CheckpointManager}:
 * {@code keepLast}, asynchronous atomic saves, metrics in the metadata), save the whole train state
 * (params, optimizer state, BatchNorm statistics, dropout key, step) every step keeping the newest few,
 * restore the latest strictly into a freshly created state (the target gives structure, shapes and
 * dtypes, as {@code mgr.restore(step, items=state)}), and check that training on from the restored
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
        int[] shape = {1, data.height(), data.width(), data.channels()};
        var tx = Training.sgd(Training.learningRateFn(0.1, 1, 2, steps), 0.9);
        Array[] keys = Trainer.rows(Random.split(Random.key(0), 3));
        TrainState<Training.Extra> state = Training.createTrainState(model, keys[1], keys[2], shape, tx);
        var step = Training.trainStep(model);
        Dataset.Batcher batcher = data.batcher(batchSize);
        int[] order = Random.permutation(keys[0], data.size()).toIntArray();
        int perEpoch = data.size() / batchSize;
        try (CheckpointManager mgr = Checkpoints.manager(workdir, CheckpointOptions.defaults().keepLast(keep).async())) {
            for (int i = 0; i < steps; i++) {
                int s = i % perEpoch;
                Training.StepOut o = step.apply(state, batcher.images(order, s * batchSize, (s + 1) * batchSize),
                        batcher.labels(order, s * batchSize, (s + 1) * batchSize));
                state = o.state();
                long n = (long) state.step().intValue();
                mgr.save(n, state, Map.of("loss", o.metrics().loss().item()));   // returns at once; written on a virtual thread
                out.printf(Locale.ROOT, "step %d: loss %.4f, saving %s%n", n, o.metrics().loss().item(), mgr.directory().resolve(Long.toString(n)));
            }
            mgr.waitUntilFinished();
            List<Integer> kept = mgr.allSteps().stream().map(Long::intValue).toList();
            out.println("kept (keepLast " + keep + "): " + kept + "; metadata of the latest: " + mgr.metadata(mgr.latestStep().getAsLong()).metrics());

            TrainState<Training.Extra> fresh = Training.createTrainState(model, Random.key(99), Random.key(98), shape, tx);
            TrainState<Training.Extra> restored = mgr.restore(mgr.latestStep().getAsLong(), fresh);
            boolean same = TransferLearningExample.sameLeaves(state, restored) && restored.step().intValue() == state.step().intValue();
            out.println("restored step " + restored.step().intValue() + " into a fresh state: identical to the live state: " + same);

            Array x = batcher.images(order, 0, batchSize), y = batcher.labels(order, 0, batchSize);
            TrainState<Training.Extra> a = step.apply(state, x, y).state(), b = step.apply(restored, x, y).state();
            boolean cont = TransferLearningExample.sameLeaves(a, b);
            out.println("one more step from each: identical: " + cont);
            return new Result(kept, same, cont);
        }
    }
}
