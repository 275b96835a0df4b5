package io.jax4j.autodiff;

import io.jax4j.Array;

/**
 * The result of {@code valueAndGradWithAux}: JAX's {@code ((value, aux), grads)} of
 * {@code value_and_grad(f, has_aux=True)}.
 */
public record ValueAndGradWithAux<G, X>(Array value, X aux, G grad) {}
