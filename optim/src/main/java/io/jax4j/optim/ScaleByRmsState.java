package io.jax4j.optim;

/** The state of {@code scaleByRms}: the moving average of squared updates. */
public record ScaleByRmsState(Object nu) {}
