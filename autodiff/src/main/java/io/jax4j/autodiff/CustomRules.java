package io.jax4j.autodiff;

import io.jax4j.Array;
import io.jax4j.ShapedArray;
import io.jax4j.core.Batching;
import io.jax4j.core.EvalTrace;
import io.jax4j.core.Jax4jException;
import io.jax4j.core.Params;
import io.jax4j.core.Primitive;
import io.jax4j.core.UndefinedPrimal;
import io.jax4j.core.Vmap;
import io.jax4j.ir.ClosedJaxpr;
import io.jax4j.ir.Jaxpr;
import io.jax4j.ir.JaxprPrinter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

import static io.jax4j.autodiff.Jaxprs.concat;

/**
 * JAX's {@code custom_jvp} and {@code custom_vjp} as primitives, so that they stage under jit and
 * batch under vmap: {@code custom_jvp_call} and {@code custom_vjp_call} carry the function's jaxpr
 * (evaluated by impl, batched by vmap) and the user's rules over flat array lists. Differentiating a
 * {@code custom_vjp_call} runs {@code fwd} and emits {@code custom_lin}, a primitive that is linear in
 * the tangents, holds the residuals and transposes by calling {@code bwd}.
 */
final class CustomRules {
    private CustomRules() {}

    @FunctionalInterface
    interface FlatJvp { Linearize.JvpOut apply(List<Array> primals, List<Array> tangents); }

    /** {@code fwd}: the outputs and the residuals. */
    record FwdOut(List<Array> outs, List<Array> residuals) {}

    @FunctionalInterface
    interface FlatFwd { FwdOut apply(List<Array> primals); }

    @FunctionalInterface
    interface FlatBwd { List<Array> apply(List<Array> residuals, List<Array> cotangents); }

    record CustomJvpParams(ClosedJaxpr fun, int numConsts, FlatJvp jvp, String name) implements Params, JaxprPrinter.HasJaxprs {
        @Override
        public LinkedHashMap<String, Jaxpr> jaxprs() { return single("call_jaxpr", fun); }

        @Override
        public String printOther() { return "jvp=" + name + " num_consts=" + numConsts + " symbolic_zeros=False"; }
    }

    record CustomVjpParams(ClosedJaxpr fun, int numConsts, FlatFwd fwd, FlatBwd bwd, String name) implements Params, JaxprPrinter.HasJaxprs {
        @Override
        public LinkedHashMap<String, Jaxpr> jaxprs() { return single("call_jaxpr", fun); }

        @Override
        public String printOther() { return "bwd=" + name + " fwd=" + name + " num_consts=" + numConsts + " symbolic_zeros=False"; }
    }

    record LinParams(FlatBwd bwd, int numResiduals, List<ShapedArray> outAvals, String name) implements Params {
        @Override
        public String print() { return "[bwd=" + name + " num_res=" + numResiduals + " out_avals=" + outAvals + "]"; }
    }

    // custom_jvp_call(consts, xs) = f(xs); its JVP is the user's rule
    static final Primitive CUSTOM_JVP_CALL = new Primitive("custom_jvp_call")
            .withProperties(Primitive.Property.HIGHER_ORDER)
            .abstractEval((p, in) -> ControlPrimitives.strong(Jaxprs.outAvals(((CustomJvpParams) p).fun())))
            .impl((p, in) -> EvalTrace.INSTANCE.run(() -> Jaxprs.eval(((CustomJvpParams) p).fun(), new ArrayList<>(in))))
            .jvp((p, primals, tangents) -> {
                CustomJvpParams cp = (CustomJvpParams) p;
                List<Array> args = argsOf(primals, cp.numConsts(), tangents, "customJvp(" + cp.name() + ")");
                Linearize.JvpOut r = cp.jvp().apply(args, instantiateTangents(primals, tangents, cp.numConsts()));
                List<ShapedArray> outs = Jaxprs.outAvals(cp.fun());
                checkRuleOutputs("customJvp(" + cp.name() + "): the JVP rule's primal outputs", outs, r.primals());
                checkRuleOutputs("customJvp(" + cp.name() + "): the JVP rule's tangent outputs", outs, r.tangents());
                return new Primitive.JvpResult(r.primals(), r.tangents());
            })
            .batch((p, vals, dims) -> {
                CustomJvpParams cp = (CustomJvpParams) p;
                int size = Batching.batchSize(vals, dims);
                List<Array> ops = Batching.allAtFront(vals, dims);
                FlatJvp rule = (ps, ts) -> {
                    List<List<Array>> r = vmapLists(xs -> {
                        Linearize.JvpOut o = cp.jvp().apply(xs.get(0), xs.get(1));
                        return List.of(o.primals(), o.tangents());
                    }, cp.name(), List.of(ps, ts));
                    return new Linearize.JvpOut(r.get(0), r.get(1));
                };
                ClosedJaxpr fun = Jaxprs.batch(cp.fun(), size, allTrue(ops.size()));
                List<Array> out = CustomRules.CUSTOM_JVP_CALL.bind(new CustomJvpParams(fun, cp.numConsts(), rule, cp.name()), ops);
                return new Primitive.BatchResult(out, new int[out.size()]);
            });

