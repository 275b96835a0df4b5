package io.jax4j.xla.internal;

import io.jax4j.DType;
import io.jax4j.ShapedArray;
import io.jax4j.ir.Atom;
import io.jax4j.ir.Eqn;
import io.jax4j.ir.Literal;
import io.jax4j.ir.Var;
import io.jax4j.prims.Reductions;
import io.jax4j.prims.Structural;
import io.jax4j.xla.internal.KernelIR.Compute;
import io.jax4j.xla.internal.KernelIR.Const;
import io.jax4j.xla.internal.KernelIR.Instr;
import io.jax4j.xla.internal.KernelIR.Kernel;
import io.jax4j.xla.internal.KernelIR.Load;
import io.jax4j.xla.internal.KernelIR.Param;
import io.jax4j.xla.internal.KernelIR.Store;
import io.jax4j.xla.internal.KernelPlan.Fused;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * Turns a {@link Fused} step into kernel IR. Values are generated at a {@link View}: the index
 * expressions, in loop symbols, of the element wanted. Elementwise equations pass the view to their
 * operands; movement equations transform it (transpose permutes the axes, broadcast drops the new
 * axes and pins stretched ones to 0, reshape goes through the flat row-major index); buffers are
 * loaded at the view's flat offset. Equal (value, index) pairs are generated once.
 */
public final class KernelBuilder {
    /** Index expressions per axis and/or the flat row-major index; at least one is set. */
    record View(Ix[] axes, Ix flat) {
        static final View SCALAR = new View(new Ix[0], Ix.num(0));

        Ix flat(int[] shape) {
            if (flat != null) return flat;
            long[] strides = strides(shape);
            Ix f = Ix.num(0);
            for (int k = 0; k < shape.length; k++) if (shape[k] != 1) f = Ix.add(f, Ix.mul(axes[k], strides[k]));
            return f;
        }

        Ix[] axes(int[] shape) { return axes != null ? axes : unravel(flat, shape); }
    }

    /** A sum over leading axes keeps at most this many accumulators (per thread, on the stack). */
    static final long COLUMN_ACCUMULATORS = 8192;

    private final FusionPlanner planner;
    private final ToIntFunction<Var> slotOf;
    private final List<Param> params = new ArrayList<>();
    private final Map<Integer, Integer> paramOfSlot = new HashMap<>();
    private List<Instr> body = new ArrayList<>();
    private final List<Instr> mainBody = body;
    private Map<String, Integer> memo = new HashMap<>();
    private int nextId;
    /** In a reduction's epilogue: the reduced value (read as the accumulator), else null. */
    private Var accumulated;
    private int accId = -1;
    /** The values this (elementwise) kernel stores. */
    private java.util.Set<Var> ownRoots = java.util.Set.of();
    /** Slots read at an index other than the kernel's own flat index {@code i}. */
    final Set<Integer> shiftedReads = new HashSet<>();

    KernelBuilder(FusionPlanner planner, ToIntFunction<Var> slotOf) {
        this.planner = planner;
        this.slotOf = slotOf;
    }

