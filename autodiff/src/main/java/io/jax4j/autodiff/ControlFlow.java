package io.jax4j.autodiff;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Lax;
import io.jax4j.ShapedArray;
import io.jax4j.core.Jax4jException;
import io.jax4j.core.StagingTrace;
import io.jax4j.ir.ClosedJaxpr;
import io.jax4j.ir.Jaxpr;
import io.jax4j.tree.KeyPath;
import io.jax4j.tree.Tree;
import io.jax4j.tree.TreeDef;
import io.vavr.Function0;
import io.vavr.Function1;
import io.vavr.Function2;
import io.vavr.Tuple;
import io.vavr.Tuple2;
import io.vavr.collection.Vector;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static io.jax4j.autodiff.Jaxprs.concat;

/**
 * Structured control flow, custom derivative rules and rematerialisation, as in {@code jax.lax} and
 * {@code jax}: {@code cond}, {@code switchCase}, {@code scan}, {@code foriLoop}, {@code whileLoop},
 * {@code customJvp}, {@code customVjp}, {@code checkpoint}. Functions take and return pytrees of
 * arrays; they are traced once to jaxprs (values they close over become operands), so the result is
 * one primitive that jit stages, vmap batches and grad differentiates.
 *
 * <pre>{@code
 * Array y = ControlFlow.cond(x.sum().gt(0), v -> Np.sin(v), v -> Np.cos(v), x);
 * Tuple2<Array, Array> r = ControlFlow.scan((c, xi) -> Tuple.of(c.add(xi), c), Array.scalar(0f), xs); // cumsum
 * Array z = ControlFlow.foriLoop(0, 10, (i, v) -> v.mul(0.5f), x);
 * }</pre>
 *
 * <p>{@code cond} and {@code scan} (and {@code foriLoop} with static bounds, which is a scan) are
 * differentiable in both modes; {@code whileLoop} in forward mode only, as in JAX.
 */
public final class ControlFlow {
    private ControlFlow() {}

    // ---------------------------------------------------------------- cond and switch

    /** {@code pred ? trueFn(operand) : falseFn(operand)}; both branches are traced and must return the same types. */
    public static <A, R> R cond(Array pred, Function1<A, R> trueFn, Function1<A, R> falseFn, A operand) {
        checkPred(pred);
        Array index = pred.dtype() == DType.BOOL ? pred : Lax.ne(pred, Lax.scalar(0, pred.dtype()));
        return branch("cond", Lax.convertElementType(index, DType.I32), List.of("false_fun", "true_fun"), List.of(falseFn, trueFn), operand);
    }

    /** {@link #cond} of functions without operands. */
    public static <R> R cond(Array pred, Function0<R> trueFn, Function0<R> falseFn) {
        return cond(pred, (Object ignored) -> trueFn.apply(), (Object ignored) -> falseFn.apply(), null);
    }

    /** JAX's {@code lax.switch}: {@code branches[clamp(index, 0, n-1)](operand)}. */
    public static <A, R> R switchCase(Array index, List<Function1<A, R>> branches, A operand) {
        if (branches.isEmpty()) throw new Jax4jException("switchCase: needs at least one branch");
        if (index.ndim() != 0 || !index.dtype().isInteger()) {
            throw new Jax4jException("switchCase: the index must be an integer scalar, got " + index.aval().str());
        }
        Array i = Lax.convertElementType(index, DType.I32);
        i = Lax.max(Lax.min(i, Lax.scalar(branches.size() - 1, DType.I32)), Lax.scalar(0, DType.I32));
        List<String> names = new ArrayList<>();
        for (int k = 0; k < branches.size(); k++) names.add("branches[" + k + "]");
        return branch("switch", i, names, branches, operand);
    }

    private static void checkPred(Array pred) {
        if (pred.ndim() != 0) {
            throw new Jax4jException("cond: pred must be a scalar, got " + pred.aval().str() + "; reduce it (Np.any/Np.all) or use Np.where for elementwise selection");
        }
        if (pred.dtype() != DType.BOOL && !pred.dtype().isInteger()) {
            throw new Jax4jException("cond: pred must be a boolean or integer scalar, got " + pred.aval().str());
        }
    }

