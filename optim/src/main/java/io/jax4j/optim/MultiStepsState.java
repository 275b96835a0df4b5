package io.jax4j.optim;

/** The state of {@link MultiSteps}: position in the accumulation window, accumulated gradients, inner state. */
public record MultiStepsState(io.jax4j.Array miniStep, io.jax4j.Array gradientStep, Object innerOptState, Object accGrads, Object skipState) {}
