package io.jax4j.optim;

/** {@code ScaleByAmsgradState}: step count, the moments, and the running maximum of the (bias-corrected) second moment. */
public record ScaleByAmsgradState(io.jax4j.Array count, Object mu, Object nu, Object nuMax) {}
