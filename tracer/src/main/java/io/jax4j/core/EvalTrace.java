package io.jax4j.core;

import io.jax4j.Array;

import java.util.ArrayList;
import java.util.List;

/** Eager evaluation: every primitive runs its reference implementation on concrete arrays. */
public final class EvalTrace extends Trace {
    public static final EvalTrace INSTANCE = new EvalTrace();

    private EvalTrace() { super("eager evaluation"); }

    @Override
    public List<Array> process(Primitive p, Params params, List<Array> inputs) {
        List<ArrayImpl> concrete = new ArrayList<>(inputs.size());
        for (Array x : inputs) {
            if (x instanceof ArrayImpl a) concrete.add(a);
            else if (x instanceof Tracer t) {
                throw new Tracer.EscapedTracerError("primitive '" + p.name() + "' was applied eagerly to a tracer "
                        + t.aval().str() + " of " + t.trace().description()
                        + (t.trace().isFinished() ? ", which has finished: a traced value escaped its transformation"
                        : " outside that transformation's function"));
            } else throw new IllegalStateException("unknown array kind " + x.getClass());
        }
        // the shape and dtype rule validates eagerly too, so errors are the same with and without jit
        List<io.jax4j.ShapedArray> avals = new ArrayList<>(concrete.size());
        for (ArrayImpl a : concrete) avals.add(a.aval());
        p.abstractEval(params, avals);
        List<Array> out = p.impl(params, concrete);
        if (DebugNans.enabled()) DebugNans.checkEager(p, concrete, out);
        return out;
    }
}
