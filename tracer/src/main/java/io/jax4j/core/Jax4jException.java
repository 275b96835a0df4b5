package io.jax4j.core;

/**
 * The root of jax4j's errors. Each message names the API call or transformation that failed, the
 * argument or key path, the avals involved (in short form, {@code f32[3,4]}) and, where possible,
 * the fix.
 */
public class Jax4jException extends RuntimeException {
    public Jax4jException(String message) { super(message); }

    public Jax4jException(String message, Throwable cause) { super(message, cause); }
}
