package io.jax4j.optim;

import io.jax4j.Array;

/**
 * Optax's {@code Schedule}: a pure function of the int32 step count (a scalar {@link Array}, a
 * tracer inside {@code jit}) to a value, e.g. a learning rate. See {@link Schedules}.
 */
@FunctionalInterface
public interface Schedule {

    /** The value at {@code step}, an int32 scalar array (or tracer). */
    Array apply(Array step);

    /** The value at a concrete step, evaluated eagerly. */
    default double at(int step) { return apply(Array.scalar(step)).item(); }
}
