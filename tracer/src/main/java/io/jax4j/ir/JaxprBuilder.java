package io.jax4j.ir;

import io.jax4j.Array;
import io.vavr.collection.Vector;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one mutable piece of the IR: collects invars, constants and equations while a function is
 * traced; {@link #build} checks the result with {@link JaxprChecker} and freezes it.
 */
public final class JaxprBuilder {
    private final List<Var> invars = new ArrayList<>();
    private final List<Eqn> eqns = new ArrayList<>();
    private final Map<Object, Var> constVars = new IdentityHashMap<>();
    private final List<Var> constvarList = new ArrayList<>();
    private final List<Array> constValues = new ArrayList<>();

    public Var addInvar(io.jax4j.ShapedArray aval) {
        Var v = Var.fresh(aval);
        invars.add(v);
        return v;
    }

    /** The constvar holding {@code value}, one per distinct value (by identity). */
    public Var constVar(Array value) {
        return constVars.computeIfAbsent(value, k -> {
            Var v = Var.fresh(value.aval());
            constvarList.add(v);
            constValues.add(value);
            return v;
        });
    }

    public void addEqn(Eqn e) { eqns.add(e); }

    public ClosedJaxpr build(List<? extends Atom> outs) {
        Jaxpr j = new Jaxpr(Vector.ofAll(constvarList), Vector.ofAll(invars), Vector.ofAll(eqns), Vector.ofAll(outs));
        JaxprChecker.check(j);
        return new ClosedJaxpr(j, Vector.ofAll(constValues));
    }
}
