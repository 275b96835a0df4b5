package io.jax4j.optim;

import io.jax4j.Array;

/**
 * {@code ReduceLROnPlateauState}: the current scale, the best average seen, the reports since it
 * improved, the cooldown left, and the running average over the current accumulation window.
 */
public record ReduceOnPlateauState(Array scale, Array bestValue, Array plateauCount, Array cooldownCount, Array count, Array avgValue) {}