    @SuppressWarnings("unchecked")
    private static <A, R> R branch(String what, Array index, List<String> names, List<Function1<A, R>> fns, A operand) {
        Tree.Flat in = Tree.flatten(operand);
        List<Array> ops = arrays(in);
        List<Traced> traced = new ArrayList<>();
        for (int k = 0; k < fns.size(); k++) traced.add(traceTree(what + " " + names.get(k), erase(fns.get(k)), in, null));
        // outputs: same structure and types; differing weak types are made strong
        Traced first = traced.getFirst();
        boolean[] strong = new boolean[first.outAvals().size()];
        for (int k = 1; k < traced.size(); k++) {
            Traced t = traced.get(k);
            if (!t.outDef().equals(first.outDef()) || !sameTypes(first.outAvals(), t.outAvals())) {
                throw new Jax4jException(what + ": " + names.getFirst() + " and " + names.get(k)
                        + " must return the same structure and types, got " + describe(first) + " and " + describe(t));
            }
            for (int j = 0; j < strong.length; j++) strong[j] |= first.outAvals().get(j).weakType() != t.outAvals().get(j).weakType();
        }
        if (Jaxprs.any(strong)) {
            traced.clear();
            for (int k = 0; k < fns.size(); k++) traced.add(traceTree(what + " " + names.get(k), erase(fns.get(k)), in, strong));
        }
        // every branch takes all branches' consts, then the operands
        List<Array> operands = new ArrayList<>();
        operands.add(index);
        List<ClosedJaxpr> branches = new ArrayList<>();
        int before = 0, total = 0;
        for (Traced t : traced) total += t.consts().size();
        for (Traced t : traced) {
            List<ShapedArray> all = new ArrayList<>();
            for (Traced u : traced) for (Array c : u.consts()) all.add(c.aval());
            int nc = t.consts().size();
            ClosedJaxpr j = Jaxprs.withUnusedInputs(t.jaxpr(), 0, all.subList(0, before));
            j = Jaxprs.withUnusedInputs(j, before + nc, all.subList(before + nc, total));
            branches.add(j);
            operands.addAll(t.consts());
            before += nc;
        }
        operands.addAll(ops);
        List<Array> outs = ControlPrimitives.COND.bind(new ControlPrimitives.CondParams(branches), operands);
        return (R) Tree.unflatten(first.outDef(), outs);
    }

    // ---------------------------------------------------------------- scan and loops

    /** JAX's {@code lax.scan} over the leading axis of every leaf of {@code xs}. */
    public static <C, X, Y> Tuple2<C, Y> scan(Function2<C, X, Tuple2<C, Y>> f, C init, X xs) {
        return scan(f, init, xs, null, false);
    }

