package io.jax4j.optim;

/** The state of {@code scaleByLion}: an int32 step {@code count} and the momentum. */
public record ScaleByLionState(io.jax4j.Array count, Object mu) {}
