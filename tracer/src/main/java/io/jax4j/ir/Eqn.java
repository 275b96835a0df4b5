package io.jax4j.ir;

import io.jax4j.core.Params;
import io.jax4j.core.Primitive;
import io.vavr.collection.Vector;

/** One equation: {@code outvars = primitive[params] inputs}, with where the user called it. */
public record Eqn(Primitive primitive, Params params, Vector<Atom> inputs, Vector<Var> outvars, String sourceInfo) {
    public Eqn withInputs(Vector<Atom> in) { return new Eqn(primitive, params, in, outvars, sourceInfo); }

    public Eqn withOutvars(Vector<Var> out) { return new Eqn(primitive, params, inputs, out, sourceInfo); }

    public Eqn withParams(Params p) { return new Eqn(primitive, p, inputs, outvars, sourceInfo); }
}
