package io.jax4j.linen;

import io.jax4j.Array;

/**
 * {@code flax.linen.SelfAttention}: {@link MultiHeadDotProductAttention} of the input with itself, in a scope
 * auto-named {@code SelfAttention_N}; same parameter layout ({@code query}, {@code key}, {@code value}, {@code out}).
 */
public record SelfAttention(MultiHeadDotProductAttention attention) implements LinenModule, Layer {

    public SelfAttention(int numHeads) { this(new MultiHeadDotProductAttention(numHeads)); }

    @Override
    public String name() { return attention.name(); }

    @Override
    public Array call(Array x) { return call(x, null, null, null); }

    public Array call(Array x, Array mask, Boolean deterministic, Array dropoutRng) {
        return compact(() -> MultiHeadDotProductAttention.forward(attention, x, null, null, mask, deterministic, dropoutRng, false));
    }
}
