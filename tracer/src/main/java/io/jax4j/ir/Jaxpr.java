package io.jax4j.ir;

import io.jax4j.ShapedArray;
import io.vavr.collection.Vector;

/**
 * A typed, first-order program: {@code { lambda constvars ; invars . let eqns in (outvars) }}.
 * Immutable; build one with {@link JaxprBuilder}. {@link #toString} prints what JAX prints.
 */
public record Jaxpr(Vector<Var> constvars, Vector<Var> invars, Vector<Eqn> eqns, Vector<Atom> outvars) {

    public Vector<ShapedArray> inAvals() { return invars.map(Var::aval); }

    public Vector<ShapedArray> outAvals() { return outvars.map(Atom::aval); }

    public Jaxpr withEqns(Vector<Eqn> e) { return new Jaxpr(constvars, invars, e, outvars); }

    public Jaxpr withOutvars(Vector<Atom> o) { return new Jaxpr(constvars, invars, eqns, o); }

    /** The same program with its constvars turned into leading invars. */
    public Jaxpr constvarsAsInvars() {
        return new Jaxpr(Vector.empty(), constvars.appendAll(invars), eqns, outvars);
    }

    @Override
    public String toString() { return JaxprPrinter.print(this); }
}
