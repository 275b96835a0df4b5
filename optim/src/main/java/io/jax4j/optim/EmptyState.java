package io.jax4j.optim;

/** The state of a stateless transformation (Optax's {@code EmptyState}): an empty pytree node. */
public record EmptyState() {}