    Kernel build(Fused f) {
        List<Store> stores = new ArrayList<>();
        KernelIR.Loop loop;
        if (f.reduce() != null) {
            Eqn red = f.reduce();
            int[] shape = f.domain().dims();
            int[] axes = ((Reductions.AxesParams) red.params()).axes().toArray();
            boolean[] reduced = new boolean[shape.length];
            for (int a : axes) reduced[a] = true;
            int nk = 0;
            for (boolean r : reduced) if (!r) nk++;
            int[] kept = new int[nk], red2 = new int[shape.length - nk];
            for (int k = 0, a = 0, b = 0; k < shape.length; k++) if (reduced[k]) red2[b++] = shape[k]; else kept[a++] = shape[k];
            Ix[] keptIx = unravel(Ix.sym("o"), kept), redIx = unravel(Ix.sym("r"), red2);
            Ix[] ax = new Ix[shape.length];
            // where the reduced axes lie in memory, axes of extent 1 aside (a vmapped or pmapped value's
            // replica axis of 1 must not turn a column reduction into a strided one)
            boolean trailing = true, leading = true;
            int previous = -1;
            for (int k = 0, a = 0, b = 0; k < shape.length; k++) {
                ax[k] = reduced[k] ? redIx[b++] : keptIx[a++];
                if (shape[k] == 1) continue;
                if (previous >= 0 && reduced[previous] && !reduced[k]) trailing = false;
                if (previous >= 0 && !reduced[previous] && reduced[k]) leading = false;
                previous = k;
            }
            long outer = prod(kept), inner = prod(red2);
            boolean sum = red.primitive() == Reductions.REDUCE_SUM && outer <= COLUMN_ACCUMULATORS && inner > 1;
            // reduced axes between kept ones ([replicas, batch, h, w, features] summed over batch, h, w): still
            // rows outside and a vector of accumulators inside, each row read as runs of the trailing kept axes;
            // not with side outputs, which columns store at r * outer + o
            boolean sideOutputs = f.roots().subList(1, f.roots().size()).stream().anyMatch(v -> v.aval().shape().equals(f.domain().shape()));
            boolean middle = !leading && !trailing && sum && !sideOutputs;
            boolean columns = leading && !trailing && sum || middle;
            Ix flat = trailing ? Ix.add(Ix.mul(Ix.sym("o"), inner), Ix.sym("r"))
                    : columns && !middle ? Ix.add(Ix.mul(Ix.sym("r"), outer), Ix.sym("o")) : null;
            int value = emit(red.inputs().head(), new View(ax, flat));
            String op = switch (red.primitive().name()) {
                case "reduce_sum" -> "add";
                case "reduce_max" -> "max";
                default -> "min";
            };
            loop = new KernelIR.Reduction(outer, inner, op, value, red.inputs().head().aval().dtype(), columns);
            stores.add(new Store(param(f.roots().getFirst(), true), -1));
            // elementwise side outputs over the reduction's domain (planner: only for trailing reductions)
            List<Var> epilogueRoots = new ArrayList<>();
            for (Var side : f.roots().subList(1, f.roots().size())) {
                if (!side.aval().shape().equals(f.domain().shape())) {
                    epilogueRoots.add(side);
                    continue;
                }
                stores.add(new Store(param(side, true), flushed(side, emitComputed(side, new View(ax, flat)))));
            }
            // epilogue: elementwise values of the reduced value, computed once per output element after the loop
            List<Instr> epilogue = new ArrayList<>();
            if (!epilogueRoots.isEmpty()) {
                body = epilogue;
                memo = new HashMap<>();
                accumulated = f.roots().getFirst();
                accId = nextId++;
                epilogue.add(new KernelIR.Acc(accId, accumulated.aval().dtype()));
                View at = new View(null, Ix.sym("o"));
                for (Var e : epilogueRoots) stores.add(new Store(param(e, true), flushed(e, emitComputed(e, at))));
                body = mainBody;
            }
            return new Kernel(f.name(), List.copyOf(params), loop, List.copyOf(mainBody), stores, List.copyOf(epilogue));
        } else {
            int[] shape = f.domain().dims();
            long n = f.domain().size();
            int last = shape.length == 0 ? 1 : shape[shape.length - 1];
            View view;
            if (shape.length >= 2 && last >= 8 && n / last >= 4) {
                Ix[] lead = unravel(Ix.sym("o"), java.util.Arrays.copyOf(shape, shape.length - 1));
                Ix[] ax = java.util.Arrays.copyOf(lead, shape.length);
                ax[shape.length - 1] = Ix.sym("j");
                view = new View(ax, Ix.sym("i"));
                loop = new KernelIR.Nested(n / last, last);
            } else {
                view = new View(null, Ix.sym("i"));
                loop = new KernelIR.Flat(n);
            }
            ownRoots = new java.util.HashSet<>(f.roots());
            for (Var root : f.roots()) {
                int id = flushed(root, emitComputed(root, view));
                stores.add(new Store(param(root, true), id));
            }
        }
        return new Kernel(f.name(), List.copyOf(params), loop, List.copyOf(body), stores);
    }

    /**
     * A float value stored for a GEMM or convolution has its denormals flushed to zero: OpenBLAS runs
     * ~100x slower on denormal operands (they appear in gradients late in training), and XLA's CPU
     * backend flushes them too.
     */
    private int flushed(Var v, int id) {
        if (!planner.blasOperands.contains(v) || !v.aval().dtype().isFloating()) return id;
        int out = nextId++;
        body.add(new Compute(out, v.aval().dtype(), "flush_denormal", List.of(id), List.of(v.aval().dtype())));
        return out;
    }

