package io.jax4j.xla;

import io.jax4j.ShapedArray;
import io.jax4j.core.Ints;
import io.jax4j.core.Primitive;
import io.jax4j.ir.Atom;
import io.jax4j.ir.Eqn;
import io.jax4j.ir.Jaxpr;
import io.jax4j.ir.Literal;
import io.jax4j.ir.Var;
import io.jax4j.prims.CallPrimitives;
import io.jax4j.prims.Elementwise;
import io.jax4j.prims.Structural;
import io.vavr.collection.Vector;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The standard passes. Each keeps the jaxpr's invars and output avals; rewrites that replace a
 * variable by another atom substitute it in every later equation and in the outputs.
 */
public final class Passes {
    private Passes() {}

    /** inline, constant folding, simplify, CSE, DCE: what the lowering runs before fusion planning. */
    public static Pass standard() {
        return inlineCalls().andThen(foldConstants()).andThen(simplify()).andThen(cse()).andThen(dce());
    }

    // ---------------------------------------------------------------- scalar hoisting

    /**
     * Moves the scalar equations that depend only on the inputs (a step counter, a learning-rate
     * schedule, bias corrections) to the front, keeping their order: computed first, they are ready
     * for every kernel, which can then fuse across them (Adam's update joins its moments' kernel).
     */
    public static Pass hoistScalars() {
        return j -> {
            Set<Var> early = new HashSet<>(j.invars().toJavaList());
            early.addAll(j.constvars().toJavaList());
            List<Eqn> first = new ArrayList<>(), rest = new ArrayList<>();
            for (Eqn e : j.eqns()) {
                boolean scalar = e.outvars().forAll(v -> v.aval().ndim() == 0) && !e.primitive().has(Primitive.Property.EFFECTFUL)
                        && e.inputs().forAll(a -> a instanceof Literal || early.contains((Var) a));
                if (scalar) {
                    first.add(e);
                    early.addAll(e.outvars().toJavaList());
                } else {
                    rest.add(e);
                }
            }
            if (first.isEmpty() || rest.isEmpty()) return j;
            first.addAll(rest);
            return j.withEqns(Vector.ofAll(first));
        };
    }

    // ---------------------------------------------------------------- constant folding

    /**
     * An equation whose inputs are all literals and whose outputs are scalars is evaluated now, by the
     * primitive's reference implementation (the oracle, so the value is the one the program would
     * compute), and its outputs become literals: {@code div 1.0 128.0} is {@code 0.0078125}.
     * Effectful and higher-order primitives, and any that fail to evaluate, are left alone.
     */
    public static Pass foldConstants() {
        return j -> {
            Map<Var, Atom> subst = new HashMap<>();
            List<Eqn> out = new ArrayList<>();
            boolean changed = false;
            for (Eqn e : j.eqns()) {
                Eqn eq = e.withInputs(substitute(e.inputs(), subst));
                List<Literal> folded = fold(eq);
                if (folded == null) {
                    out.add(eq);
                    continue;
                }
                for (int i = 0; i < folded.size(); i++) subst.put(eq.outvars().get(i), folded.get(i));
                changed = true;
            }
            if (!changed) return j;
            return new Jaxpr(j.constvars(), j.invars(), Vector.ofAll(out), substitute(j.outvars(), subst));
        };
    }

    private static List<Literal> fold(Eqn e) {
        Primitive p = e.primitive();
        if (e.inputs().isEmpty() || !e.inputs().forAll(a -> a instanceof Literal) || e.outvars().exists(v -> v.aval().ndim() != 0)
                || p.has(Primitive.Property.EFFECTFUL) || p.has(Primitive.Property.HIGHER_ORDER) || CallPrimitives.isInlinedCall(p)) {
            return null;
        }
        try {
            List<io.jax4j.core.ArrayImpl> in = e.inputs().map(a -> ((Literal) a).value()).toJavaList();
            List<io.jax4j.Array> r = io.jax4j.core.EvalTrace.INSTANCE.run(() -> p.impl(e.params(), in));
            List<Literal> lits = new ArrayList<>();
            for (int i = 0; i < r.size(); i++) {
                io.jax4j.core.ArrayImpl v = r.get(i).concrete("constant folding " + p.name());
                ShapedArray want = e.outvars().get(i).aval();
                if (!v.aval().dtype().equals(want.dtype()) || v.aval().ndim() != 0) return null;
                lits.add(new Literal(v.aval().equals(want) ? v : v.withAval(want)));
            }
            return lits;
        } catch (RuntimeException ex) {
            return null;
        }
    }

    // ---------------------------------------------------------------- inlining

