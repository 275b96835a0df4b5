package io.jax4j.autodiff;

import io.jax4j.Array;

/** The result of {@code valueAndGrad}: the function's value and its gradient, shaped like the argument. */
public record ValueAndGrad<G>(Array value, G grad) {}
