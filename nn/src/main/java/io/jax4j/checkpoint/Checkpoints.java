package io.jax4j.checkpoint;

import java.nio.file.Path;

/**
 * The checkpoint facade: {@code Checkpoints.manager(dir, options)} opens (or creates) a checkpoint
 * directory. See {@link CheckpointManager} for the layout and guarantees.
 *
 * <pre>{@code
 * try (CheckpointManager mgr = Checkpoints.manager(Path.of("ckpt"), CheckpointOptions.defaults().keepLast(3))) {
 *     mgr.save(step, state, Map.of("accuracy", acc));
 *     TrainState<Extra> resumed = mgr.restore(mgr.latestStep().getAsLong(), state);
 * }
 * }</pre>
 */
public final class Checkpoints {
    private Checkpoints() {}

    /**
     * A manager of {@code dir} (created if absent). It takes the directory's writer lock when it can; then
     * the leftover {@code <step>.tmp-<uuid>} directories of saves that were killed before they committed
     * are deleted; the committed steps and any other file are untouched.
     */
    public static CheckpointManager manager(Path dir, CheckpointOptions options) {
        return new CheckpointManager(dir, options);
    }

    /**
     * The committed steps in {@code dir}, ascending, read without opening a manager: nothing is created,
     * locked or cleaned. Empty when {@code dir} does not exist.
     */
    public static java.util.List<Long> committedSteps(Path dir) {
        if (!java.nio.file.Files.isDirectory(dir)) return java.util.List.of();
        return new StepDirectory(dir.toAbsolutePath(), w -> {}).committedSteps();
    }

    /**
     * The metadata of committed step {@code step} in {@code dir}, read without opening a manager (e.g. to
     * check a run's options before loading its data).
     *
     * @throws CheckpointException when the step's metadata.json is missing or not valid metadata
     */
    public static CheckpointMetadata metadata(Path dir, long step) {
        Path file = dir.resolve(Long.toString(step)).resolve(StepDirectory.METADATA_FILE);
        try {
            return CheckpointMetadata.fromJson(java.nio.file.Files.readAllBytes(file), file.toString());
        } catch (java.io.IOException e) {
            throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** {@link #manager(Path, CheckpointOptions)} with {@link CheckpointOptions#defaults()}: keep every step, save synchronously. */
    public static CheckpointManager manager(Path dir) {
        return new CheckpointManager(dir, CheckpointOptions.defaults());
    }
}
