package io.jax4j.optim;

import io.jax4j.Array;

/**
 * Optax's {@code ScaleByLBFGSState}: the iteration count, the previous parameters and updates, the
 * last {@code memory_size} parameter and update differences (each leaf stacked on a leading axis of
 * the memory size) and their weights 1/⟨Δu, Δw⟩.
 */
public record ScaleByLbfgsState(Array count, Object params, Object updates, Object diffParamsMemory, Object diffUpdatesMemory,
                                Array weightsMemory) {}
