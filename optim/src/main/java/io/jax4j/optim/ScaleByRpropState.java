package io.jax4j.optim;

/** {@code ScaleByRpropState}: the per-element step sizes and the previous updates (whose signs decide the next sizes). */
public record ScaleByRpropState(Object stepSizes, Object prevUpdates) {}