    /**
     * JAX's {@code lax.scan}: {@code f(carry, x) -> (carry, y)} applied along the leading axis of
     * {@code xs} ({@code null} for none; then {@code length} is required), returning the final carry
     * and the stacked ys. With {@code reverse}, the steps run from the last element to the first.
     */
    @SuppressWarnings("unchecked")
    public static <C, X, Y> Tuple2<C, Y> scan(Function2<C, X, Tuple2<C, Y>> f, C init, X xs, Integer length, boolean reverse) {
        Tree.Flat carryFlat = strongLeaves("scan", "init", Tree.flatten(init));
        Tree.Flat xsFlat = Tree.flatten(xs);
        List<Array> xArrays = arrays(xsFlat);
        int n = scanLength(xsFlat, xArrays, length);
        List<Object> sliceLeaves = new ArrayList<>();
        for (Object leaf : xsFlat.leaves()) sliceLeaves.add(leaf instanceof Array a ? abstractOf(Jaxprs.dropLeading(a.aval())) : leaf);
        Tree.Flat slices = new Tree.Flat(sliceLeaves, xsFlat.def());
        TreeDef[] yDef = new TreeDef[1];
        int nK = arrays(carryFlat).size();
        Traced body = traceFlat("scan body", concat(carryFlat.leaves(), slices.leaves()), leaves -> {
            C c = (C) Tree.unflatten(carryFlat.def(), leaves.subList(0, carryFlat.leaves().size()));
            X x = (X) Tree.unflatten(xsFlat.def(), leaves.subList(carryFlat.leaves().size(), leaves.size()));
            Object r = f.apply(c, x);
            if (!(r instanceof Tuple2<?, ?> t)) {
                throw new Jax4jException("scan: the body must return Tuple.of(carry, y), got " + (r == null ? "null" : r.getClass().getSimpleName()));
            }
            List<Array> carryOut = carryOut("scan", carryFlat, t._1);
            Tree.Flat ys = Tree.flatten(t._2);
            yDef[0] = ys.def();
            return concat(carryOut, arrays(ys));
        });
        checkCarry("scan", carryFlat, body.outAvals().subList(0, nK));
        List<Array> operands = concat(body.consts(), arrays(carryFlat), xArrays);
        List<Array> out = ControlPrimitives.SCAN.bind(
                new ControlPrimitives.ScanParams(body.jaxpr(), body.consts().size(), nK, n, reverse), operands);
        C carry = (C) Tree.unflatten(carryFlat.def(), out.subList(0, nK));
        Y ys = (Y) Tree.unflatten(yDef[0], out.subList(nK, out.size()));
        return Tuple.of(carry, ys);
    }

    /**
     * JAX's {@code lax.fori_loop} with static bounds: {@code body(i, v)} for {@code i} in
     * {@code [lower, upper)}, as a scan (so it is differentiable in reverse mode).
     */
    public static <C> C foriLoop(int lower, int upper, Function2<Array, C, C> body, C init) {
        if (upper <= lower) return init;
        Tuple2<Tuple2<Array, C>, Object> r = scan((Tuple2<Array, C> c, Object x) ->
                        Tuple.of(Tuple.of(Lax.add(c._1, Lax.scalar(1, DType.I32)), body.apply(c._1, c._2)), null),
                Tuple.of(Lax.scalar(lower, DType.I32), init), null, upper - lower, false);
        return r._1._2;
    }

    /** {@code fori_loop} with traced bounds: a while loop (forward-mode differentiable only). */
    public static <C> C foriLoop(Array lower, Array upper, Function2<Array, C, C> body, C init) {
        Array hi = Lax.convertElementType(upper, DType.I32);
        Tuple2<Array, C> r = whileLoop((Tuple2<Array, C> c) -> Lax.lt(c._1, hi),
                c -> Tuple.of(Lax.add(c._1, Lax.scalar(1, DType.I32)), body.apply(c._1, c._2)),
                Tuple.of(Lax.convertElementType(lower, DType.I32), init));
        return r._2;
    }

    /** JAX's {@code lax.while_loop}: {@code while (condFn(v)) v = bodyFn(v)}; forward-mode differentiable only. */
    @SuppressWarnings("unchecked")
    public static <C> C whileLoop(Function1<C, Array> condFn, Function1<C, C> bodyFn, C init) {
        Tree.Flat carryFlat = strongLeaves("whileLoop", "init_val", Tree.flatten(init));
        Traced cond = traceFlat("while_loop cond_fun", carryFlat.leaves(), leaves -> {
            Array p = condFn.apply((C) Tree.unflatten(carryFlat.def(), leaves));
            if (p == null || p.ndim() != 0 || p.dtype() != DType.BOOL) {
                throw new Jax4jException("whileLoop: cond_fun must return a boolean scalar, got " + (p == null ? "null" : p.aval().str()));
            }
            return List.of(p);
        });
        Traced body = traceFlat("while_loop body_fun", carryFlat.leaves(),
                leaves -> carryOut("whileLoop", carryFlat, bodyFn.apply((C) Tree.unflatten(carryFlat.def(), leaves))));
        checkCarry("whileLoop", carryFlat, body.outAvals());
        List<Array> operands = concat(cond.consts(), body.consts(), arrays(carryFlat));
        List<Array> out = ControlPrimitives.WHILE.bind(new ControlPrimitives.WhileParams(cond.jaxpr(), cond.consts().size(),
                body.jaxpr(), body.consts().size()), operands);
        return (C) Tree.unflatten(carryFlat.def(), out);
    }

