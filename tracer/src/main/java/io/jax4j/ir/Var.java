package io.jax4j.ir;

import io.jax4j.ShapedArray;

import java.util.concurrent.atomic.AtomicLong;

/** A jaxpr variable: compared by identity ({@code id}); printed names are given by the printer. */
public record Var(long id, ShapedArray aval) implements Atom {
    private static final AtomicLong NEXT = new AtomicLong();

    public static Var fresh(ShapedArray aval) { return new Var(NEXT.incrementAndGet(), aval); }

    @Override
    public boolean equals(Object o) { return o instanceof Var v && v.id == id; }

    @Override
    public int hashCode() { return Long.hashCode(id); }

    @Override
    public String toString() { return "v" + id + ":" + aval.str(); }
}