    // custom_vjp_call(consts, xs) = f(xs); differentiated: fwd now, custom_lin(residuals, tangents) for the tangents
    static final Primitive CUSTOM_VJP_CALL = new Primitive("custom_vjp_call")
            .withProperties(Primitive.Property.HIGHER_ORDER)
            .abstractEval((p, in) -> ControlPrimitives.strong(Jaxprs.outAvals(((CustomVjpParams) p).fun())))
            .impl((p, in) -> EvalTrace.INSTANCE.run(() -> Jaxprs.eval(((CustomVjpParams) p).fun(), new ArrayList<>(in))))
            .jvp((p, primals, tangents) -> {
                CustomVjpParams cp = (CustomVjpParams) p;
                List<Array> args = argsOf(primals, cp.numConsts(), tangents, "customVjp(" + cp.name() + ")");
                FwdOut f = cp.fwd().apply(args);
                List<ShapedArray> outs = Jaxprs.outAvals(cp.fun());
                checkRuleOutputs("customVjp(" + cp.name() + "): fwd's primal outputs", outs, f.outs());
                List<Array> lin = CustomRules.CUSTOM_LIN.bind(new LinParams(cp.bwd(), f.residuals().size(), ControlPrimitives.strong(outs), cp.name()),
                        concat(f.residuals(), instantiateTangents(primals, tangents, cp.numConsts())));
                return new Primitive.JvpResult(f.outs(), floatsOnly(lin, outs));
            })
            .batch((p, vals, dims) -> {
                CustomVjpParams cp = (CustomVjpParams) p;
                int size = Batching.batchSize(vals, dims);
                List<Array> ops = Batching.allAtFront(vals, dims);
                FlatFwd fwd = xs -> {
                    List<List<Array>> r = vmapLists(a -> {
                        FwdOut o = cp.fwd().apply(a.getFirst());
                        return List.of(o.outs(), o.residuals());
                    }, cp.name(), List.of(xs));
                    return new FwdOut(r.get(0), r.get(1));
                };
                ClosedJaxpr fun = Jaxprs.batch(cp.fun(), size, allTrue(ops.size()));
                List<Array> out = CustomRules.CUSTOM_VJP_CALL.bind(new CustomVjpParams(fun, cp.numConsts(), fwd, batchedBwd(cp.bwd(), cp.name()), cp.name()), ops);
                return new Primitive.BatchResult(out, new int[out.size()]);
            });

    // custom_lin(residuals, tangents) = the linear map whose transpose is bwd(residuals, ·)
    static final Primitive CUSTOM_LIN = new Primitive("custom_lin")
            .abstractEval((p, in) -> ((LinParams) p).outAvals())
            .impl((p, in) -> { throw forwardModeError((LinParams) p); })
            .jvp((p, primals, tangents) -> { throw forwardModeError((LinParams) p); })
            .transpose((p, cts, operands) -> {
                LinParams lp = (LinParams) p;
                int nRes = lp.numResiduals();
                List<Array> res = new ArrayList<>(nRes);
                for (int i = 0; i < nRes; i++) {
                    if (!(operands.get(i) instanceof Array a)) throw new IllegalStateException("custom_lin: a residual is linear");
                    res.add(a);
                }
                List<Array> argCts = lp.bwd().apply(res, ControlPrimitives.instantiate(cts, lp.outAvals()));
                List<Object> args = operands.subList(nRes, operands.size());
                if (argCts.size() != args.size()) {
                    throw new Jax4jException("customVjp(" + lp.name() + "): bwd returned " + argCts.size() + " cotangents for "
                            + args.size() + " inputs; it must return one per input leaf, with the inputs' structure");
                }
                List<Array> out = ControlPrimitives.nulls(nRes);
                for (int i = 0; i < args.size(); i++) {
                    if (args.get(i) instanceof UndefinedPrimal u) {
                        Array ct = argCts.get(i);
                        if (ct != null && !ct.aval().shape().equals(u.aval().shape())) {
                            throw new Jax4jException("customVjp(" + lp.name() + "): bwd's cotangent " + ct.aval().str()
                                    + " for input " + i + " does not match the input's " + u.aval().str());
                        }
                        out.add(ct == null ? null : Jaxprs.matchAval(ct, u.aval().strong()));
                    } else out.add(null);
                }
                return out;
            })
            .batch((p, vals, dims) -> {
                LinParams lp = (LinParams) p;
                List<Array> ops = Batching.allAtFront(vals, dims);
                int size = Batching.batchSize(vals, dims);
                List<ShapedArray> outs = new ArrayList<>();
                for (ShapedArray a : lp.outAvals()) outs.add(Jaxprs.withLeading(a, size));
                List<Array> out = CustomRules.CUSTOM_LIN.bind(new LinParams(batchedBwd(lp.bwd(), lp.name()), lp.numResiduals(), outs, lp.name()), ops);
                return new Primitive.BatchResult(out, new int[out.size()]);
            });