    // ---------------------------------------------------------------- custom rules and checkpoint

    /**
     * JAX's {@code custom_jvp}: {@code f} with the derivative given by {@code jvp(primals, tangents) ->
     * (primalOut, tangentOut)}, which must be linear in the tangents (so reverse mode transposes it).
     * Values {@code f} closes over are not differentiated through the rule (an error if they are traced).
     */
    @SuppressWarnings("unchecked")
    public static <A, R> Function1<A, R> customJvp(Function1<A, R> f, Function2<A, A, Tuple2<R, R>> jvp) {
        String name = callerName();
        return a -> {
            Tree.Flat in = Tree.flatten(a);
            Traced t = traceTree("customJvp(" + name + ")", erase(f), in, null);
            CustomRules.FlatJvp rule = (ps, ts) -> {
                Tuple2<R, R> r = jvp.apply((A) rebuild(in, ps), (A) rebuild(in, ts));
                return new Linearize.JvpOut(Tree.leavesOfType(r._1, Array.class), Tree.leavesOfType(r._2, Array.class));
            };
            List<Array> out = CustomRules.CUSTOM_JVP_CALL.bind(new CustomRules.CustomJvpParams(t.jaxpr(), t.consts().size(), rule, name),
                    concat(t.consts(), arrays(in)));
            return (R) Tree.unflatten(t.outDef(), out);
        };
    }

    /**
     * JAX's {@code custom_vjp}: {@code f} whose reverse-mode derivative is given by
     * {@code fwd(x) -> (f(x), residuals)} and {@code bwd(residuals, outputCotangent) -> inputCotangent}
     * (the cotangent has the input's structure). Forward mode (jvp) of it is an error, as in JAX.
     */
    @SuppressWarnings("unchecked")
    public static <A, R, S> Function1<A, R> customVjp(Function1<A, R> f, Function1<A, Tuple2<R, S>> fwd, Function2<S, R, A> bwd) {
        String name = callerName();
        return a -> {
            Tree.Flat in = Tree.flatten(a);
            Traced t = traceTree("customVjp(" + name + ")", erase(f), in, null);
            Tree.Flat[] resFlat = new Tree.Flat[1];
            CustomRules.FlatFwd flatFwd = ps -> {
                Tuple2<R, S> r = fwd.apply((A) rebuild(in, ps));
                resFlat[0] = Tree.flatten(r._2);
                return new CustomRules.FwdOut(Tree.leavesOfType(r._1, Array.class), arrays(resFlat[0]));
            };
            CustomRules.FlatBwd flatBwd = (res, cts) -> {
                S s = (S) rebuild(resFlat[0], res);
                A g = bwd.apply(s, (R) Tree.unflatten(t.outDef(), cts));
                return Tree.leavesOfType(g, Array.class);
            };
            List<Array> out = CustomRules.CUSTOM_VJP_CALL.bind(new CustomRules.CustomVjpParams(t.jaxpr(), t.consts().size(), flatFwd, flatBwd, name),
                    concat(t.consts(), arrays(in)));
            return (R) Tree.unflatten(t.outDef(), out);
        };
    }

    /**
     * JAX's {@code checkpoint} (remat): {@code f} whose intermediate values are not stored for the
     * backward pass; reverse mode keeps only f's inputs and recomputes its forward pass when
     * transposing. Values and derivatives are those of {@code f}.
     */
    @SuppressWarnings("unchecked")
    public static <A, R> Function1<A, R> checkpoint(Function1<A, R> f) {
        String name = callerName();
        return a -> {
            Tree.Flat in = Tree.flatten(a);
            Traced t = traceTree("checkpoint(" + name + ")", erase(f), in, null);
            List<Array> out = ControlPrimitives.CHECKPOINT.bind(new ControlPrimitives.CheckpointParams(t.jaxpr(), false),
                    concat(t.consts(), arrays(in)));
            return (R) Tree.unflatten(t.outDef(), out);
        };
    }

