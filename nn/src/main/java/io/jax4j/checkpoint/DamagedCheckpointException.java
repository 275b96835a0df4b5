package io.jax4j.checkpoint;

/**
 * A committed step whose files cannot be read back: a missing, truncated or corrupt
 * {@code state.msgpack} or {@code metadata.json}. Unlike a state that does not fit the restore target,
 * this is a property of the step, so an older step may still be intact:
 * {@link CheckpointManager#restoreLatestIntact(Object)} falls back to it.
 */
public final class DamagedCheckpointException extends CheckpointException {
    private final long step;

    public DamagedCheckpointException(long step, String message, Throwable cause) {
        super(message, cause);
        this.step = step;
    }

    /** The damaged step. */
    public long step() { return step; }
}
