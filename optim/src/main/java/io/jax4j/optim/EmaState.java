package io.jax4j.optim;

/** The state of {@code ema}: an int32 step {@code count} and the moving average. */
public record EmaState(io.jax4j.Array count, Object ema) {}
