package io.jax4j.optim;

/** The state of {@code masked}: the inner transformation's state over the masked tree. */
public record MaskedState(Object innerState) {}