    /** Replaces every {@code pjit} equation by its callee's equations (fresh variables), recursively. */
    public static Pass inlineCalls() {
        return j -> {
            if (j.eqns().forAll(e -> !CallPrimitives.isInlinedCall(e.primitive()))) return j;
            Map<Var, Atom> subst = new HashMap<>();
            List<Eqn> out = new ArrayList<>();
            for (Eqn e : j.eqns()) {
                Eqn eq = e.withInputs(substitute(e.inputs(), subst));
                if (!CallPrimitives.isInlinedCall(eq.primitive())) {
                    out.add(eq);
                    continue;
                }
                Jaxpr callee = inlineCalls().apply(((CallPrimitives.JitParams) eq.params()).jaxpr());
                List<Atom> results = splice(callee, eq.inputs(), out);
                for (int i = 0; i < results.size(); i++) subst.put(eq.outvars().get(i), results.get(i));
            }
            return new Jaxpr(j.constvars(), j.invars(), Vector.ofAll(out), substitute(j.outvars(), subst));
        };
    }

    /** Appends the callee's equations with fresh variables bound to {@code args}; returns its outputs. */
    private static List<Atom> splice(Jaxpr callee, Vector<Atom> args, List<Eqn> out) {
        Map<Var, Atom> rename = new HashMap<>();
        for (int i = 0; i < callee.invars().size(); i++) rename.put(callee.invars().get(i), args.get(i));
        for (Eqn e : callee.eqns()) {
            Vector<Var> fresh = e.outvars().map(v -> Var.fresh(v.aval()));
            for (int i = 0; i < fresh.size(); i++) rename.put(e.outvars().get(i), fresh.get(i));
            out.add(new Eqn(e.primitive(), e.params(), substitute(e.inputs(), rename), fresh, e.sourceInfo()));
        }
        return substitute(callee.outvars(), rename).toJavaList();
    }

    // ---------------------------------------------------------------- dead-code elimination

    /** Drops equations none of whose outputs is used (effectful ones stay). */
    public static Pass dce() {
        return j -> {
            Set<Var> live = new HashSet<>();
            for (Atom a : j.outvars()) if (a instanceof Var v) live.add(v);
            List<Eqn> kept = new ArrayList<>();
            for (Eqn e : j.eqns().reverse()) {
                boolean used = e.primitive().has(Primitive.Property.EFFECTFUL) || e.outvars().exists(live::contains);
                if (!used) continue;
                kept.add(e);
                for (Atom a : e.inputs()) if (a instanceof Var v) live.add(v);
            }
            return kept.size() == j.eqns().size() ? j : j.withEqns(Vector.ofAll(kept).reverse());
        };
    }

    // ---------------------------------------------------------------- common subexpressions

    private record CseKey(Primitive primitive, Object params, Vector<Atom> inputs) {}

    /** Equations with equal (primitive, params, inputs) compute the same values: keep the first. */
    public static Pass cse() {
        return j -> {
            Map<CseKey, Vector<Var>> seen = new HashMap<>();
            Map<Var, Atom> subst = new HashMap<>();
            List<Eqn> out = new ArrayList<>();
            for (Eqn e : j.eqns()) {
                Eqn eq = e.withInputs(substitute(e.inputs(), subst));
                if (eq.primitive().has(Primitive.Property.EFFECTFUL)) {
                    out.add(eq);
                    continue;
                }
                CseKey key = new CseKey(eq.primitive(), eq.params(), eq.inputs());
                Vector<Var> first = seen.get(key);
                if (first != null && sameAvals(first, eq.outvars())) {
                    for (int i = 0; i < first.size(); i++) subst.put(eq.outvars().get(i), first.get(i));
                } else {
                    seen.putIfAbsent(key, eq.outvars());
                    out.add(eq);
                }
            }
            return new Jaxpr(j.constvars(), j.invars(), Vector.ofAll(out), substitute(j.outvars(), subst));
        };
    }

    private static boolean sameAvals(Vector<Var> a, Vector<Var> b) {
        for (int i = 0; i < a.size(); i++) if (!a.get(i).aval().equals(b.get(i).aval())) return false;
        return true;
    }

    // ---------------------------------------------------------------- algebraic simplification

    /**
     * Identities that are exact in IEEE arithmetic: x*1, 1*x, x/1, x-0, x+(-0) (and x+0 on integers)
     * are x; reshape/broadcast to the same shape, the identity transpose and convert to the same
     * dtype are x; reshape(reshape(x)) is one reshape and transpose(transpose(x)) one transpose;
     * a transpose that moves only axes of extent 1 (a vmapped replica axis of one) is a reshape, which
     * the lowering makes an alias. A variable is only replaced by an atom of exactly its aval (weak
     * type included).
     */
    public static Pass simplify() {
        return j -> {
            Map<Var, Atom> subst = new HashMap<>();
            Map<Var, Eqn> producer = new HashMap<>();
            List<Eqn> out = new ArrayList<>();
            for (Eqn e : j.eqns()) {
                Eqn eq = unitAxisTransposeAsReshape(composeMovement(e.withInputs(substitute(e.inputs(), subst)), producer));
                Atom same = identityOperand(eq);
                if (same != null && same.aval().equals(eq.outvars().head().aval())) {
                    subst.put(eq.outvars().head(), same);
                    continue;
                }
                for (Var v : eq.outvars()) producer.put(v, eq);
                out.add(eq);
            }
            return new Jaxpr(j.constvars(), j.invars(), Vector.ofAll(out), substitute(j.outvars(), subst));
        };
    }

