package io.jax4j.core;

import io.jax4j.Array;

/**
 * An array standing for a value inside a transformation. It belongs to one trace instance; only
 * that trace interprets it.
 */
public abstract class Tracer extends Array {
    public abstract Trace trace();

    @Override
    public String toString() {
        return "Traced<" + aval().str() + ">with<" + trace().getClass().getSimpleName() + " of " + trace().description() + ">";
    }

    /** A tracer used outside the transformation that created it (JAX's UnexpectedTracerError). */
    public static final class EscapedTracerError extends Jax4jException {
        EscapedTracerError(Tracer t) {
            super("encountered a tracer " + t.aval().str() + " of " + t.trace().description()
                    + " after that transformation finished: a traced value escaped (for example stored in a field "
                    + "or a captured list). Return it from the transformed function instead.");
        }

        public EscapedTracerError(String message) { super(message); }
    }

    /** Concrete data was asked of a tracer (JAX's ConcretizationTypeError). */
    public static final class ConcretizationError extends Jax4jException {
        public ConcretizationError(Tracer t, String what) {
            super("abstract tracer value encountered where a concrete value is expected: " + what + " of "
                    + t.aval().str() + " inside " + t.trace().description()
                    + ". The value depends on a traced argument; use Lax.cond/Np.where or make the argument static.");
        }
    }
}
