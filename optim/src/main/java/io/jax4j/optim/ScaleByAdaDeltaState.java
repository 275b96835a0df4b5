package io.jax4j.optim;

/** {@code ScaleByAdaDeltaState}: the running averages of the squared gradients ({@code e_g}) and of the squared updates ({@code e_x}). */
public record ScaleByAdaDeltaState(Object eG, Object eX) {}
