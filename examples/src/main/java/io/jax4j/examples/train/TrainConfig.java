package io.jax4j.examples.train;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The settings of a run: the tutorial's defaults are 3 epochs, batch 128, base learning rate 0.1,
 * 1 warm-up epoch, momentum 0.9, seed 0.
 *
 * @param evalBatchSize the test set is evaluated in batches of this size (0: all at once)
 * @param keepCheckpoints how many checkpoints to keep (the newest)
 * @param overwrite a workdir holding an earlier run's checkpoints is cleared first (without it, and
 *                  without {@code resume}, such a workdir is refused)
 */
public record TrainConfig(int epochs, int batchSize, double learningRate, int warmupEpochs, double momentum, long seed,
                          Path workdir, boolean resume, int evalBatchSize, int keepCheckpoints, boolean overwrite) {

    public TrainConfig(int epochs, int batchSize, double learningRate, int warmupEpochs, double momentum, long seed,
                       Path workdir, boolean resume, int evalBatchSize, int keepCheckpoints) {
        this(epochs, batchSize, learningRate, warmupEpochs, momentum, seed, workdir, resume, evalBatchSize, keepCheckpoints, false);
    }

    public TrainConfig {
        if (resume && overwrite) throw new IllegalArgumentException("--resume continues the run in the workdir and --overwrite deletes it: give one of them");
        if (epochs < 1) throw new IllegalArgumentException("--epochs must be at least 1, got " + epochs);
        if (batchSize < 1) throw new IllegalArgumentException("--batch-size must be at least 1, got " + batchSize);
        if (warmupEpochs < 0) throw new IllegalArgumentException("--warmup-epochs must be non-negative, got " + warmupEpochs);
        if (!(learningRate > 0)) throw new IllegalArgumentException("--lr must be positive, got " + learningRate);
    }

    public static TrainConfig tutorial(Path workdir) {
        return new TrainConfig(3, 128, 0.1, 1, 0.9, 0, workdir, false, 1000, 3);
    }

    public TrainConfig withEpochs(int e) { return new TrainConfig(e, batchSize, learningRate, warmupEpochs, momentum, seed, workdir, resume, evalBatchSize, keepCheckpoints, overwrite); }

    public TrainConfig withBatchSize(int b) { return new TrainConfig(epochs, b, learningRate, warmupEpochs, momentum, seed, workdir, resume, evalBatchSize, keepCheckpoints, overwrite); }

    public TrainConfig withResume(boolean r) { return new TrainConfig(epochs, batchSize, learningRate, warmupEpochs, momentum, seed, workdir, r, evalBatchSize, keepCheckpoints, overwrite); }

    public TrainConfig withOverwrite(boolean o) { return new TrainConfig(epochs, batchSize, learningRate, warmupEpochs, momentum, seed, workdir, resume, evalBatchSize, keepCheckpoints, o); }

    public TrainConfig withEvalBatchSize(int b) { return new TrainConfig(epochs, batchSize, learningRate, warmupEpochs, momentum, seed, workdir, resume, b, keepCheckpoints, overwrite); }

    /** The settings that must match for {@code --resume} to continue the same run. */
    Map<String, Object> identity() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epochs", epochs);
        m.put("batch_size", batchSize);
        m.put("learning_rate", learningRate);
        m.put("warmup_epochs", warmupEpochs);
        m.put("momentum", momentum);
        m.put("seed", seed);
        return m;
    }
}
