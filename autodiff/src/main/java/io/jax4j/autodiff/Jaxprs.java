package io.jax4j.autodiff;

import io.jax4j.Array;
import io.jax4j.Lax;
import io.jax4j.ShapedArray;
import io.jax4j.core.BatchTrace;
import io.jax4j.core.Interpreter;
import io.jax4j.core.StagingTrace;
import io.jax4j.core.Tracer;
import io.jax4j.ir.Atom;
import io.jax4j.ir.ClosedJaxpr;
import io.jax4j.ir.Eqn;
import io.jax4j.ir.Jaxpr;
import io.jax4j.ir.Var;
import io.vavr.collection.Vector;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Jaxpr-to-jaxpr transformations used by the rules of the higher-order primitives (cond, scan,
 * while, checkpoint): tracing a function of flat arrays, and the JVP, batched and transposed forms of
 * a closed jaxpr. Every derived jaxpr is traced afresh with a {@link StagingTrace}, so the rules of the
 * primitives inside it apply; its constants are concrete arrays (never tracers), kept in the
 * {@link ClosedJaxpr}.
 */
final class Jaxprs {
    private Jaxprs() {}

    /** Traces {@code f} on abstract arguments of {@code avals}. */
    static ClosedJaxpr trace(String description, List<ShapedArray> avals, Function<List<Array>, List<Array>> f) {
        StagingTrace t = new StagingTrace(description);
        List<Array> args = new ArrayList<>(avals.size());
        for (ShapedArray a : avals) args.add(t.newArg(a));
        List<Array> outs = t.run(() -> f.apply(args));
        return t.build(outs);
    }

    /** Traces a derived function, whose constants are concrete by construction. */
    static ClosedJaxpr traceDerived(String description, List<ShapedArray> avals, Function<List<Array>, List<Array>> f) {
        ClosedJaxpr c = trace(description, avals, f);
        for (Array k : c.consts()) {
            if (k instanceof Tracer t) throw new IllegalStateException(description + ": a derived jaxpr captured the tracer " + t);
        }
        // transposition evaluates every residual equation forward; drop those no output needs
        Jaxpr j = c.jaxpr();
        return new ClosedJaxpr(dce(j, j.invars(), j.outvars().toJavaList()), c.consts());
    }

    /** Evaluates a closed jaxpr on the current trace. */
    static List<Array> eval(ClosedJaxpr c, List<Array> args) {
        return Interpreter.eval(c.jaxpr(), c.consts().toJavaList(), args);
    }

    static List<ShapedArray> inAvals(ClosedJaxpr c) { return c.jaxpr().inAvals().toJavaList(); }

    static List<ShapedArray> outAvals(ClosedJaxpr c) { return c.jaxpr().outAvals().toJavaList(); }

    static boolean[] floating(List<ShapedArray> avals) {
        boolean[] b = new boolean[avals.size()];
        for (int i = 0; i < b.length; i++) b[i] = avals.get(i).dtype().isFloating();
        return b;
    }

    static boolean any(boolean[] b) {
        for (boolean x : b) if (x) return true;
        return false;
    }

    /**
     * The JVP of {@code c}: inputs are all primals, then a tangent for each input with {@code nz[i]};
     * outputs are the primals with {@code keepPrimal[i]}, then a tangent (zeros instantiated) for each
     * output with {@code withTangent[i]}. Tangent ops are linear by the JVP rules' construction.
     */
    static ClosedJaxpr jvp(ClosedJaxpr c, boolean[] nz, boolean[] keepPrimal, boolean[] withTangent) {
        List<ShapedArray> in = inAvals(c);
        List<ShapedArray> avals = new ArrayList<>(in);
        for (int i = 0; i < nz.length; i++) if (nz[i]) avals.add(in.get(i).strong());
        return traceDerived("jvp of a higher-order primitive's body", avals, args -> {
            int n = in.size();
            List<Array> primals = new ArrayList<>(args.subList(0, n));
            List<Array> tangents = new ArrayList<>(n);
            int k = n;
            for (int i = 0; i < n; i++) tangents.add(nz[i] ? args.get(k++) : null);
            Linearize.JvpOut o = Linearize.jvp("body", xs -> eval(c, xs), primals, tangents);
            List<Array> outs = new ArrayList<>();
            for (int i = 0; i < keepPrimal.length; i++) if (keepPrimal[i]) outs.add(o.primals().get(i));
            for (int i = 0; i < withTangent.length; i++) {
                if (!withTangent[i]) continue;
                Array t = o.tangents().get(i);
                ShapedArray aval = o.primals().get(i).aval().strong();
                outs.add(t != null ? matchAval(t, aval) : Linearize.zeros(aval));
            }
            return outs;
        });
    }

