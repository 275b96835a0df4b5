package io.jax4j.examples.train;

/**
 * One epoch's summary: the mean training loss and accuracy over its steps, the test loss and
 * accuracy after it, the learning rate of its last step, its wall time and speed.
 */
public record EpochRecord(int epoch, int step, double trainLoss, double trainAccuracy, double testLoss, double testAccuracy,
                          double learningRate, double seconds, double stepsPerSecond) {

    /** The summary as {@code key=value} pairs (the quiet output). */
    public String keyValues() {
        return String.format(java.util.Locale.ROOT,
                "epoch=%d step=%d train_loss=%.4f train_accuracy=%.4f test_loss=%.4f test_accuracy=%.4f lr=%.6f time_s=%.1f steps_per_s=%.2f",
                epoch, step, trainLoss, trainAccuracy, testLoss, testAccuracy, learningRate, seconds, stepsPerSecond);
    }

    /** The summary for people. */
    public String line(int epochs) {
        return String.format(java.util.Locale.ROOT,
                "epoch %d/%d  train loss %.4f acc %.4f | test loss %.4f acc %.4f | lr %.5f | %.1f s (%.1f steps/s)",
                epoch, epochs, trainLoss, trainAccuracy, testLoss, testAccuracy, learningRate, seconds, stepsPerSecond);
    }
}
