package io.jax4j.pretrained;

import io.jax4j.Array;

/**
 * A tower's output ({@code BaseModelOutputWithPooling}): {@code lastHiddenState} {@code [batch, seq, hidden]}
 * and {@code poolerOutput} {@code [batch, hidden]}. A pytree, so jit can return it.
 */
public record ClipOutputWithPooling(Array lastHiddenState, Array poolerOutput) {}
