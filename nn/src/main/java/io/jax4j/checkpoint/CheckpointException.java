package io.jax4j.checkpoint;

import io.jax4j.serialization.SerializationException;

/**
 * A checkpoint that cannot be saved, found or restored: an I/O failure, a step that exists already or
 * does not exist, or a saved state that does not fit the restore target (the message then names the
 * key path and both sides, e.g. {@code at params.Dense_0.kernel the target is f32[3,4] but the state
 * dict holds f32[3,5]}). The message names the directory and the step.
 *
 * <pre>{@code
 * mgr.save(10, state, Map.of());
 * mgr.restore(10, stateOfAnotherModel);   // CheckpointException: ... at params.Dense_0.kernel ...
 * }</pre>
 */
public class CheckpointException extends SerializationException {
    public CheckpointException(String message) { super(message); }

    public CheckpointException(String message, Throwable cause) { super(message, cause); }
}
