package io.jax4j.core;

import io.jax4j.Array;
import io.jax4j.ir.Atom;
import io.jax4j.ir.Eqn;
import io.jax4j.ir.Jaxpr;
import io.jax4j.ir.Literal;
import io.jax4j.ir.Var;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates a jaxpr by binding each equation on the current trace, so that evaluating a jaxpr is
 * itself traceable (autodidax's {@code eval_jaxpr}).
 */
public final class Interpreter {
    private Interpreter() {}

    public static List<Array> eval(Jaxpr jaxpr, List<? extends Array> consts, List<? extends Array> args) {
        if (consts.size() != jaxpr.constvars().size() || args.size() != jaxpr.invars().size()) {
            throw new Jax4jException("evalJaxpr: the jaxpr takes " + jaxpr.constvars().size() + " consts and "
                    + jaxpr.invars().size() + " arguments, got " + consts.size() + " and " + args.size());
        }
        Map<Var, Array> env = new HashMap<>();
        for (int i = 0; i < consts.size(); i++) env.put(jaxpr.constvars().get(i), consts.get(i));
        for (int i = 0; i < args.size(); i++) env.put(jaxpr.invars().get(i), args.get(i));
        for (Eqn e : jaxpr.eqns()) {
            List<Array> in = new ArrayList<>(e.inputs().size());
            for (Atom a : e.inputs()) in.add(read(env, a));
            List<Array> out = e.primitive().bind(e.params(), in);
            for (int i = 0; i < out.size(); i++) env.put(e.outvars().get(i), out.get(i));
        }
        List<Array> outs = new ArrayList<>(jaxpr.outvars().size());
        for (Atom a : jaxpr.outvars()) outs.add(read(env, a));
        return outs;
    }

    private static Array read(Map<Var, Array> env, Atom a) {
        return switch (a) {
            case Literal l -> l.value();
            case Var v -> {
                Array x = env.get(v);
                if (x == null) throw new Jax4jException("evalJaxpr: variable " + v + " is read before it is defined");
                yield x;
            }
        };
    }
}
