package io.jax4j.core;

import io.jax4j.ShapedArray;

/** In a transpose rule, an operand the linear function is linear in: only its aval is known. */
public record UndefinedPrimal(ShapedArray aval) {}