    /** A transpose whose axes of extent above 1 keep their order, as the reshape it is; other equations unchanged. */
    private static Eqn unitAxisTransposeAsReshape(Eqn e) {
        if (e.primitive() != Structural.TRANSPOSE) return e;
        int[] perm = ((Structural.TransposeParams) e.params()).permutation().toArray();
        ShapedArray in = e.inputs().head().aval();
        int last = -1;
        for (int axis : perm) {
            if (in.dim(axis) == 1) continue;
            if (axis < last) return e;
            last = axis;
        }
        return new Eqn(Structural.RESHAPE, new Structural.ReshapeParams(Ints.of(e.outvars().head().aval().dims())), e.inputs(), e.outvars(),
                e.sourceInfo());
    }

    /** The operand an equation returns unchanged, or null. */
    private static Atom identityOperand(Eqn e) {
        Primitive p = e.primitive();
        ShapedArray out = e.outvars().head().aval();
        if (p == Elementwise.MUL) return e.inputs().size() == 2 ? (isConst(e.inputs().get(1), 1) ? e.inputs().get(0)
                : isConst(e.inputs().get(0), 1) ? e.inputs().get(1) : null) : null;
        if (p == Elementwise.DIV) return isConst(e.inputs().get(1), 1) ? e.inputs().get(0) : null;
        if (p == Elementwise.SUB) return isZero(e.inputs().get(1), true) ? e.inputs().get(0) : null;
        if (p == Elementwise.ADD) {
            if (isZero(e.inputs().get(1), false)) return e.inputs().get(0);
            if (isZero(e.inputs().get(0), false)) return e.inputs().get(1);
            return null;
        }
        Atom x = e.inputs().isEmpty() ? null : e.inputs().head();
        if (x == null || !x.aval().shape().equals(out.shape())) return null;
        if (p == Structural.RESHAPE || p == Structural.BROADCAST_IN_DIM) return x;
        if (p == Structural.TRANSPOSE) {
            Ints perm = ((Structural.TransposeParams) e.params()).permutation();
            return perm.equals(Ints.range(perm.size())) ? x : null;
        }
        if (p == Structural.CONVERT_ELEMENT_TYPE) return x.aval().dtype() == out.dtype() ? x : null;
        return null;
    }

    private static boolean isConst(Atom a, double c) {
        return a instanceof Literal l && l.value().getDouble(0) == c;
    }

    /** x - 0 is exact for any zero; x + 0 only for integers or a negative zero (-0 + 0 = +0). */
    private static boolean isZero(Atom a, boolean subtracted) {
        if (!(a instanceof Literal l) || l.value().getDouble(0) != 0) return false;
        if (subtracted || !l.aval().dtype().isFloating()) return true;
        return Double.doubleToRawLongBits(l.value().getDouble(0)) == Long.MIN_VALUE;
    }

    /** reshape(reshape(x)) = reshape(x); transpose_q(transpose_p(x)) = transpose_{p∘q}(x). */
    private static Eqn composeMovement(Eqn e, Map<Var, Eqn> producer) {
        if (!(e.inputs().isEmpty()) && e.inputs().head() instanceof Var v && producer.containsKey(v)) {
            Eqn prev = producer.get(v);
            if (e.primitive() == Structural.RESHAPE && prev.primitive() == Structural.RESHAPE) {
                return e.withInputs(prev.inputs());
            }
            if (e.primitive() == Structural.TRANSPOSE && prev.primitive() == Structural.TRANSPOSE) {
                int[] p = ((Structural.TransposeParams) prev.params()).permutation().toArray();
                int[] q = ((Structural.TransposeParams) e.params()).permutation().toArray();
                int[] composed = new int[q.length];
                for (int i = 0; i < q.length; i++) composed[i] = p[q[i]];
                return e.withInputs(prev.inputs()).withParams(new Structural.TransposeParams(Ints.of(composed)));
            }
        }
        return e;
    }

    // ---------------------------------------------------------------- helpers

    static <A extends Atom> Vector<Atom> substitute(Vector<A> atoms, Map<Var, Atom> subst) {
        return atoms.map(a -> a instanceof Var v && subst.containsKey(v) ? subst.get(v) : (Atom) a);
    }
}