    /** {@code c} with its inputs mapped over a new leading axis where {@code batched[i]}; all outputs batched at 0. */
    static ClosedJaxpr batch(ClosedJaxpr c, int size, boolean[] batched) {
        List<ShapedArray> in = inAvals(c);
        List<ShapedArray> avals = new ArrayList<>(in.size());
        for (int i = 0; i < in.size(); i++) avals.add(batched[i] ? withLeading(in.get(i), size) : in.get(i));
        return traceDerived("vmap of a higher-order primitive's body", avals, args -> evalBatched(c, size, args, batched));
    }

    /** Evaluates {@code c} vectorised (inputs batched at axis 0 where flagged) on the current trace; outputs batched at 0. */
    static List<Array> evalBatched(ClosedJaxpr c, int size, List<Array> args, boolean[] batched) {
        BatchTrace bt = new BatchTrace("vmap of a higher-order primitive", size);
        List<Array> wrapped = new ArrayList<>(args.size());
        for (int i = 0; i < args.size(); i++) wrapped.add(batched[i] ? bt.wrap(args.get(i), 0) : args.get(i));
        List<Array> outs = bt.run(() -> eval(c, wrapped));
        List<Array> result = new ArrayList<>(outs.size());
        for (Array o : outs) result.add(bt.unwrapTo(o, 0));
        bt.finish();
        return result;
    }

    /**
     * The transpose of {@code c} with respect to its inputs with {@code linear[i]} (the others are
     * residuals): a jaxpr from {@code [residuals..., cotangents of every output...]} to the cotangents
     * of the linear inputs (zeros instantiated). The residual-only equations are recomputed in it.
     */
    static ClosedJaxpr transpose(ClosedJaxpr c, boolean[] linear) {
        Jaxpr j = c.jaxpr();
        List<Var> res = new ArrayList<>(), lin = new ArrayList<>();
        for (int i = 0; i < linear.length; i++) (linear[i] ? lin : res).add(j.invars().get(i));
        Jaxpr linJaxpr = new Jaxpr(j.constvars().appendAll(res), Vector.ofAll(lin), j.eqns(), j.outvars());
        List<ShapedArray> avals = new ArrayList<>();
        for (Var v : res) avals.add(v.aval());
        for (ShapedArray a : outAvals(c)) avals.add(a.strong());
        return traceDerived("transpose of a higher-order primitive's body", avals, args -> {
            List<Array> consts = new ArrayList<>(c.consts().toJavaList());
            consts.addAll(args.subList(0, res.size()));
            List<Array> cts = args.subList(res.size(), args.size());
            List<Array> ctIn = Transpose.backwardPass(linJaxpr, consts, cts);
            List<Array> out = new ArrayList<>(lin.size());
            for (int i = 0; i < lin.size(); i++) {
                Array ct = ctIn.get(i);
                ShapedArray aval = lin.get(i).aval().strong();
                out.add(ct != null ? matchAval(ct, aval) : Linearize.zeros(aval));
            }
            return out;
        });
    }

