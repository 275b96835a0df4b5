package io.jax4j.ir;

import io.jax4j.ShapedArray;
import io.jax4j.core.ArrayImpl;

/** A scalar constant inlined in an equation, printed {@code 1.5:f32[]}. */
public record Literal(ArrayImpl value) implements Atom {
    public Literal {
        if (value.aval().ndim() != 0) throw new IllegalArgumentException("literals are scalars, got " + value.aval());
    }

    @Override
    public ShapedArray aval() { return value.aval(); }

    public String print() {
        return io.jax4j.core.Formatting.scalar(value) + ":" + value.aval().str();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Literal l && l.aval().equals(aval())
                && Double.doubleToLongBits(l.value.getDouble(0)) == Double.doubleToLongBits(value.getDouble(0));
    }

    @Override
    public int hashCode() { return aval().hashCode() * 31 + Double.hashCode(value.getDouble(0)); }
}
