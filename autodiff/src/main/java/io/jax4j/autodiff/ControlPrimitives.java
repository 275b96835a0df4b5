package io.jax4j.autodiff;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Lax;
import io.jax4j.ShapedArray;
import io.jax4j.core.ArrayImpl;
import io.jax4j.core.Batching;
import io.jax4j.core.EvalTrace;
import io.jax4j.core.Jax4jException;
import io.jax4j.core.Params;
import io.jax4j.core.Primitive;
import io.jax4j.core.UndefinedPrimal;
import io.jax4j.ir.Atom;
import io.jax4j.ir.ClosedJaxpr;
import io.jax4j.ir.Jaxpr;
import io.jax4j.ir.JaxprPrinter;
import io.jax4j.ir.Var;
import io.vavr.collection.Vector;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;

import static io.jax4j.autodiff.Jaxprs.concat;
import static io.jax4j.autodiff.Jaxprs.floating;

/**
 * The structured control-flow primitives {@code cond}, {@code scan} and {@code while}, and
 * {@code checkpoint}: higher-order primitives whose params carry closed jaxprs (the constants of the
 * user's functions are leading operands). Their rules build new jaxprs from the carried ones with
 * {@link Jaxprs}: the JVP of the body, the batched body, the transposed body.
 *
 * <p>Reverse mode: every JVP rule here binds the primitive twice, once on the primals only (known
 * under linearize, so it runs now) and once on primals and tangents together, returning only
 * tangents. Under linearize the second is staged as a whole into the linear jaxpr with the primal
 * operands as residuals; its transpose rule recomputes the primal work from those residuals in the
 * backward pass (for scan: a forward scan that re-stacks the primal carries, then a reverse scan of
 * the transposed body). In plain forward mode the primal computation therefore runs twice.
 */
final class ControlPrimitives {
    private ControlPrimitives() {}

    // ================================================================ cond
    /** Params of cond: one closed jaxpr per branch, all of the same input and output avals. */
    record CondParams(List<ClosedJaxpr> branches) implements Params, JaxprPrinter.HasJaxprs {
        CondParams { branches = List.copyOf(branches); }

        @Override
        public LinkedHashMap<String, Jaxpr> jaxprs() {
            LinkedHashMap<String, Jaxpr> m = new LinkedHashMap<>();
            for (int i = 0; i < branches.size(); i++) m.put("branches[" + i + "]", branches.get(i).jaxpr());
            return m;
        }

        @Override
        public String printOther() { return ""; }
    }

    // cond(index, ops...) = branches[clamp(index)](ops...)
    static final Primitive COND = new Primitive("cond")
            .withProperties(Primitive.Property.HIGHER_ORDER)
            .abstractEval((p, in) -> {
                CondParams cp = (CondParams) p;
                ShapedArray index = in.getFirst();
                if (index.ndim() != 0 || index.dtype() != DType.I32) {
                    throw new Jax4jException("cond: the branch index must be an i32[] scalar, got " + index.str());
                }
                checkOperands("cond", Jaxprs.inAvals(cp.branches().getFirst()), in.subList(1, in.size()));
                return strong(Jaxprs.outAvals(cp.branches().getFirst()));
            })
            .impl((p, in) -> {
                List<ClosedJaxpr> bs = ((CondParams) p).branches();
                int i = (int) Math.max(0, Math.min(bs.size() - 1, in.getFirst().getLong(0)));
                List<Array> ops = new ArrayList<>(in.subList(1, in.size()));
                return EvalTrace.INSTANCE.run(() -> Jaxprs.eval(bs.get(i), ops));
            })
            .jvp(ControlPrimitives::condJvp)
            .transpose(ControlPrimitives::condTranspose)
            .batch(ControlPrimitives::condBatch);

    private static Primitive.JvpResult condJvp(Params p, List<Array> primals, List<Array> tangents) {
        List<ClosedJaxpr> bs = ((CondParams) p).branches();
        int n = primals.size() - 1;
        boolean[] nz = new boolean[n];
        List<Array> ops = new ArrayList<>(primals);
        for (int i = 0; i < n; i++) {
            Array t = tangents.get(i + 1);
            nz[i] = t != null;
            if (nz[i]) ops.add(Jaxprs.matchAval(t, primals.get(i + 1).aval().strong()));
        }
        List<ShapedArray> outs = Jaxprs.outAvals(bs.getFirst());
        boolean[] withT = floating(outs);
        List<Array> primalOut = COND.bind(p, primals);
        if (!Jaxprs.any(withT)) return new Primitive.JvpResult(primalOut, nulls(outs.size()));
        List<ClosedJaxpr> jb = new ArrayList<>();
        for (ClosedJaxpr b : bs) jb.add(Jaxprs.jvp(b, nz, new boolean[outs.size()], withT));
        return new Primitive.JvpResult(primalOut, spread(COND.bind(new CondParams(jb), ops), withT));
    }

