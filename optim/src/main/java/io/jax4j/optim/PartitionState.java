package io.jax4j.optim;

/** The state of {@code multiTransform} (Optax's {@code PartitionState}): one masked state per label. */
public record PartitionState(java.util.Map<String, Object> innerStates) {}
