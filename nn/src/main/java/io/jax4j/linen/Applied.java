package io.jax4j.linen;

/** The result of {@code apply}: the call's value and the updated mutable collections (JAX's {@code (y, updates)}). */
public record Applied<T>(T value, Variables updates) {}
