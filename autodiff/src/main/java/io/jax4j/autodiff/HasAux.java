package io.jax4j.autodiff;

import io.jax4j.Array;

/**
 * What a function differentiated with {@code hasAux} returns: JAX's {@code (value, aux)} pair. The
 * value is differentiated; the auxiliary pytree is returned as it is, not differentiated.
 */
public record HasAux<X>(Array value, X aux) {
    public static <X> HasAux<X> of(Array value, X aux) { return new HasAux<>(value, aux); }
}
