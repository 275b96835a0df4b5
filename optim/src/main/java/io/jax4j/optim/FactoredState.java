package io.jax4j.optim;

/** The state of {@code scaleByFactoredRms} (adafactor): step count, factored row/column and unfactored second moments. */
public record FactoredState(io.jax4j.Array count, Object vRow, Object vCol, Object v) {}
