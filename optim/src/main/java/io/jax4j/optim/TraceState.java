package io.jax4j.optim;

/** The state of {@code traceMomentum}: the momentum buffer, a tree like the params. */
public record TraceState(Object trace) {}
