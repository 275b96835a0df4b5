package io.jax4j.xla.internal;

import io.jax4j.DType;
import io.jax4j.ir.Atom;
import io.jax4j.ir.Eqn;
import io.jax4j.ir.Jaxpr;
import io.jax4j.ir.Var;
import io.jax4j.core.Primitive;
import io.jax4j.prims.LinearAlgebra;
import io.jax4j.prims.Reductions;
import io.jax4j.prims.Structural;
import io.jax4j.xla.internal.KernelPlan.Alias;
import io.jax4j.xla.internal.KernelPlan.Fused;
import io.jax4j.xla.internal.KernelPlan.Gemm;
import io.jax4j.xla.internal.KernelPlan.Host;
import io.jax4j.xla.internal.KernelPlan.Step;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Cuts a (passed) jaxpr into kernel-plan steps with these rules, one function each:
 * <ol>
 * <li>{@link #kind}: elementwise primitives with a C template, broadcast/reshape/transpose/rev/slice
 *     (movement) and reduce_sum/max/min are fusible; f32/f64 dot_general is a GEMM boundary; anything
 *     else (and any f16/bf16 value) runs as a host op with its reference implementation.</li>
 * <li>{@link #materialise}: a value gets a buffer when it is an output of the jaxpr, an operand or
 *     a result of a boundary (GEMM, host op), the result of a reduction, or an elementwise value
 *     that an expanding broadcast would otherwise recompute per output element; and
 *     ({@link #materialiseSharedWindows}) a value several equations read whose expression holds an
 *     upsampling window.</li>
 * <li>Everything else is inlined, as index arithmetic for movement, into the kernels of the
 *     buffers that use it (recomputed if several kernels use it: cheaper than a round trip to memory).</li>
 * <li>{@link #mergeTarget}: buffers over the same domain go into one kernel when all their inputs
 *     are ready before that kernel runs; a reduction kernel holds exactly one reduction.</li>
 * <li>A reshape of a buffer is an {@link Alias}, not a copy.</li>
 * </ol>
 */
public final class FusionPlanner {
    public enum Kind { ELEMENTWISE, MOVEMENT, REDUCE, GEMM, CONV, NATIVE, HOST }

    final Jaxpr jaxpr;
    final Map<Var, Eqn> producer = new HashMap<>();
    final Set<Var> materialised = new HashSet<>();
    /** Float values a GEMM or convolution reads: kernels store them with denormals flushed to zero. */
    final Set<Var> blasOperands = new HashSet<>();
    private final Map<Var, Integer> stepOf = new HashMap<>();
    private final Set<Var> outputs = new HashSet<>();

    /** Rules 4b and 4c: reduction kernels with side outputs and epilogues (when the target renders them). */
    private final boolean reductionOutputs;
    private final boolean directConvolutions;

    public FusionPlanner(Jaxpr jaxpr) { this(jaxpr, true); }

    public FusionPlanner(Jaxpr jaxpr, boolean reductionOutputs) { this(jaxpr, reductionOutputs, ConvSpec.DIRECT_KERNELS); }

    /** {@code directConvolutions}: whether convolutions may take the direct (AVX-512) kernels (never on a GPU). */
    public FusionPlanner(Jaxpr jaxpr, boolean reductionOutputs, boolean directConvolutions) {
        this.directConvolutions = directConvolutions;
        this.jaxpr = jaxpr;
        this.reductionOutputs = reductionOutputs;
        for (Eqn e : jaxpr.eqns()) for (Var v : e.outvars()) producer.put(v, e);
        for (Atom a : jaxpr.outvars()) if (a instanceof Var v) outputs.add(v);
    }

    public static KernelPlan plan(Jaxpr jaxpr) { return new FusionPlanner(jaxpr).run(); }

    /** Rule 1: how an equation is executed. */
    public static Kind kind(Eqn e) {
        Primitive p = e.primitive();
        for (Atom a : e.inputs()) if (!nativeDtype(a.aval().dtype())) return Kind.HOST;
        for (Var v : e.outvars()) if (!nativeDtype(v.aval().dtype())) return Kind.HOST;
        if (p == LinearAlgebra.DOT_GENERAL) {
            // GEMMs read buffers: a literal (scalar) operand is a host op, as is any non-float product
            boolean literalOperand = e.inputs().exists(a -> a instanceof io.jax4j.ir.Literal);
            return e.outvars().head().aval().dtype().isFloating() && !literalOperand ? Kind.GEMM : Kind.HOST;
        }
        boolean allVars = e.inputs().forAll(a -> a instanceof Var);
        if (p == io.jax4j.prims.Convolution.CONV_GENERAL_DILATED) {
            return allVars && e.outvars().head().aval().dtype().isFloating() && ConvLayout.canonical(e) ? Kind.CONV : Kind.HOST;
        }
        if (upsampling(e)) return Kind.MOVEMENT;
        if ((allVars || NativeKernels.takesLiterals(e)) && NativeKernels.supports(e)) return Kind.NATIVE;
        if (p == io.jax4j.prims.RandomPrimitives.BITCAST_CONVERT_TYPE
                && e.inputs().head().aval().dtype().byteSize() == e.outvars().head().aval().dtype().byteSize()) return Kind.ELEMENTWISE;
        if (p == io.jax4j.prims.Indexing.REV) return Kind.MOVEMENT;
        if (p == io.jax4j.prims.Indexing.SLICE && allVars) return Kind.MOVEMENT;
        if (p == Reductions.REDUCE_SUM || p == Reductions.REDUCE_MAX || p == Reductions.REDUCE_MIN) return Kind.REDUCE;
        if (p == Structural.BROADCAST_IN_DIM || p == Structural.RESHAPE || p == Structural.TRANSPOSE) return Kind.MOVEMENT;
        if (p.has(Primitive.Property.ELEMENTWISE) && e.outvars().size() == 1 && CStyleRenderer.supports(e)) {
            return Kind.ELEMENTWISE;
        }
        return Kind.HOST;
    }

    static boolean nativeDtype(DType d) { return d != DType.F16 && d != DType.BF16; }

    /** A window sum that only moves data ({@link NativeKernels#upsampling}): avg_pool's gradient. */
    static boolean upsampling(Eqn e) {
        return e.primitive() == io.jax4j.prims.Windows.REDUCE_WINDOW_SUM && e.inputs().head() instanceof Var
                && NativeKernels.upsampling((io.jax4j.prims.Windows.WindowParams) e.params(), e.inputs().head().aval().dims(),
                e.outvars().head().aval().dims());
    }

    KernelPlan run() {
        materialise();
        List<Step> steps = new ArrayList<>();
        int kernels = 0, natives = 0;
        Map<ConvSpec.Columns, Var> columns = new HashMap<>();
        for (Eqn e : jaxpr.eqns()) {
            Kind k = kind(e);
            if (k == Kind.GEMM || k == Kind.HOST || k == Kind.NATIVE || k == Kind.CONV) {
                steps.add(switch (k) {
                    case GEMM -> new Gemm(e);
                    case NATIVE -> new KernelPlan.Native("n" + natives++, e);
                    case CONV -> conv("c" + natives++, e, columns, directConvolutions);
                    default -> new Host(e);
                });
                for (Var v : e.outvars()) stepOf.put(v, steps.size() - 1);
                continue;
            }
            Var v = e.outvars().head();
            if (!materialised.contains(v)) continue;
            if (e.primitive() == Structural.RESHAPE && e.inputs().head() instanceof Var base
                    && materialised.contains(base) && !outputs.contains(v)) {
                steps.add(new Alias(v, base));
            } else if (k == Kind.REDUCE) {
                steps.add(fused("k" + kernels++, e.inputs().head().aval(), List.of(v), e));
            } else {
                int target = mergeTarget(steps, v);
                if (target < 0) {
                    steps.add(fused("k" + kernels++, v.aval(), List.of(v), null));
                } else {
                    Fused f = (Fused) steps.get(target);
                    List<Var> roots = new ArrayList<>(f.roots());
                    roots.add(v);
                    steps.set(target, fused(f.name(), f.domain(), roots, f.reduce()));
                    stepOf.put(v, target);
                    continue;
                }
            }
            stepOf.put(v, steps.size() - 1);
        }
        return new KernelPlan(jaxpr, steps);
    }

    /** Rule 2: which values get buffers. */
    private void materialise() {
        materialised.addAll(jaxpr.invars().toJavaList());
        materialised.addAll(outputs);
        for (Eqn e : jaxpr.eqns()) {
            Kind k = kind(e);
            if (k == Kind.GEMM || k == Kind.HOST || k == Kind.NATIVE || k == Kind.CONV) {
                for (Atom a : e.inputs()) if (a instanceof Var v) materialised.add(v);
                if (k == Kind.GEMM || k == Kind.CONV) for (Atom a : e.inputs()) if (a instanceof Var v) blasOperands.add(v);
            }
            if (k == Kind.GEMM || k == Kind.HOST || k == Kind.NATIVE || k == Kind.CONV || k == Kind.REDUCE) materialised.addAll(e.outvars().toJavaList());
        }
        // a computed scalar used across a bigger domain is computed once (Adam's bias corrections: pow per step, not per element)
        for (Eqn e : jaxpr.eqns()) {
            if (kind(e) != Kind.ELEMENTWISE || e.outvars().head().aval().ndim() == 0) continue;
            for (Atom a : e.inputs()) {
                if (a instanceof Var v && v.aval().ndim() == 0 && producer.containsKey(v) && kind(producer.get(v)) == Kind.ELEMENTWISE) {
                    materialised.add(v);
                }
            }
        }
        for (Eqn e : jaxpr.eqns()) {
            if ((e.primitive() == Structural.BROADCAST_IN_DIM || upsampling(e)) && e.outvars().head().aval().size() > e.inputs().head().aval().size()
                    && e.inputs().head() instanceof Var v) {
                Var src = throughMovement(v);
                if (src != null) materialised.add(src);
            }
        }
        materialiseSharedWindows();
    }

    /**
     * Rule 2b: a value whose inlined expression holds an upsampling window (avg_pool's gradient) is
     * computed once when several equations read it. Inlined, every consumer's kernel recomputes the
     * window's index arithmetic per element, in its own layout: under a replica axis (pmap on virtual
     * devices) the pooling gradient fed a bias sum, a transposed and a reshaped convolution operand,
     * five kernels that together took longer than the whole one-device step.
     */
    private void materialiseSharedWindows() {
        Map<Var, Integer> uses = new HashMap<>();
        for (Eqn e : jaxpr.eqns()) for (Atom a : e.inputs()) if (a instanceof Var v) uses.merge(v, 1, Integer::sum);
        for (Eqn e : jaxpr.eqns()) {
            Kind k = kind(e);
            if (k != Kind.ELEMENTWISE && k != Kind.MOVEMENT) continue;
            Var v = e.outvars().head();
            if (!materialised.contains(v) && uses.getOrDefault(v, 0) >= 2 && inlinesUpsampling(v)) materialised.add(v);
        }
    }

    /** Whether computing {@code v} inline (through unmaterialised elementwise and movement producers) evaluates an upsampling window. */
    private boolean inlinesUpsampling(Var v) {
        java.util.ArrayDeque<Var> todo = new java.util.ArrayDeque<>(List.of(v));
        Set<Var> seen = new HashSet<>();
        while (!todo.isEmpty()) {
            Var u = todo.pop();
            if (!seen.add(u) || (u != v && materialised.contains(u))) continue;
            Eqn p = producer.get(u);
            if (p == null) continue;
            if (upsampling(p)) return true;
            Kind k = kind(p);
            if (k != Kind.ELEMENTWISE && k != Kind.MOVEMENT) continue;
            for (Atom a : p.inputs()) if (a instanceof Var w) todo.push(w);
        }
        return false;
    }

    /** The computed (elementwise) value a movement chain starts from, or null if it starts at a buffer. */
    private Var throughMovement(Var v) {
        while (!materialised.contains(v)) {
            Eqn p = producer.get(v);
            if (p == null) return null;
            if (kind(p) != Kind.MOVEMENT) return v;
            if (!(p.inputs().head() instanceof Var u)) return null;
            v = u;
        }
        return null;
    }

    /** Rule 4: the earlier elementwise kernel over the same domain that can also compute {@code v}, or -1. */
    private int mergeTarget(List<Step> steps, Var v) {
        int epilogue = reductionOutputs ? epilogueTarget(steps, v) : -1;
        if (epilogue >= 0) return epilogue;
        int ready = -1;
        Set<Var> leaves = leaves(v);
        for (Var leaf : leaves) ready = Math.max(ready, stepOf.getOrDefault(leaf, -1));
        // Rule 4d (multi-output kernels): a value that reads an elementwise kernel's own results at the
        // same index joins that kernel (Adam: mu, nu and the parameter update in one pass)
        if (ready >= 0 && steps.get(ready) instanceof Fused f && f.reduce() == null && f.domain().shape().equals(v.aval().shape())) {
            boolean ok = true;
            int before = -1;
            for (Var leaf : leaves) {
                int s = stepOf.getOrDefault(leaf, -1);
                if (s == ready) ok &= f.roots().contains(leaf) && readsAtSameIndex(v, leaf);
                else before = Math.max(before, s);
            }
            if (ok && before < ready) return ready;
        }
        for (int s = steps.size() - 1; s > ready; s--) {
            if (steps.get(s) instanceof Fused f && (f.reduce() == null || reductionOutputs && trailingReduce(f))
                    && f.domain().shape().equals(v.aval().shape())) return s;
        }
        return -1;
    }

    /**
     * Rule 4b (multi-output kernels): a reduction over trailing axes visits its domain in row-major
     * order, so elementwise values over the same domain are stored from inside its loop (W4's value
     * and gradient in one pass over x).
     */
    private static boolean trailingReduce(Fused f) {
        int[] axes = ((Reductions.AxesParams) f.reduce().params()).axes().toArray();
        int nd = f.domain().ndim();
        java.util.Arrays.sort(axes);
        for (int i = 0; i < axes.length; i++) if (axes[i] != nd - axes.length + i) return false;
        return axes.length > 0;
    }

    /**
     * Rule 4c (reduction epilogues): an elementwise value of a reduction's result, over the result's
     * shape, whose other inputs are ready before the reduction runs, is computed right after the
     * reduction's loop, per output element (mean = sum, then a division, in one kernel).
     */
    private int epilogueTarget(List<Step> steps, Var v) {
        Set<Var> leaves = leaves(v);
        for (Var r : leaves) {
            Integer s = stepOf.get(r);
            if (s == null || !(steps.get(s) instanceof Fused f) || f.reduce() == null || !f.roots().getFirst().equals(r)) continue;
            if (!r.aval().shape().equals(v.aval().shape()) || r.aval().shape().equals(f.domain().shape())) continue;
            boolean ok = true;
            for (Var leaf : leaves) if (!leaf.equals(r) && stepOf.getOrDefault(leaf, -1) >= s) ok = false;
            if (ok && readsAtSameIndex(v, r)) return s;
        }
        return -1;
    }

    /** Whether the inlined expression of {@code v} reads {@code r} only through elementwise equations. */
    private boolean readsAtSameIndex(Var v, Var r) {
        List<Eqn> eqns = new ArrayList<>();
        collect(v, true, new LinkedHashSet<>(), new HashSet<>(), eqns);
        Set<Var> dependent = new HashSet<>(Set.of(r));
        for (Eqn e : eqns) {  // in dependency order
            boolean reads = e.inputs().exists(a -> a instanceof Var u && dependent.contains(u));
            if (!reads) continue;
            if (kind(e) != Kind.ELEMENTWISE) return false;
            dependent.addAll(e.outvars().toJavaList());
        }
        return true;
    }

    /** The buffers an inlined value reads: the materialised values its expression reaches. */
    Set<Var> leaves(Var v) {
        Set<Var> out = new LinkedHashSet<>();
        collect(v, true, out, new HashSet<>(), null);
        return out;
    }

    /**
     * Walks the inlined expression of {@code v} depth first, with an explicit stack (a chain of
     * 100,000 elementwise equations is one expression); adds its buffers to {@code out} in the order
     * first reached and its equations to {@code eqns} in dependency order.
     */
    void collect(Var v, boolean root, Set<Var> out, Set<Var> seen, List<Eqn> eqns) {
        if (!enter(v, root, out, seen)) return;
        java.util.ArrayDeque<Walk> stack = new java.util.ArrayDeque<>();
        stack.push(new Walk(producer.get(v)));
        while (!stack.isEmpty()) {
            Walk w = stack.peek();
            if (w.next < w.eqn.inputs().size()) {
                if (w.eqn.inputs().get(w.next++) instanceof Var u && enter(u, false, out, seen)) stack.push(new Walk(producer.get(u)));
            } else {
                stack.pop();
                if (eqns != null) eqns.add(w.eqn);
            }
        }
    }

    /** An equation whose inputs {@link #collect} is visiting; {@code next} is the next input to visit. */
    private static final class Walk {
        final Eqn eqn;
        int next;

        Walk(Eqn eqn) { this.eqn = eqn; }
    }

    /** Marks {@code v} seen; a buffer (or a jaxpr input) goes to {@code out}. True when its producing equation is to be walked. */
    private boolean enter(Var v, boolean root, Set<Var> out, Set<Var> seen) {
        if (!seen.add(v)) return false;
        if ((!root && materialised.contains(v)) || producer.get(v) == null) {
            out.add(v);
            return false;
        }
        return true;
    }

    private Fused fused(String name, io.jax4j.ShapedArray domain, List<Var> roots, Eqn reduce) {
        Set<Var> reads = new LinkedHashSet<>();
        List<Eqn> eqns = new ArrayList<>();
        Set<Var> seen = new HashSet<>();
        for (Var r : roots) collect(r, true, reads, seen, eqns);
        return new Fused(name, domain, List.copyOf(roots), reduce, eqns, List.copyOf(reads));
    }

    /**
     * A convolution step: when an earlier convolution gathered the same column matrix (in either
     * orientation; a weight gradient's columns are its forward pass's), this one reads those columns
     * in that orientation instead of gathering its own.
     */
    private static KernelPlan.Conv conv(String name, Eqn e, Map<ConvSpec.Columns, Var> columns, boolean directConvolutions) {
        ConvSpec spec = ConvSpec.of(e, directConvolutions);
        io.jax4j.DType dtype = e.outvars().head().aval().dtype();
        boolean columnMatrix = spec.method() == ConvSpec.Method.IM2COL || spec.method() == ConvSpec.Method.IM2COL_TRANSPOSED;
        if (columnMatrix) {
            for (boolean transposed : new boolean[]{spec.transposed(), !spec.transposed()}) {
                ConvSpec.Columns c = ConvSpec.columns(e, transposed);
                Var col = c == null ? null : columns.get(c);
                if (col != null && col.aval().dtype() == dtype) return new KernelPlan.Conv(name, e, col, spec.withColumns(transposed), true);
            }
        }
        Var col = Var.fresh(new io.jax4j.ShapedArray(dtype, io.jax4j.Shape.of((int) spec.colSize())));
        ConvSpec.Columns c = columnMatrix ? ConvSpec.columns(e, spec.transposed()) : null;
        if (c != null) columns.putIfAbsent(c, col);
        return new KernelPlan.Conv(name, e, col, spec, false);
    }
}
