package io.jax4j.optim;

/** {@code ScaleByNovogradState}: step count, first moment, and per parameter the scalar second moment of its gradient's norm. */
public record ScaleByNovogradState(io.jax4j.Array count, Object mu, Object nu) {}