    /** Alias of {@link #checkpoint}. */
    public static <A, R> Function1<A, R> remat(Function1<A, R> f) { return checkpoint(f); }

    // ---------------------------------------------------------------- tracing pytree functions

    /** A function traced to a jaxpr whose leading inputs are the values it closes over ({@code consts}). */
    private record Traced(ClosedJaxpr jaxpr, List<Array> consts, TreeDef outDef, List<ShapedArray> outAvals) {}

    /** Traces {@code f} on the tree {@code in} (array leaves abstract); {@code strong[j]} makes output j strongly typed. */
    private static Traced traceTree(String what, Function<Object, Object> f, Tree.Flat in, boolean[] strong) {
        TreeDef[] outDef = new TreeDef[1];
        Traced t = traceFlat(what, in.leaves(), leaves -> {
            Tree.Flat out = Tree.flatten(f.apply(Tree.unflatten(in.def(), leaves)));
            outDef[0] = out.def();
            List<Array> outs = new ArrayList<>();
            for (int i = 0; i < out.leaves().size(); i++) {
                if (!(out.leaves().get(i) instanceof Array arr)) {
                    throw new Jax4jException(what + ": outputs must be arrays, but leaf " + out.def().leafPaths().get(i)
                            + " is a " + (out.leaves().get(i) == null ? "null" : out.leaves().get(i).getClass().getSimpleName()));
                }
                outs.add(strong != null && strong[outs.size()] ? Jaxprs.matchAval(arr, arr.aval().strong()) : arr);
            }
            return outs;
        });
        return new Traced(t.jaxpr(), t.consts(), outDef[0], t.outAvals());
    }

    /** Traces a function of leaves (arrays become abstract, other leaves stay); constants become leading inputs. */
    private static Traced traceFlat(String what, List<Object> leaves, Function<List<Object>, List<Array>> f) {
        StagingTrace trace = new StagingTrace(what);
        List<Object> args = new ArrayList<>(leaves.size());
        for (Object leaf : leaves) args.add(leaf instanceof Array a ? trace.newArg(a.aval()) : leaf);
        List<Array> outs = trace.run(() -> f.apply(args));
        ClosedJaxpr c = trace.build(outs);
        Jaxpr j = c.jaxpr().constvarsAsInvars();
        return new Traced(new ClosedJaxpr(j, Vector.empty()), c.consts().toJavaList(), null, j.outAvals().toJavaList());
    }

    /** A placeholder array of an aval for tracing (its leaves are replaced by tracers in {@link #traceFlat}). */
    private static Array abstractOf(ShapedArray aval) { return io.jax4j.core.ArrayImpl.allocate(aval); }

    private static List<Array> carryOut(String what, Tree.Flat carryIn, Object out) {
        Tree.Flat flat = Tree.flatten(out);
        Tree.checkSameStructure(what + ": the body's output carry vs the initial carry", carryIn.def(), flat.def());
        List<Array> outs = new ArrayList<>();
        for (int i = 0; i < flat.leaves().size(); i++) {
            if (!(flat.leaves().get(i) instanceof Array a)) {
                throw new Jax4jException(what + ": carry leaf " + flat.def().leafPaths().get(i) + " must be an array, got "
                        + (flat.leaves().get(i) == null ? "null" : flat.leaves().get(i).getClass().getSimpleName()));
            }
            outs.add(Jaxprs.matchAval(a, a.aval().strong()));
        }
        return outs;
    }

