package io.jax4j.serialization;

import io.jax4j.core.Jax4jException;

/**
 * A checkpoint that cannot be read, written or restored: a malformed file, an unsupported dtype, or a
 * state dict that does not fit its target. The message names the file or the key path, the tensor,
 * the shapes and dtypes involved, and the fix.
 */
public class SerializationException extends Jax4jException {
    public SerializationException(String message) { super(message); }

    public SerializationException(String message, Throwable cause) { super(message, cause); }
}