    private static List<Array> condTranspose(Params p, List<Array> cts, List<Object> operands) {
        List<ClosedJaxpr> bs = ((CondParams) p).branches();
        if (!(operands.getFirst() instanceof Array index)) {
            throw new IllegalStateException("cond transpose: the branch index cannot be linear");
        }
        int n = operands.size() - 1;
        boolean[] lin = new boolean[n];
        List<Array> ops = new ArrayList<>();
        ops.add(index);
        for (int i = 0; i < n; i++) {
            lin[i] = operands.get(i + 1) instanceof UndefinedPrimal;
            if (!lin[i]) ops.add((Array) operands.get(i + 1));
        }
        ops.addAll(instantiate(cts, Jaxprs.outAvals(bs.getFirst())));
        List<ClosedJaxpr> tb = new ArrayList<>();
        for (ClosedJaxpr b : bs) tb.add(Jaxprs.transpose(b, lin));
        List<Array> out = COND.bind(new CondParams(tb), ops);
        List<Array> result = new ArrayList<>();
        result.add(null);
        result.addAll(spread(out, lin));
        return result;
    }

    private static Primitive.BatchResult condBatch(Params p, List<Array> vals, int[] dims) {
        List<ClosedJaxpr> bs = ((CondParams) p).branches();
        int size = Batching.batchSize(vals, dims);
        int n = vals.size() - 1;
        boolean[] batched = new boolean[n];
        List<Array> ops = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            batched[i] = dims[i + 1] != Batching.NOT_MAPPED;
            ops.add(batched[i] ? Batching.moveAxis(vals.get(i + 1), dims[i + 1], 0, size) : vals.get(i + 1));
        }
        int nOut = Jaxprs.outAvals(bs.getFirst()).size();
        if (dims[0] != Batching.NOT_MAPPED) {
            // a batched predicate: evaluate every branch on the whole batch and select per example
            Array index = Batching.moveAxis(vals.getFirst(), dims[0], 0, size);
            List<List<Array>> perBranch = new ArrayList<>();
            for (ClosedJaxpr b : bs) perBranch.add(Jaxprs.evalBatched(b, size, ops, batched));
            List<Array> outs = new ArrayList<>(nOut);
            for (int j = 0; j < nOut; j++) {
                List<Array> cases = new ArrayList<>();
                for (List<Array> r : perBranch) cases.add(r.get(j));
                Array which = Lax.broadcastInDim(index, cases.getFirst().shape(), new int[]{0});
                outs.add(Lax.selectN(which, cases));
            }
            return new Primitive.BatchResult(outs, new int[nOut]);
        }
        List<ClosedJaxpr> bb = new ArrayList<>();
        for (ClosedJaxpr b : bs) bb.add(Jaxprs.batch(b, size, batched));
        List<Array> in = new ArrayList<>();
        in.add(vals.getFirst());
        in.addAll(ops);
        return new Primitive.BatchResult(COND.bind(new CondParams(bb), in), new int[nOut]);
    }

    // ================================================================ scan
    /**
     * Params of scan: the body {@code (consts..., carry..., x...) -> (carry..., y...)}, the operand
     * counts, the number of steps and the direction.
     */
    record ScanParams(ClosedJaxpr body, int numConsts, int numCarry, int length, boolean reverse)
            implements Params, JaxprPrinter.HasJaxprs {
        int numXs() { return body.jaxpr().invars().size() - numConsts - numCarry; }

        @Override
        public LinkedHashMap<String, Jaxpr> jaxprs() {
            LinkedHashMap<String, Jaxpr> m = new LinkedHashMap<>();
            m.put("jaxpr", body.jaxpr());
            return m;
        }

        @Override
        public String printOther() {
            return "length=" + length + " num_carry=" + numCarry + " num_consts=" + numConsts + " reverse=" + (reverse ? "True" : "False");
        }
    }

    // scan(consts, init, xs): carry_{i+1}, y_i = body(consts, carry_i, xs[i]); returns (carry_n, stack(y))
    static final Primitive SCAN = new Primitive("scan")
            .withProperties(Primitive.Property.HIGHER_ORDER)
            .abstractEval((p, in) -> {
                ScanParams sp = (ScanParams) p;
                List<ShapedArray> bodyIn = new ArrayList<>(in);
                for (int i = sp.numConsts() + sp.numCarry(); i < in.size(); i++) {
                    ShapedArray x = in.get(i);
                    if (x.ndim() == 0 || x.dim(0) != sp.length()) {
                        throw new Jax4jException("scan: every xs operand needs a leading axis of length " + sp.length() + ", got " + x.str());
                    }
                    bodyIn.set(i, Jaxprs.dropLeading(x));
                }
                checkOperands("scan", Jaxprs.inAvals(sp.body()), bodyIn);
                List<ShapedArray> bodyOut = Jaxprs.outAvals(sp.body());
                List<ShapedArray> out = new ArrayList<>(strong(bodyOut.subList(0, sp.numCarry())));
                for (ShapedArray y : bodyOut.subList(sp.numCarry(), bodyOut.size())) out.add(Jaxprs.withLeading(y.strong(), sp.length()));
                return out;
            })
            .impl((p, in) -> scanImpl((ScanParams) p, in))
            .jvp(ControlPrimitives::scanJvp)
            .transpose(ControlPrimitives::scanTranspose)
            .batch(ControlPrimitives::scanBatch);

    private static List<Array> scanImpl(ScanParams sp, List<ArrayImpl> in) {
        int nC = sp.numConsts(), nK = sp.numCarry();
        List<Array> consts = new ArrayList<>(in.subList(0, nC));
        List<Array> carry = new ArrayList<>(in.subList(nC, nC + nK));
        List<ArrayImpl> xs = in.subList(nC + nK, in.size());
        List<ShapedArray> bodyOut = Jaxprs.outAvals(sp.body());
        List<ArrayImpl> ys = new ArrayList<>();
        for (ShapedArray y : bodyOut.subList(nK, bodyOut.size())) ys.add(ArrayImpl.allocate(Jaxprs.withLeading(y.strong(), sp.length())));
        for (int step = 0; step < sp.length(); step++) {
            int i = sp.reverse() ? sp.length() - 1 - step : step;
            List<Array> args = new ArrayList<>(consts);
            args.addAll(carry);
            for (ArrayImpl x : xs) args.add(sliceLeading(x, i));
            List<Array> outs = EvalTrace.INSTANCE.run(() -> Jaxprs.eval(sp.body(), args));
            carry = new ArrayList<>(outs.subList(0, nK));
            for (int j = 0; j < ys.size(); j++) writeLeading(ys.get(j), i, (ArrayImpl) outs.get(nK + j));
        }
        return concat(carry, ys);
    }

    private static Primitive.JvpResult scanJvp(Params p, List<Array> primals, List<Array> tangents) {
        ScanParams sp = (ScanParams) p;
        int nC = sp.numConsts(), nK = sp.numCarry(), nX = sp.numXs(), n = nC + nK + nX;
        List<ShapedArray> bodyIn = Jaxprs.inAvals(sp.body()), bodyOut = Jaxprs.outAvals(sp.body());
        boolean[] nz = new boolean[n];
        for (int i = 0; i < n; i++) nz[i] = i >= nC && i < nC + nK ? bodyIn.get(i).dtype().isFloating() : tangents.get(i) != null;
        boolean[] keep = new boolean[bodyOut.size()];
        Arrays.fill(keep, 0, nK, true);
        boolean[] withT = floating(bodyOut);
        ClosedJaxpr jb = Jaxprs.jvp(sp.body(), nz, keep, withT);
        // jvp inputs are [primals..., tangents...]; the scan wants [pC, tC, pK, tK, pX, tX]
        int[] groups = {0, nC, nC + nK, n};
        List<Integer> order = new ArrayList<>();
        List<Array> ops = new ArrayList<>();
        int[] counts = new int[3];
        int tStart = n;
        for (int g = 0; g < 3; g++) {
            for (int i = groups[g]; i < groups[g + 1]; i++) {
                order.add(i);
                ops.add(primals.get(i));
            }
            int t = tStart;
            for (int i = groups[g]; i < groups[g + 1]; i++) {
                if (!nz[i]) continue;
                order.add(t++);
                Array ti = tangents.get(i);
                ShapedArray aval = primals.get(i).aval().strong();
                ops.add(ti != null ? Jaxprs.matchAval(ti, aval) : Linearize.zeros(aval));
                counts[g]++;
            }
            tStart = t;
        }
        ClosedJaxpr body = Jaxprs.permuteInputs(jb, order.stream().mapToInt(Integer::intValue).toArray());
        List<Array> primalOut = SCAN.bind(p, primals);
        List<Array> out = SCAN.bind(new ScanParams(body, nC + counts[0], nK + counts[1], sp.length(), sp.reverse()), ops);
        return new Primitive.JvpResult(primalOut, spread(out.subList(nK, out.size()), withT));
    }

    /**
     * Transposes a scan that is linear in its undefined operands. Carries whose initial value is
     * defined but whose next value depends on linear inputs (instantiated zero tangents) are linear
     * too (a fixpoint). The other carries are residual: a forward scan recomputes them and stacks
     * their value at each step; then a reverse scan runs the transposed body on those stacked carries,
     * the residual xs and the cotangents, accumulating the cotangents of the linear consts in its carry.
     */
    private static List<Array> scanTranspose(Params p, List<Array> cts, List<Object> operands) {
        ScanParams sp = (ScanParams) p;
        int nC = sp.numConsts(), nK = sp.numCarry(), n = operands.size();
        Jaxpr j = sp.body().jaxpr();
        boolean[] lin = new boolean[n];
        for (int i = 0; i < n; i++) lin[i] = operands.get(i) instanceof UndefinedPrimal;
        for (boolean changed = true; changed; ) {
            changed = false;
            boolean[] dep = Jaxprs.dependsOn(j, lin);
            for (int k = 0; k < nK; k++) {
                if (dep[k] && !lin[nC + k]) {
                    lin[nC + k] = true;
                    changed = true;
                }
            }
        }
        List<Var> resC = new ArrayList<>(), resK = new ArrayList<>(), resX = new ArrayList<>();
        List<Var> linC = new ArrayList<>(), linK = new ArrayList<>(), linX = new ArrayList<>();
        List<Array> resCv = new ArrayList<>(), resKv = new ArrayList<>(), resXv = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Var v = j.invars().get(i);
            boolean isC = i < nC, isK = !isC && i < nC + nK;
            if (lin[i]) (isC ? linC : isK ? linK : linX).add(v);
            else {
                (isC ? resC : isK ? resK : resX).add(v);
                (isC ? resCv : isK ? resKv : resXv).add((Array) operands.get(i));
            }
        }
        // 1. recompute the residual carries forward, stacking the value each step starts from
        List<Array> stackedK = List.of();
        if (!resK.isEmpty()) {
            List<Atom> outs = new ArrayList<>();
            for (int k = 0; k < nK; k++) if (!lin[nC + k]) outs.add(j.outvars().get(k));
            outs.addAll(resK);
            Jaxpr fwd = Jaxprs.dce(j, Vector.ofAll(concat(resC, resK, resX)), outs);
            List<Array> r = SCAN.bind(new ScanParams(new ClosedJaxpr(fwd, sp.body().consts()), resC.size(), resK.size(), sp.length(), sp.reverse()),
                    concat(resCv, resKv, resXv));
            stackedK = r.subList(resK.size(), r.size());
        }
        // 2. the transposed body, scanned in the opposite direction
        List<ShapedArray> outAvals = Jaxprs.outAvals(sp.body());
        List<ShapedArray> yAvals = strong(outAvals.subList(nK, outAvals.size()));
        List<ShapedArray> avals = concat(avalsOf(resC), strong(avalsOf(linC)), strong(avalsOf(linK)), avalsOf(resK), avalsOf(resX), yAvals);
        Jaxpr linJ = new Jaxpr(j.constvars().appendAll(concat(resC, resK, resX)), Vector.ofAll(concat(linC, linK, linX)), j.eqns(), j.outvars());
        boolean[] linFlags = lin;
        ClosedJaxpr bodyT = Jaxprs.traceDerived("transpose of scan", avals, args -> {
            int a = 0;
            List<Array> rc = args.subList(a, a += resC.size()), accC = args.subList(a, a += linC.size());
            List<Array> ctK = args.subList(a, a += linK.size()), k = args.subList(a, a += resK.size());
            List<Array> x = args.subList(a, a += resX.size()), ctY = args.subList(a, args.size());
            List<Array> outCts = new ArrayList<>();
            int m = 0;
            for (int c = 0; c < nK; c++) outCts.add(linFlags[nC + c] ? ctK.get(m++) : null);
            outCts.addAll(ctY);
            List<Array> ctIn = Transpose.backwardPass(linJ, concat(sp.body().consts().toJavaList(), rc, k, x), outCts);
            List<Var> linVars = concat(linC, linK, linX);
            List<Array> result = new ArrayList<>();
            for (int i = 0; i < linVars.size(); i++) {
                ShapedArray aval = linVars.get(i).aval().strong();
                Array ct = ctIn.get(i) != null ? Jaxprs.matchAval(ctIn.get(i), aval) : Linearize.zeros(aval);
                result.add(i < linC.size() ? Lax.add(accC.get(i), ct) : ct);
            }
            return result;
        });
        List<Array> carryCts = new ArrayList<>();
        for (int c = 0; c < nK; c++) if (lin[nC + c]) carryCts.add(Jaxprs.matchAval(cts.get(c), outAvals.get(c).strong()));
        List<Array> ys = new ArrayList<>();
        for (int y = 0; y < yAvals.size(); y++) ys.add(Jaxprs.matchAval(cts.get(nK + y), yAvals.get(y)));
        List<Array> zerosC = new ArrayList<>();
        for (Var v : linC) zerosC.add(Linearize.zeros(v.aval().strong()));
        List<Array> r = SCAN.bind(new ScanParams(bodyT, resC.size(), linC.size() + linK.size(), sp.length(), !sp.reverse()),
                concat(resCv, zerosC, carryCts, stackedK, resXv, ys));
        List<Array> result = new ArrayList<>(n);
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (!lin[i]) result.add(null);
            else {
                Array ct = r.get(k++);
                result.add(operands.get(i) instanceof UndefinedPrimal ? ct : null);
            }
        }
        return result;
    }

    private static Primitive.BatchResult scanBatch(Params p, List<Array> vals, int[] dims) {
        ScanParams sp = (ScanParams) p;
        int size = Batching.batchSize(vals, dims);
        int nC = sp.numConsts(), nK = sp.numCarry(), n = vals.size();
        boolean[] batched = new boolean[n];
        List<Array> ops = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            boolean isK = i >= nC && i < nC + nK;
            batched[i] = isK || dims[i] != Batching.NOT_MAPPED;   // carries are always batched
            int to = i >= nC + nK ? 1 : 0;                         // xs keep their scan axis first
            ops.add(batched[i] ? Batching.moveAxis(vals.get(i), dims[i], to, size) : vals.get(i));
        }
        ClosedJaxpr body = Jaxprs.batch(sp.body(), size, batched);
        List<Array> out = SCAN.bind(new ScanParams(body, nC, nK, sp.length(), sp.reverse()), ops);
        int[] outDims = new int[out.size()];
        for (int i = nK; i < outDims.length; i++) outDims[i] = 1;
        return new Primitive.BatchResult(out, outDims);
    }

    // ================================================================ while
    /** Params of while: the predicate {@code (condConsts..., carry...) -> bool[]} and the body {@code (bodyConsts..., carry...) -> carry}. */
    record WhileParams(ClosedJaxpr cond, int condNConsts, ClosedJaxpr body, int bodyNConsts)
            implements Params, JaxprPrinter.HasJaxprs {
        @Override
        public LinkedHashMap<String, Jaxpr> jaxprs() {
            LinkedHashMap<String, Jaxpr> m = new LinkedHashMap<>();
            m.put("body_jaxpr", body.jaxpr());
            m.put("cond_jaxpr", cond.jaxpr());
            return m;
        }

        @Override
        public String printOther() { return "body_nconsts=" + bodyNConsts + " cond_nconsts=" + condNConsts; }
    }

    static final String WHILE_REVERSE_ERROR = "Reverse-mode differentiation does not work for lax.while_loop or lax.fori_loop "
            + "with dynamic start/stop values. Try using lax.scan, or using fori_loop with static start/stop.";

    // while(cc, bc, init): carry = init; while cond(cc, carry): carry = body(bc, carry)
    static final Primitive WHILE = new Primitive("while")
            .withProperties(Primitive.Property.HIGHER_ORDER)
            .abstractEval((p, in) -> {
                WhileParams wp = (WhileParams) p;
                int nK = in.size() - wp.condNConsts() - wp.bodyNConsts();
                List<ShapedArray> carry = in.subList(in.size() - nK, in.size());
                checkOperands("while", Jaxprs.inAvals(wp.cond()), concat(in.subList(0, wp.condNConsts()), carry));
                checkOperands("while", Jaxprs.inAvals(wp.body()), in.subList(wp.condNConsts(), in.size()));
                return strong(carry);
            })
            .impl((p, in) -> {
                WhileParams wp = (WhileParams) p;
                int nCC = wp.condNConsts(), nBC = wp.bodyNConsts();
                List<Array> cc = new ArrayList<>(in.subList(0, nCC)), bc = new ArrayList<>(in.subList(nCC, nCC + nBC));
                List<Array> carry = new ArrayList<>(in.subList(nCC + nBC, in.size()));
                return EvalTrace.INSTANCE.run(() -> {
                    List<Array> k = carry;
                    while (((ArrayImpl) Jaxprs.eval(wp.cond(), concat(cc, k)).getFirst()).getDouble(0) != 0) {
                        k = Jaxprs.eval(wp.body(), concat(bc, k));
                    }
                    return k;
                });
            })
            .jvp(ControlPrimitives::whileJvp)
            .transpose((p, cts, operands) -> { throw new Jax4jException(WHILE_REVERSE_ERROR); })
            .batch(ControlPrimitives::whileBatch);

    private static Primitive.JvpResult whileJvp(Params p, List<Array> primals, List<Array> tangents) {
        WhileParams wp = (WhileParams) p;
        int nCC = wp.condNConsts(), nBC = wp.bodyNConsts(), nK = primals.size() - nCC - nBC;
        List<Array> primalOut = WHILE.bind(p, primals);
        boolean anyTangent = false;
        for (int i = nCC; i < primals.size(); i++) anyTangent |= tangents.get(i) != null;
        if (!anyTangent) return new Primitive.JvpResult(primalOut, nulls(nK));
        List<ShapedArray> bodyIn = Jaxprs.inAvals(wp.body());
        boolean[] nz = new boolean[nBC + nK];
        for (int i = 0; i < nz.length; i++) nz[i] = i < nBC ? tangents.get(nCC + i) != null : bodyIn.get(i).dtype().isFloating();
        boolean[] keep = new boolean[nK];
        Arrays.fill(keep, true);
        boolean[] withT = floating(bodyIn.subList(nBC, bodyIn.size()));
        ClosedJaxpr jb = Jaxprs.jvp(wp.body(), nz, keep, withT);
        List<Integer> order = new ArrayList<>();
        List<Array> ops = new ArrayList<>(primals.subList(0, nCC));
        List<ShapedArray> tK = new ArrayList<>();
        int t = nBC + nK;
        int[][] groups = {{0, nBC}, {nBC, nBC + nK}};
        int tBC = 0;
        for (int gi = 0; gi < 2; gi++) {
            int[] g = groups[gi];
            for (int i = g[0]; i < g[1]; i++) {
                order.add(i);
                ops.add(primals.get(nCC + i));
            }
            for (int i = g[0]; i < g[1]; i++) {
                if (!nz[i]) continue;
                order.add(t++);
                Array ti = tangents.get(nCC + i);
                ShapedArray aval = bodyIn.get(i).strong();
                ops.add(ti != null ? Jaxprs.matchAval(ti, aval) : Linearize.zeros(aval));
                if (gi == 0) tBC++;
                else tK.add(aval);
            }
        }
        ClosedJaxpr body = Jaxprs.permuteInputs(jb, order.stream().mapToInt(Integer::intValue).toArray());
        ClosedJaxpr cond = Jaxprs.withUnusedInputs(wp.cond(), nCC + nK, tK);
        List<Array> out = WHILE.bind(new WhileParams(cond, nCC, body, nBC + tBC), ops);
        return new Primitive.JvpResult(primalOut, spread(out.subList(nK, out.size()), withT));
    }

    /**
     * Batching: all carries are batched; the loop runs while the predicate holds for any example, and
     * each example's carry only advances while its own predicate holds (a select), as in JAX.
     */
    private static Primitive.BatchResult whileBatch(Params p, List<Array> vals, int[] dims) {
        WhileParams wp = (WhileParams) p;
        int size = Batching.batchSize(vals, dims);
        int nCC = wp.condNConsts(), nBC = wp.bodyNConsts(), n = vals.size(), nK = n - nCC - nBC;
        boolean[] batched = new boolean[n];
        List<Array> ops = new ArrayList<>(n);
        List<ShapedArray> avals = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            batched[i] = i >= nCC + nBC || dims[i] != Batching.NOT_MAPPED;
            Array v = batched[i] ? Batching.moveAxis(vals.get(i), dims[i], 0, size) : vals.get(i);
            ops.add(v);
            avals.add(v.aval());
        }
        boolean[] condFlags = concatFlags(Arrays.copyOfRange(batched, 0, nCC), Arrays.copyOfRange(batched, nCC + nBC, n));
        ClosedJaxpr condB = Jaxprs.batch(wp.cond(), size, condFlags);
        ClosedJaxpr bodyB = Jaxprs.batch(wp.body(), size, Arrays.copyOfRange(batched, nCC, n));
        List<ShapedArray> ccAvals = avals.subList(0, nCC), kAvals = avals.subList(nCC + nBC, n);
        ClosedJaxpr cond = Jaxprs.traceDerived("vmap of while's predicate", concat(ccAvals, kAvals), args -> {
            Array pred = Lax.convertElementType(Jaxprs.eval(condB, args).getFirst(), DType.I32);
            return List.of(Lax.gt(Lax.reduceMax(pred, 0), Lax.scalar(0, DType.I32)));
        });
        ClosedJaxpr body = Jaxprs.traceDerived("vmap of while's body", concat(ccAvals, avals.subList(nCC, n)), args -> {
            List<Array> cc = args.subList(0, nCC), bc = args.subList(nCC, nCC + nBC), k = args.subList(nCC + nBC, args.size());
            Array pred = Jaxprs.eval(condB, concat(cc, k)).getFirst();
            List<Array> next = Jaxprs.eval(bodyB, concat(bc, k));
            List<Array> out = new ArrayList<>(nK);
            for (int i = 0; i < nK; i++) {
                Array which = Lax.broadcastInDim(pred, next.get(i).shape(), new int[]{0});
                out.add(Lax.select(which, next.get(i), k.get(i)));
            }
            return out;
        });
        List<Array> in = concat(ops.subList(0, nCC), ops.subList(0, nCC), ops.subList(nCC, n));
        return new Primitive.BatchResult(WHILE.bind(new WhileParams(cond, nCC, body, nCC + nBC), in), new int[nK]);
    }

    // ================================================================ checkpoint
    /** Params of checkpoint (remat): the function, whose forward pass is recomputed in the backward pass. */
    record CheckpointParams(ClosedJaxpr jaxpr, boolean differentiated) implements Params, JaxprPrinter.HasJaxprs {
        @Override
        public LinkedHashMap<String, Jaxpr> jaxprs() {
            LinkedHashMap<String, Jaxpr> m = new LinkedHashMap<>();
            m.put("jaxpr", jaxpr.jaxpr());
            return m;
        }

        @Override
        public String printOther() { return "differentiated=" + (differentiated ? "True" : "False") + " prevent_cse=True"; }
    }

    // checkpoint(xs) = f(xs); under linearize only xs are residuals, f's forward is recomputed by the transpose
    static final Primitive CHECKPOINT = new Primitive("checkpoint")
            .withProperties(Primitive.Property.HIGHER_ORDER)
            .abstractEval((p, in) -> {
                ClosedJaxpr j = ((CheckpointParams) p).jaxpr();
                checkOperands("checkpoint", Jaxprs.inAvals(j), in);
                return strong(Jaxprs.outAvals(j));
            })
            .impl((p, in) -> EvalTrace.INSTANCE.run(() -> Jaxprs.eval(((CheckpointParams) p).jaxpr(), new ArrayList<>(in))))
            .jvp((p, primals, tangents) -> {
                ClosedJaxpr j = ((CheckpointParams) p).jaxpr();
                List<Array> primalOut = ControlPrimitives.CHECKPOINT.bind(p, primals);
                boolean[] nz = new boolean[primals.size()];
                List<Array> ops = new ArrayList<>(primals);
                for (int i = 0; i < nz.length; i++) {
                    nz[i] = tangents.get(i) != null;
                    if (nz[i]) ops.add(Jaxprs.matchAval(tangents.get(i), primals.get(i).aval().strong()));
                }
                List<ShapedArray> outs = Jaxprs.outAvals(j);
                boolean[] withT = floating(outs);
                if (!Jaxprs.any(withT)) return new Primitive.JvpResult(primalOut, nulls(outs.size()));
                ClosedJaxpr jj = Jaxprs.jvp(j, nz, new boolean[outs.size()], withT);
                return new Primitive.JvpResult(primalOut, spread(ControlPrimitives.CHECKPOINT.bind(new CheckpointParams(jj, true), ops), withT));
            })
            .transpose((p, cts, operands) -> {
                ClosedJaxpr j = ((CheckpointParams) p).jaxpr();
                boolean[] lin = new boolean[operands.size()];
                List<Array> ops = new ArrayList<>();
                for (int i = 0; i < lin.length; i++) {
                    lin[i] = operands.get(i) instanceof UndefinedPrimal;
                    if (!lin[i]) ops.add((Array) operands.get(i));
                }
                ops.addAll(instantiate(cts, Jaxprs.outAvals(j)));
                return spread(ControlPrimitives.CHECKPOINT.bind(new CheckpointParams(Jaxprs.transpose(j, lin), true), ops), lin);
            })
            .batch((p, vals, dims) -> {
                CheckpointParams cp = (CheckpointParams) p;
                int size = Batching.batchSize(vals, dims);
                boolean[] batched = new boolean[vals.size()];
                List<Array> ops = new ArrayList<>();
                for (int i = 0; i < batched.length; i++) {
                    batched[i] = dims[i] != Batching.NOT_MAPPED;
                    ops.add(batched[i] ? Batching.moveAxis(vals.get(i), dims[i], 0, size) : vals.get(i));
                }
                List<Array> out = ControlPrimitives.CHECKPOINT.bind(new CheckpointParams(Jaxprs.batch(cp.jaxpr(), size, batched), cp.differentiated()), ops);
                return new Primitive.BatchResult(out, new int[out.size()]);
            });

    // ================================================================ helpers

    static void checkOperands(String prim, List<ShapedArray> expected, List<ShapedArray> actual) {
        if (expected.size() != actual.size()) {
            throw new Jax4jException(prim + ": the jaxpr takes " + expected.size() + " operands but got " + actual.size());
        }
        for (int i = 0; i < expected.size(); i++) {
            if (!expected.get(i).sameTypeAs(actual.get(i))) {
                throw new Jax4jException(prim + ": operand " + i + " is " + actual.get(i).str() + " but the jaxpr expects " + expected.get(i).str());
            }
        }
    }

    static List<ShapedArray> strong(List<ShapedArray> avals) {
        List<ShapedArray> out = new ArrayList<>(avals.size());
        for (ShapedArray a : avals) out.add(a.strong());
        return out;
    }

    static List<ShapedArray> avalsOf(List<Var> vars) {
        List<ShapedArray> out = new ArrayList<>(vars.size());
        for (Var v : vars) out.add(v.aval());
        return out;
    }

    static List<Array> nulls(int n) {
        List<Array> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(null);
        return out;
    }

    /** Places {@code packed} at the flagged positions, {@code null} elsewhere. */
    static List<Array> spread(List<Array> packed, boolean[] flags) {
        List<Array> out = new ArrayList<>(flags.length);
        int k = 0;
        for (boolean f : flags) out.add(f ? packed.get(k++) : null);
        return out;
    }

    /** Cotangents with zeros for {@code null}, matched to the (strong) avals. */
    static List<Array> instantiate(List<Array> cts, List<ShapedArray> avals) {
        List<Array> out = new ArrayList<>(cts.size());
        for (int i = 0; i < cts.size(); i++) {
            ShapedArray a = avals.get(i).strong();
            out.add(cts.get(i) != null ? Jaxprs.matchAval(cts.get(i), a) : Linearize.zeros(a));
        }
        return out;
    }

    private static boolean[] concatFlags(boolean[] a, boolean[] b) {
        boolean[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static ArrayImpl sliceLeading(ArrayImpl x, int i) {
        ShapedArray aval = Jaxprs.dropLeading(x.aval());
        ArrayImpl out = ArrayImpl.allocate(aval);
        long bytes = aval.size() * aval.dtype().byteSize();
        MemorySegment.copy(x.segment(), i * bytes, out.segment(), 0, bytes);
        return out;
    }

    static void writeLeading(ArrayImpl dst, int i, ArrayImpl src) {
        long bytes = src.aval().size() * src.aval().dtype().byteSize();
        if (src.dtype() != dst.dtype()) {
            throw new IllegalStateException("scan: y of " + src.aval().str() + " does not match the stacked " + dst.aval().str());
        }
        MemorySegment.copy(src.segment(), 0, dst.segment(), i * bytes, bytes);
    }
}
