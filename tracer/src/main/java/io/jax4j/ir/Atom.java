package io.jax4j.ir;

import io.jax4j.ShapedArray;

/** An equation operand: a variable or a literal scalar. */
public sealed interface Atom permits Var, Literal {
    ShapedArray aval();
}
