package io.jax4j.optim;

/** The state of {@code scaleByAdam}: an int32 step {@code count} and the first and second moments. */
public record ScaleByAdamState(io.jax4j.Array count, Object mu, Object nu) {}