    private static Jax4jException forwardModeError(LinParams p) {
        return new Jax4jException("can't apply forward-mode autodiff (jvp) to a custom_vjp function (" + p.name()
                + "). Use reverse mode (grad/vjp), or define the rule with customJvp instead.");
    }

    // ---------------------------------------------------------------- helpers

    private static List<Array> argsOf(List<Array> primals, int numConsts, List<Array> tangents, String what) {
        for (int i = 0; i < numConsts; i++) {
            if (tangents.get(i) != null) {
                throw new Jax4jException(what + " closes over a value " + primals.get(i).aval().str()
                        + " that is being differentiated; pass it to the function as an argument instead");
            }
        }
        return new ArrayList<>(primals.subList(numConsts, primals.size()));
    }

    private static List<Array> instantiateTangents(List<Array> primals, List<Array> tangents, int numConsts) {
        List<Array> out = new ArrayList<>();
        for (int i = numConsts; i < primals.size(); i++) {
            ShapedArray aval = primals.get(i).aval().strong();
            Array t = tangents.get(i);
            out.add(t != null ? Jaxprs.matchAval(t, aval) : Linearize.zeros(aval));
        }
        return out;
    }

    private static List<Array> floatsOnly(List<Array> tangents, List<ShapedArray> avals) {
        List<Array> out = new ArrayList<>(tangents.size());
        for (int i = 0; i < tangents.size(); i++) out.add(avals.get(i).dtype().isFloating() ? tangents.get(i) : null);
        return out;
    }

    private static void checkRuleOutputs(String what, List<ShapedArray> expected, List<Array> actual) {
        boolean ok = actual.size() == expected.size();
        for (int i = 0; ok && i < expected.size(); i++) ok = actual.get(i) != null && actual.get(i).aval().shape().equals(expected.get(i).shape());
        if (!ok) {
            List<String> got = new ArrayList<>();
            for (Array a : actual) got.add(a == null ? "null" : a.aval().str());
            List<String> want = new ArrayList<>();
            for (ShapedArray a : expected) want.add(a.str());
            throw new Jax4jException(what + " are " + got + " but the function's outputs are " + want + "; they must have the same structure and shapes");
        }
    }

    private static FlatBwd batchedBwd(FlatBwd bwd, String name) {
        return (res, cts) -> vmapLists(xs -> List.of(bwd.apply(xs.get(0), xs.get(1))), name, List.of(res, cts)).getFirst();
    }

    /** vmap over lists of arrays, every leaf mapped at axis 0. */
    @SuppressWarnings("unchecked")
    private static List<List<Array>> vmapLists(java.util.function.Function<List<List<Array>>, List<List<Array>>> f, String name, List<List<Array>> args) {
        List<Integer> axes = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) axes.add(0);
        return (List<List<Array>>) Vmap.apply(xs -> f.apply((List<List<Array>>) (List<?>) xs), name, axes, 0, new ArrayList<>(args));
    }

    private static boolean[] allTrue(int n) {
        boolean[] b = new boolean[n];
        java.util.Arrays.fill(b, true);
        return b;
    }

    private static LinkedHashMap<String, Jaxpr> single(String key, ClosedJaxpr j) {
        LinkedHashMap<String, Jaxpr> m = new LinkedHashMap<>();
        m.put(key, j.jaxpr());
        return m;
    }
}
