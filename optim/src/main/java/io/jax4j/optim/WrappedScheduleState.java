package io.jax4j.optim;

/** The state of a schedule inside {@code injectHyperparams}: its int32 step. */
public record WrappedScheduleState(io.jax4j.Array count) {}
