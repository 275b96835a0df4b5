package io.jax4j.optim;

/** {@code AddNoiseState} of {@code add_noise}: the step count (for annealing) and the PRNG key of the next draw. */
public record AddNoiseState(io.jax4j.Array count, io.jax4j.Array rngKey) {}
