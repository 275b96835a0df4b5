package io.jax4j.core;

import io.jax4j.Array;
import io.jax4j.ShapedArray;
import io.jax4j.ir.Atom;
import io.jax4j.ir.ClosedJaxpr;
import io.jax4j.ir.Eqn;
import io.jax4j.ir.JaxprBuilder;
import io.jax4j.ir.Literal;
import io.jax4j.ir.Var;
import io.vavr.collection.Vector;

import java.util.ArrayList;
import java.util.List;

/**
 * Stages primitives into a jaxpr instead of running them (for {@code jit} and {@code makeJaxpr}).
 * Concrete scalars become literals; other values that are not our tracers (concrete arrays, or
 * tracers of enclosing traces) become constvars of the closed jaxpr.
 */
public final class StagingTrace extends Trace {
    private final JaxprBuilder builder = new JaxprBuilder();
    private final boolean partialEval;

    public StagingTrace(String description) { this(description, false); }

    /**
     * With {@code partialEval}, the trace stages only equations that depend on its own tracers (the
     * unknowns) and evaluates the rest in its parent right away (the knowns): JAX's partial
     * evaluation, which {@code linearize} uses to split primal from tangent computations. Knowns
     * that feed staged equations become constvars (the residuals).
     */
    public StagingTrace(String description, boolean partialEval) {
        super(description);
        this.partialEval = partialEval;
    }

    public boolean owns(Array x) { return x instanceof StagingTracer t && t.trace == this; }

    /** A tracer for a new input of the jaxpr. */
    public Array newArg(ShapedArray aval) { return new StagingTracer(this, builder.addInvar(aval)); }

    public Atom atomFor(Array x) {
        if (x instanceof StagingTracer t && t.trace == this) return t.var;
        checkNotLeaked(x);
        if (x instanceof ArrayImpl a && a.aval().ndim() == 0) return new Literal(a);
        return builder.constVar(x);
    }

    @Override
    public List<Array> process(Primitive p, Params params, List<Array> inputs) {
        if (partialEval) {
            boolean anyUnknown = false;
            for (Array x : inputs) anyUnknown |= owns(x);
            if (!anyUnknown) return inParent(() -> p.bind(params, inputs));
            if (io.jax4j.prims.CallPrimitives.isInlinedCall(p)) return run(() -> io.jax4j.prims.CallPrimitives.inline(params, inputs));
        }
        Vector<Atom> atoms = Vector.ofAll(inputs).map(this::atomFor);
        List<ShapedArray> outAvals = p.abstractEval(params, atoms.map(Atom::aval).toJavaList());
        List<Var> outvars = new ArrayList<>(outAvals.size());
        List<Array> outs = new ArrayList<>(outAvals.size());
        for (ShapedArray aval : outAvals) {
            Var v = Var.fresh(aval);
            outvars.add(v);
            outs.add(new StagingTracer(this, v));
        }
        builder.addEqn(new Eqn(p, params, atoms, Vector.ofAll(outvars), SourceInfo.userFrame()));
        return outs;
    }

    /** Freezes the traced program with {@code outs} as its results. */
    public ClosedJaxpr build(List<Array> outs) {
        List<Atom> atoms = new ArrayList<>(outs.size());
        for (Array o : outs) atoms.add(atomFor(o));
        finish();
        return builder.build(atoms);
    }

    static final class StagingTracer extends Tracer {
        final StagingTrace trace;
        final Var var;

        StagingTracer(StagingTrace trace, Var var) {
            this.trace = trace;
            this.var = var;
        }

        @Override
        public Trace trace() { return trace; }

        @Override
        public ShapedArray aval() { return var.aval(); }
    }
}
