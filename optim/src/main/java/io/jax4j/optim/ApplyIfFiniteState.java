package io.jax4j.optim;

/** The state of {@code applyIfFinite}: counters of rejected steps and the inner state. */
public record ApplyIfFiniteState(io.jax4j.Array notfiniteCount, io.jax4j.Array lastFinite, io.jax4j.Array totalNotfinite, Object innerState) {}
