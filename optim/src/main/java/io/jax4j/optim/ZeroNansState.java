package io.jax4j.optim;

/** {@code ZeroNansState}: per parameter a bool scalar, whether the last update had a NaN there (replaced by 0). */
public record ZeroNansState(Object foundNan) {}
