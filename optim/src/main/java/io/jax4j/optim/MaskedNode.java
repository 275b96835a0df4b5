package io.jax4j.optim;

/** Stands for a leaf that a {@code masked} transformation does not touch (Optax's {@code MaskedNode}): an empty pytree node. */
public record MaskedNode() {}
