package io.jax4j.autodiff;

/**
 * The result of {@code jvp}: JAX's {@code (primals_out, tangents_out)}, the outputs and their
 * directional derivative, both shaped like the function's output.
 */
public record Jvp<R>(R primalsOut, R tangentsOut) {}
