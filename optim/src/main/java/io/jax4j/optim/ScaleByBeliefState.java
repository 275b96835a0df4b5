package io.jax4j.optim;

/** {@code ScaleByBeliefState} of {@code scale_by_belief} (AdaBelief): step count, first moment, second central moment. */
public record ScaleByBeliefState(io.jax4j.Array count, Object mu, Object nu) {}