    private int param(Var v, boolean output) {
        int slot = slotOf.applyAsInt(v);
        return paramOfSlot.computeIfAbsent(slot, s -> {
            params.add(new Param(s, v.aval().dtype(), output, false));
            return params.size() - 1;
        });
    }

    private int emit(Atom a, View view) { return run(resolve(a, view, false)); }

    /** Generates {@code v} from its producing equation (v is computed in this kernel). */
    private int emitComputed(Var v, View view) { return run(resolve(v, view, true)); }

    /**
     * Generates the pending computations of {@code first} with an explicit stack, operands before
     * the equation that reads them (what a recursion over the expression would do, without its depth
     * limit: a chain of 100,000 elementwise equations is one expression).
     */
    private int run(Object first) {
        if (first instanceof Integer id) return id;
        java.util.ArrayDeque<Pending> stack = new java.util.ArrayDeque<>();
        stack.push((Pending) first);
        int result = -1;
        while (!stack.isEmpty()) {
            Pending p = stack.peek();
            if (p.args.size() < p.eqn.inputs().size()) {
                Atom in = p.eqn.inputs().get(p.args.size());
                Object r = resolve(in, in.aval().ndim() == 0 && p.shape.length > 0 ? View.SCALAR : p.view, false);
                if (r instanceof Integer id) p.args.add(id);
                else stack.push((Pending) r);
                continue;
            }
            stack.pop();
            List<DType> argTypes = new ArrayList<>();
            for (Atom in : p.eqn.inputs()) argTypes.add(in.aval().dtype());
            int id = nextId++;
            body.add(new Compute(id, p.value.aval().dtype(), p.eqn.primitive().name(), p.args, argTypes));
            memo.put(p.key, id);
            if (stack.isEmpty()) result = id;
            else stack.peek().args.add(id);
        }
        return result;
    }

    /** An elementwise equation being generated at a view: its operands' ids so far. */
    private static final class Pending {
        final Var value;
        final Eqn eqn;
        final View view;
        final int[] shape;
        final String key;
        final List<Integer> args = new ArrayList<>();

        Pending(Var value, Eqn eqn, View view, int[] shape, String key) {
            this.value = value;
            this.eqn = eqn;
            this.view = view;
            this.shape = shape;
            this.key = key;
        }
    }

    /**
     * The id of {@code a} at {@code view} when it is known or needs no operands (a literal, a load, a
     * memoised value), else the {@link Pending} computation of its producer. Movement equations are
     * followed in the loop, transforming the view. {@code computed}: generate {@code a} from its
     * producer even though it has a buffer.
     */
    private Object resolve(Atom a, View view, boolean computed) {
        while (true) {
            if (!computed) {
                if (a instanceof Literal l) {
                    DType t = l.aval().dtype();
                    double value = t.isFloating() ? l.value().getDouble(0) : l.value().getLong(0);
                    return memoised("c" + t + ":" + Double.doubleToRawLongBits(value), id -> new Const(id, t, value));
                }
                Var v = (Var) a;
                if (v.equals(accumulated)) return accId;
                // a result of this kernel, at this kernel's index, is its value, not its (old) buffer
                boolean ownResult = ownRoots.contains(v) && view.flat() instanceof Ix.Sym s && s.name().equals("i");
                if (!ownResult && planner.materialised.contains(v)) {
                    Ix index = view.flat(v.aval().dims());
                    if (!(index instanceof Ix.Sym s && s.name().equals("i"))) shiftedReads.add(slotOf.applyAsInt(v));
                    int p = param(v, false);
                    return memoised("l" + p + ":" + index.render(), id -> new Load(id, v.aval().dtype(), p, index));
                }
            }
            Var v = (Var) a;
            Eqn e = planner.producer.get(v);
            int[] shape = v.aval().dims();
            if (FusionPlanner.kind(e) == FusionPlanner.Kind.MOVEMENT) {
                a = e.inputs().head();
                view = operandView(e, view, shape);
                computed = false;
                continue;
            }
            String key = "v" + v.id() + ":" + view.flat(shape).render();
            Integer known = memo.get(key);
            if (known != null) return known;
            return new Pending(v, e, view, shape, key);
        }
    }