    /** Which outputs depend on the flagged inputs. */
    static boolean[] dependsOn(Jaxpr j, boolean[] flagged) {
        Set<Var> dep = new HashSet<>();
        for (int i = 0; i < flagged.length; i++) if (flagged[i]) dep.add(j.invars().get(i));
        for (Eqn e : j.eqns()) {
            if (e.inputs().exists(a -> a instanceof Var v && dep.contains(v))) dep.addAll(e.outvars().toJavaList());
        }
        boolean[] out = new boolean[j.outvars().size()];
        for (int i = 0; i < out.length; i++) out[i] = j.outvars().get(i) instanceof Var v && dep.contains(v);
        return out;
    }

    /** Dead-code elimination: keeps the outputs {@code outs} (atoms of {@code j}) and the equations they need. */
    static Jaxpr dce(Jaxpr j, Vector<Var> invars, List<Atom> outs) {
        Set<Var> live = new HashSet<>();
        for (Atom a : outs) if (a instanceof Var v) live.add(v);
        List<Eqn> kept = new ArrayList<>();
        for (int k = j.eqns().size() - 1; k >= 0; k--) {
            Eqn e = j.eqns().get(k);
            if (e.outvars().exists(live::contains) || e.primitive().has(io.jax4j.core.Primitive.Property.EFFECTFUL)) {
                kept.addFirst(e);
                for (Atom a : e.inputs()) if (a instanceof Var v) live.add(v);
            }
        }
        for (Var v : j.invars()) {
            if (live.contains(v) && !invars.contains(v)) {
                throw new IllegalStateException("dce: the kept outputs depend on the dropped input " + v);
            }
        }
        return new Jaxpr(j.constvars(), invars, Vector.ofAll(kept), Vector.ofAll(outs));
    }

    /** A jaxpr that is {@code c} with its inputs permuted: new input i is old input {@code order[i]}. */
    static ClosedJaxpr permuteInputs(ClosedJaxpr c, int[] order) {
        Vector<Var> old = c.jaxpr().invars();
        List<Var> in = new ArrayList<>(order.length);
        for (int i : order) in.add(old.get(i));
        Jaxpr j = c.jaxpr();
        return new ClosedJaxpr(new Jaxpr(j.constvars(), Vector.ofAll(in), j.eqns(), j.outvars()), c.consts());
    }

    /** {@code c} with unused inputs of {@code avals} inserted before input {@code at}. */
    static ClosedJaxpr withUnusedInputs(ClosedJaxpr c, int at, List<ShapedArray> avals) {
        Jaxpr j = c.jaxpr();
        List<Var> extra = new ArrayList<>();
        for (ShapedArray a : avals) extra.add(Var.fresh(a));
        Vector<Var> in = j.invars().take(at).appendAll(extra).appendAll(j.invars().drop(at));
        return new ClosedJaxpr(new Jaxpr(j.constvars(), in, j.eqns(), j.outvars()), c.consts());
    }

    static ShapedArray withLeading(ShapedArray a, int size) {
        int[] d = a.dims();
        int[] out = new int[d.length + 1];
        out[0] = size;
        System.arraycopy(d, 0, out, 1, d.length);
        return a.withShape(io.jax4j.Shape.of(out));
    }

    static ShapedArray dropLeading(ShapedArray a) {
        int[] d = a.dims();
        return a.withShape(io.jax4j.Shape.of(java.util.Arrays.copyOfRange(d, 1, d.length)));
    }

    /** {@code x} converted to the dtype and (strong) weak type of {@code aval} when they differ. */
    static Array matchAval(Array x, ShapedArray aval) {
        if (x.dtype() == aval.dtype() && x.aval().weakType() == aval.weakType()) return x;
        return Lax.convertElementType(x, aval.dtype(), aval.weakType());
    }

    static <T> List<T> concat(List<? extends T> a, List<? extends T> b) {
        List<T> out = new ArrayList<>(a.size() + b.size());
        out.addAll(a);
        out.addAll(b);
        return out;
    }

    @SafeVarargs
    static <T> List<T> concat(List<? extends T>... parts) {
        List<T> out = new ArrayList<>();
        for (List<? extends T> p : parts) out.addAll(p);
        return out;
    }
}