    private static void checkCarry(String what, Tree.Flat carryIn, List<ShapedArray> out) {
        List<KeyPath> paths = carryIn.def().leafPaths();
        for (int i = 0; i < out.size(); i++) {
            ShapedArray in = ((Array) carryIn.leaves().get(i)).aval();
            if (!in.sameTypeAs(out.get(i))) {
                String path = paths.get(i).isRoot() ? "carry" : "carry" + paths.get(i);
                throw new Jax4jException(what + " body function carry input and carry output must have equal types (e.g. shapes and dtypes of arrays), "
                        + "but they differ: the input carry component " + path + " has type " + in.str()
                        + " but the corresponding output carry component has type " + out.get(i).str()
                        + (in.dtype() != out.get(i).dtype() ? ", so the dtypes do not match" : ", so the shapes do not match"));
            }
        }
    }

    /** The leaves, with every array strongly typed (carries); non-array leaves are an error. */
    private static Tree.Flat strongLeaves(String what, String arg, Tree.Flat flat) {
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < flat.leaves().size(); i++) {
            if (!(flat.leaves().get(i) instanceof Array a)) {
                throw new Jax4jException(what + ": " + arg + " leaf " + flat.def().leafPaths().get(i) + " must be an array, got "
                        + (flat.leaves().get(i) == null ? "null" : flat.leaves().get(i).getClass().getSimpleName()));
            }
            out.add(Jaxprs.matchAval(a, a.aval().strong()));
        }
        return new Tree.Flat(out, flat.def());
    }

    private static int scanLength(Tree.Flat xsFlat, List<Array> xs, Integer length) {
        Integer n = length;
        List<KeyPath> paths = xsFlat.def().leafPaths();
        int k = 0;
        for (int i = 0; i < xsFlat.leaves().size(); i++) {
            if (!(xsFlat.leaves().get(i) instanceof Array a)) continue;
            if (a.ndim() == 0) throw new Jax4jException("scan: xs leaf " + paths.get(i) + " is a scalar " + a.aval().str() + "; scanned arrays need a leading axis");
            if (n == null) n = a.dim(0);
            else if (a.dim(0) != n) {
                throw new Jax4jException("scan got values with different leading axis sizes: xs leaf " + paths.get(i) + " is " + a.aval().str()
                        + " but the length is " + n + (length != null && k == 0 ? " (the length argument)" : ""));
            }
            k++;
        }
        if (n == null) throw new Jax4jException("scan: with no xs, the length argument is required");
        return n;
    }

    @SuppressWarnings("unchecked")
    private static <A, R> Function<Object, Object> erase(Function1<A, R> f) { return x -> f.apply((A) x); }

    private static List<Array> arrays(Tree.Flat flat) {
        List<Array> out = new ArrayList<>();
        for (Object leaf : flat.leaves()) if (leaf instanceof Array a) out.add(a);
        return out;
    }

    /** The tree {@code flat} with its array leaves replaced by {@code arrays}, in order. */
    private static Object rebuild(Tree.Flat flat, List<Array> arrays) {
        List<Object> leaves = new ArrayList<>(flat.leaves());
        int k = 0;
        for (int i = 0; i < leaves.size(); i++) if (leaves.get(i) instanceof Array) leaves.set(i, arrays.get(k++));
        return Tree.unflatten(flat.def(), leaves);
    }

    private static boolean sameTypes(List<ShapedArray> a, List<ShapedArray> b) {
        if (a.size() != b.size()) return false;
        for (int i = 0; i < a.size(); i++) if (!a.get(i).sameTypeAs(b.get(i))) return false;
        return true;
    }

    private static String describe(Traced t) {
        List<String> s = new ArrayList<>();
        for (ShapedArray a : t.outAvals()) s.add(a.str());
        return (t.outAvals().size() == 1 ? s.getFirst() : s.toString()) + (t.outDef().isLeaf() ? "" : " in structure " + t.outDef());
    }

    private static String callerName() {
        return StackWalker.getInstance().walk(s -> s
                .filter(f -> !f.getClassName().startsWith("io.jax4j.autodiff.") && !f.getClassName().startsWith("io.jax4j.core."))
                .findFirst().map(StackWalker.StackFrame::getMethodName).orElse("fn"));
    }
}