    /** The view of a movement equation's operand, given the view of its result. */
    private static View operandView(Eqn e, View view, int[] outShape) {
        ShapedArray x = e.inputs().head().aval();
        if (e.primitive() == Structural.RESHAPE) {
            Ix[] same = unitAxesOnly(x.dims(), outShape, view);
            return same != null ? new View(same, view.flat()) : new View(null, view.flat(outShape));
        }
        Ix[] out = view.axes(outShape);
        Ix[] in = new Ix[x.ndim()];
        if (e.primitive() == io.jax4j.prims.Indexing.REV) {
            Ix[] in2 = out.clone();
            for (int a : ((io.jax4j.prims.Indexing.RevParams) e.params()).dimensions().toArray()) {
                in2[a] = Ix.add(Ix.num(x.dim(a) - 1L), Ix.mul(out[a], -1));
            }
            return new View(in2, null);
        }
        if (e.primitive() == io.jax4j.prims.Indexing.SLICE) {
            var sp = (io.jax4j.prims.Indexing.SliceParams) e.params();
            for (int k = 0; k < in.length; k++) {
                int stride = sp.strides() == null || sp.strides().size() == 0 ? 1 : sp.strides().get(k);
                in[k] = Ix.add(Ix.num(sp.startIndices().get(k)), Ix.mul(out[k], stride));
            }
            return new View(in, null);
        }
        if (e.primitive() == io.jax4j.prims.Windows.REDUCE_WINDOW_SUM) {
            // an upsampling window sum: each output element is the input element i / w
            var windows = ((io.jax4j.prims.Windows.WindowParams) e.params()).windowDimensions();
            for (int k = 0; k < in.length; k++) in[k] = Ix.div(out[k], windows.get(k));
            return new View(in, null);
        }
        if (e.primitive() == Structural.TRANSPOSE) {
            int[] perm = ((Structural.TransposeParams) e.params()).permutation().toArray();
            for (int k = 0; k < perm.length; k++) in[perm[k]] = out[k];
        } else {
            int[] bd = ((Structural.BroadcastParams) e.params()).broadcastDimensions().toArray();
            for (int k = 0; k < in.length; k++) in[k] = x.dim(k) == 1 ? Ix.num(0) : out[bd[k]];
        }
        return new View(in, null);
    }

    /**
     * The operand's axis indices where a reshape only inserts or drops axes of extent 1 (the axes of
     * extent above 1 are the same, in order): each keeps its index, the unit axes index 0. Null for
     * any other reshape, which goes through the flat index. (An axis index survives this way, so the
     * inner loop's {@code j} stays {@code j} instead of {@code i % n}.)
     */
    private static Ix[] unitAxesOnly(int[] in, int[] out, View view) {
        if (view.axes() == null) return null;
        Ix[] result = new Ix[in.length];
        int k = 0;
        for (int a = 0; a < in.length; a++) {
            if (in[a] == 1) {
                result[a] = Ix.num(0);
                continue;
            }
            while (k < out.length && out[k] == 1) k++;
            if (k == out.length || out[k] != in[a]) return null;
            result[a] = view.axes()[k++];
        }
        while (k < out.length && out[k] == 1) k++;
        return k == out.length ? result : null;
    }

    private int memoised(String key, java.util.function.IntFunction<Instr> make) {
        Integer known = memo.get(key);
        if (known != null) return known;
        int id = nextId++;
        body.add(make.apply(id));
        memo.put(key, id);
        return id;
    }

    /** Axis indices of a flat row-major index {@code f} into {@code shape}. */
    static Ix[] unravel(Ix f, int[] shape) {
        long[] strides = strides(shape);
        Ix[] out = new Ix[shape.length];
        for (int k = 0; k < shape.length; k++) {
            if (shape[k] == 1) out[k] = Ix.num(0);
            else if (k == 0) out[k] = Ix.div(f, strides[k]);
            else out[k] = Ix.mod(Ix.div(f, strides[k]), shape[k]);
        }
        return out;
    }

    static long[] strides(int[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int k = shape.length - 1; k >= 0; k--) {
            s[k] = acc;
            acc *= shape[k];
        }
        return s;
    }

    private static long prod(int[] dims) {
        long p = 1;
        for (int d : dims) p *= d;
        return p;
    }
}
