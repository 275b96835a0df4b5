package io.jax4j.linen;

import io.jax4j.Array;

/**
 * A one-array-in, one-array-out layer, the element type of {@link Sequential}: every single-input layer
 * ({@link Dense}, {@link Conv}, {@link LayerNorm}, ...) is one, and so is a plain function such as
 * {@code Nn::relu} (Flax's {@code Sequential} takes modules and functions alike).
 */
@FunctionalInterface
public interface Layer {
    Array call(Array x);
}
