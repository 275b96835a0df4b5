package io.jax4j.autodiff;

import io.jax4j.Array;
import io.jax4j.ShapedArray;
import io.jax4j.core.Params;
import io.jax4j.core.Primitive;
import io.jax4j.core.Trace;
import io.jax4j.core.Tracer;
import io.jax4j.prims.CallPrimitives;

import java.util.ArrayList;
import java.util.List;

/**
 * Forward-mode differentiation: each tracer carries a primal and a tangent. Tangents are symbolically
 * zero ({@code null}) until a differentiated input reaches them; a primitive all of whose tangents are
 * zero binds on the parent trace untouched, and an output with a zero tangent is returned as its bare
 * primal, so values independent of the inputs never carry tracers.
 */
final class JvpTrace extends Trace {

    JvpTrace(String description) { super(description); }

    /** A tracer with this primal and tangent, or the bare primal when the tangent is zero. */
    Array wrap(Array primal, Array tangent) {
        return tangent == null ? primal : new JvpTracer(this, primal, tangent);
    }

    Array primalOf(Array x) { return x instanceof JvpTracer t && t.trace == this ? t.primal : x; }

    /** The tangent of x with respect to this trace, {@code null} when symbolically zero. */
    Array tangentOf(Array x) { return x instanceof JvpTracer t && t.trace == this ? t.tangent : null; }

    @Override
    public List<Array> process(Primitive p, Params params, List<Array> inputs) {
        if (CallPrimitives.isInlinedCall(p)) return run(() -> CallPrimitives.inline(params, inputs));
        List<Array> primals = new ArrayList<>(inputs.size());
        List<Array> tangents = new ArrayList<>(inputs.size());
        boolean any = false;
        for (Array x : inputs) {
            if (!(x instanceof JvpTracer t && t.trace == this)) checkNotLeaked(x);
            primals.add(primalOf(x));
            Array t = tangentOf(x);
            tangents.add(t);
            any |= t != null;
        }
        if (!any) return inParent(() -> p.bind(params, primals));
        if (p.isZeroJvp()) return inParent(() -> p.bind(params, primals));
        Primitive.JvpResult r = inParent(() -> p.jvpRule().apply(params, primals, tangents));
        List<Array> outs = new ArrayList<>(r.primals().size());
        for (int i = 0; i < r.primals().size(); i++) outs.add(wrap(r.primals().get(i), r.tangents().get(i)));
        return outs;
    }

    static final class JvpTracer extends Tracer {
        final JvpTrace trace;
        final Array primal;
        final Array tangent;

        JvpTracer(JvpTrace trace, Array primal, Array tangent) {
            this.trace = trace;
            this.primal = primal;
            this.tangent = tangent;
        }

        @Override
        public Trace trace() { return trace; }

        @Override
        public ShapedArray aval() { return primal.aval(); }
    }
}
