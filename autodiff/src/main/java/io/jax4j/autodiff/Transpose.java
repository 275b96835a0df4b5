package io.jax4j.autodiff;

import io.jax4j.Array;
import io.jax4j.Lax;
import io.jax4j.core.Jax4jException;
import io.jax4j.core.UndefinedPrimal;
import io.jax4j.ir.Atom;
import io.jax4j.ir.Eqn;
import io.jax4j.ir.Jaxpr;
import io.jax4j.ir.Literal;
import io.jax4j.ir.Var;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The backward pass: transposes a linear jaxpr (from {@link Linearize}) by walking its equations in
 * reverse, calling each primitive's transpose rule with the defined operands (residuals) as values and
 * the linear ones as {@link UndefinedPrimal}s, and summing cotangents per variable. Rules bind on the
 * current trace, so the backward pass itself can be traced, differentiated or batched.
 */
final class Transpose {
    private Transpose() {}

    /** Cotangents of the jaxpr's inputs given cotangents of its outputs ({@code null} = zero). */
    static List<Array> backwardPass(Jaxpr jaxpr, List<Array> consts, List<Array> outCts) {
        Map<Var, Array> values = new HashMap<>();
        for (int i = 0; i < consts.size(); i++) values.put(jaxpr.constvars().get(i), consts.get(i));
        Set<Var> linear = new HashSet<>(jaxpr.invars().toJavaList());
        List<Eqn> linearEqns = new ArrayList<>();
        for (Eqn e : jaxpr.eqns()) {
            boolean isLinear = e.inputs().exists(a -> a instanceof Var v && linear.contains(v));
            if (isLinear) {
                linearEqns.add(e);
                linear.addAll(e.outvars().toJavaList());
            } else {
                // a non-linear equation on residuals only: evaluate it forward
                List<Array> in = new ArrayList<>();
                for (Atom a : e.inputs()) in.add(read(values, a));
                List<Array> out = e.primitive().bind(e.params(), in);
                for (int k = 0; k < out.size(); k++) values.put(e.outvars().get(k), out.get(k));
            }
        }
        Map<Var, Array> cts = new HashMap<>();
        for (int i = 0; i < jaxpr.outvars().size(); i++) {
            if (jaxpr.outvars().get(i) instanceof Var v && linear.contains(v)) accumulate(cts, v, outCts.get(i));
        }
        for (int k = linearEqns.size() - 1; k >= 0; k--) {
            Eqn e = linearEqns.get(k);
            List<Array> ctOut = new ArrayList<>(e.outvars().size());
            boolean any = false;
            for (Var v : e.outvars()) {
                Array c = cts.remove(v);
                ctOut.add(c);
                any |= c != null;
            }
            if (!any) continue;
            List<Object> operands = new ArrayList<>(e.inputs().size());
            for (Atom a : e.inputs()) {
                if (a instanceof Var v && linear.contains(v)) operands.add(new UndefinedPrimal(v.aval()));
                else operands.add(read(values, a));
            }
            if (!e.primitive().hasTranspose()) {
                throw new Jax4jException("reverse-mode differentiation needs a transpose rule for primitive '"
                        + e.primitive().name() + "', which is not linear"
                        + (e.sourceInfo() == null ? "" : " (at " + e.sourceInfo() + ")"));
            }
            List<Array> ctIn = e.primitive().transposeRule().apply(e.params(), withZeros(ctOut, e), operands);
            for (int i = 0; i < e.inputs().size(); i++) {
                if (e.inputs().get(i) instanceof Var v && linear.contains(v)) accumulate(cts, v, ctIn.get(i));
            }
        }
        List<Array> result = new ArrayList<>(jaxpr.invars().size());
        for (Var v : jaxpr.invars()) result.add(cts.get(v));
        return result;
    }

    /** Multi-output rules get zeros instantiated for the outputs without a cotangent. */
    private static List<Array> withZeros(List<Array> cts, Eqn e) {
        if (cts.size() == 1) return cts;
        List<Array> out = new ArrayList<>(cts.size());
        for (int i = 0; i < cts.size(); i++) {
            Array c = cts.get(i);
            out.add(c != null ? c : Linearize.zeros(e.outvars().get(i).aval()));
        }
        return out;
    }

    private static void accumulate(Map<Var, Array> cts, Var v, Array ct) {
        if (ct == null) return;
        Array prev = cts.get(v);
        cts.put(v, prev == null ? ct : Lax.add(prev, ct));
    }

    private static Array read(Map<Var, Array> values, Atom a) {
        return switch (a) {
            case Literal l -> l.value();
            case Var v -> {
                Array x = values.get(v);
                if (x == null) throw new IllegalStateException("backward pass: residual " + v + " has no value");
                yield x;
            }
        };
    }
}
