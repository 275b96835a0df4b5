package io.jax4j.ir;

import io.jax4j.Array;
import io.vavr.collection.Vector;

/** A jaxpr with values for its constvars (concrete arrays, or tracers of an enclosing trace). */
public record ClosedJaxpr(Jaxpr jaxpr, Vector<Array> consts) {
    public ClosedJaxpr {
        if (jaxpr.constvars().size() != consts.size()) {
            throw new IllegalArgumentException(jaxpr.constvars().size() + " constvars but " + consts.size() + " consts");
        }
    }

    @Override
    public String toString() { return jaxpr.toString(); }
}
