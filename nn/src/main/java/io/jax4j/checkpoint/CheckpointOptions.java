package io.jax4j.checkpoint;

/**
 * What a {@link CheckpointManager} keeps and when it saves: Orbax's {@code CheckpointManagerOptions}.
 * Immutable; each method returns a modified copy.
 *
 * <pre>{@code
 * var options = CheckpointOptions.defaults()
 *         .keepLast(3)                          // max_to_keep
 *         .keepBest(2, "accuracy", true)        // best_fn = metrics["accuracy"], best_mode = "max"
 *         .saveIntervalSteps(100)               // save_interval_steps
 *         .async();                             // enable_async_checkpointing
 * }</pre>
 *
 * A committed step is kept when it is among the last {@code keepLast}, or among the best
 * {@code keepBest} by the metric, or is the latest step (always kept, so training can resume), or has
 * no value for the metric (written under other options; never deleted by guesswork). With neither
 * policy set, every step is kept.
 *
 * @param keepLast          how many of the most recent steps to keep; 0 for no such limit
 * @param keepBest          how many of the best steps by {@code bestMetric} to keep; 0 for no such policy
 * @param bestMetric        the metric ranking the steps for {@code keepBest}; null without that policy
 * @param bestMaximize      whether a larger metric is better (accuracy) or a smaller one (loss)
 * @param saveIntervalSteps {@code save} writes only steps divisible by this (others need {@code force})
 * @param asyncSave         whether {@code save} writes on a virtual thread and returns at once
 */
public record CheckpointOptions(int keepLast, int keepBest, String bestMetric, boolean bestMaximize,
                                long saveIntervalSteps, boolean asyncSave) {

    public CheckpointOptions {
        if (keepLast < 0) throw new IllegalArgumentException("CheckpointOptions.keepLast: n must be >= 0 (0 = no limit), got " + keepLast);
        if (keepBest < 0) throw new IllegalArgumentException("CheckpointOptions.keepBest: n must be >= 0 (0 = no policy), got " + keepBest);
        if (keepBest > 0 && (bestMetric == null || bestMetric.isEmpty())) {
            throw new IllegalArgumentException("CheckpointOptions.keepBest: name the metric that ranks the steps, e.g. keepBest(2, \"accuracy\", true)");
        }
        if (saveIntervalSteps < 1) {
            throw new IllegalArgumentException("CheckpointOptions.saveIntervalSteps: k must be >= 1, got " + saveIntervalSteps);
        }
    }

    /** Keep every step, save every step, synchronously. */
    public static CheckpointOptions defaults() { return new CheckpointOptions(0, 0, null, true, 1, false); }

    /** Keep the {@code n} most recent steps (Orbax's {@code max_to_keep}). */
    public CheckpointOptions keepLast(int n) {
        return new CheckpointOptions(n, keepBest, bestMetric, bestMaximize, saveIntervalSteps, asyncSave);
    }

    /** Keep the {@code n} best steps by {@code metric}, the largest when {@code maximize}, else the smallest. */
    public CheckpointOptions keepBest(int n, String metric, boolean maximize) {
        return new CheckpointOptions(keepLast, n, metric, maximize, saveIntervalSteps, asyncSave);
    }

    /** Save only steps divisible by {@code k}; {@code save} returns false for the others unless forced. */
    public CheckpointOptions saveIntervalSteps(long k) {
        return new CheckpointOptions(keepLast, keepBest, bestMetric, bestMaximize, k, asyncSave);
    }

    /** Save on a virtual thread, at most one save in flight (Orbax's async checkpointing). */
    public CheckpointOptions async() {
        return new CheckpointOptions(keepLast, keepBest, bestMetric, bestMaximize, saveIntervalSteps, true);
    }
}
