package io.jax4j.ir;

import io.jax4j.ShapedArray;
import io.jax4j.core.Jax4jException;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The IR type checker: every variable defined once before use, every equation's output avals equal
 * to its primitive's abstract evaluation. Run after every pass in tests (JAX's {@code enable_checks}).
 */
public final class JaxprChecker {
    private JaxprChecker() {}

    public static void check(Jaxpr j) {
        Set<Var> defined = new HashSet<>();
        for (Var v : j.constvars()) define(defined, v, j, -1);
        for (Var v : j.invars()) define(defined, v, j, -1);
        for (int i = 0; i < j.eqns().size(); i++) {
            Eqn e = j.eqns().get(i);
            for (Atom a : e.inputs()) {
                if (a instanceof Var v && !defined.contains(v)) fail(j, i, "uses variable " + v + " before it is defined");
            }
            List<ShapedArray> expected = e.primitive().abstractEval(e.params(), e.inputs().map(Atom::aval).toJavaList());
            if (expected.size() != e.outvars().size()) fail(j, i, "has " + e.outvars().size() + " outputs, its rule gives " + expected.size());
            for (int k = 0; k < expected.size(); k++) {
                ShapedArray want = expected.get(k), got = e.outvars().get(k).aval();
                if (!want.sameTypeAs(got)) fail(j, i, "output " + k + " is typed " + got.str() + " but its rule gives " + want.str());
            }
            for (Var v : e.outvars()) define(defined, v, j, i);
        }
        for (Atom a : j.outvars()) {
            if (a instanceof Var v && !defined.contains(v)) fail(j, j.eqns().size(), "returns undefined variable " + v);
        }
    }

    private static void define(Set<Var> defined, Var v, Jaxpr j, int at) {
        if (!defined.add(v)) fail(j, at, "defines variable " + v + " twice");
    }

    private static void fail(Jaxpr j, int eqnIndex, String what) {
        StringBuilder ctx = new StringBuilder();
        for (int k = Math.max(0, eqnIndex - 10); k < Math.min(j.eqns().size(), eqnIndex + 11); k++) {
            Eqn e = j.eqns().get(k);
            ctx.append(k == eqnIndex ? ">>> " : "    ").append(e.outvars().mkString(" ")).append(" = ")
                    .append(e.primitive().name()).append(e.params().print()).append(' ')
                    .append(e.inputs().mkString(" "))
                    .append(e.sourceInfo() == null ? "" : "   # " + e.sourceInfo()).append('\n');
        }
        throw new Jax4jException("jaxpr check failed: equation " + eqnIndex + " " + what + "\n" + ctx);
    }
}
