package io.jax4j.prims;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Lax;
import io.jax4j.Shape;
import io.jax4j.ShapedArray;
import io.jax4j.core.ArrayImpl;
import io.jax4j.core.Batching;
import io.jax4j.core.Ints;
import io.jax4j.core.Jax4jException;
import io.jax4j.core.Params;
import io.jax4j.core.Primitive;

import java.util.Arrays;
import java.util.List;

/**
 * Windowed reductions, as in {@code jax/_src/lax/windowed_reductions.py}: reduce_window_sum (linear),
 * reduce_window_max / reduce_window_min (JVP through select_and_gather_add), and the pair
 * select_and_gather_add / select_and_scatter_add, each the other's transpose.
 */
public final class Windows {
    private Windows() {}

    /**
     * The window of every windowed primitive: {@code padding} is (lo, hi) per axis, flattened;
     * positions in the padding and between base-dilated elements hold the reduction's identity.
     */
    public record WindowParams(Ints windowDimensions, Ints windowStrides, Ints padding, Ints baseDilation, Ints windowDilation)
            implements Params {
        /** A plain window: no padding, no dilation. */
        public static WindowParams of(int[] windowDimensions, int[] windowStrides, int[][] padding) {
            int[] ones = new int[windowDimensions.length];
            Arrays.fill(ones, 1);
            return new WindowParams(Ints.of(windowDimensions), Ints.of(windowStrides), Convolution.flatPads(padding), Ints.of(ones),
                    Ints.of(ones));
        }

        @Override
        public String print() {
            return "[base_dilation=" + baseDilation + " padding=" + Convolution.pairs(padding) + " window_dilation=" + windowDilation
                    + " window_dimensions=" + windowDimensions + " window_strides=" + windowStrides + "]";
        }
    }

    /** Which element of a window select_and_gather_add / select_and_scatter_add picks: ge = the maximum, le = the minimum. */
    public enum SelectPrim { GE, LE }

    /** The window params plus the selection of the select_and_* primitives. */
    public record SelectParams(SelectPrim selectPrim, WindowParams window) implements Params {
        @Override
        public String print() {
            String w = window.print();
            return "[" + w.substring(1, w.length() - 1) + " select_prim=" + selectPrim.name().toLowerCase(java.util.Locale.ROOT) + "]";
        }
    }

    // ---------------------------------------------------------------- reduce_window_sum

    /** y[o] = Σ_w x[o·s + w·wd − lo] (base-dilated coordinates); linear; transpose: a reduce_window_sum of the padded, dilated cotangent. */
    public static final Primitive REDUCE_WINDOW_SUM = Defs.defLinear(reduceWindow("reduce_window_sum", Reducer.SUM),
            (p, ct, ops) -> List.of(reduceWindowSumTranspose((WindowParams) p, ct.getFirst(), Defs.avalOf(ops.getFirst()))));

    /** y[o] = max_w x[...]; d y = the tangent at the (first) maximum of each window: select_and_gather_add(ge). */
    public static final Primitive REDUCE_WINDOW_MAX = chooser(reduceWindow("reduce_window_max", Reducer.MAX), SelectPrim.GE);

    /** y[o] = min_w x[...]; d y = select_and_gather_add(le). */
    public static final Primitive REDUCE_WINDOW_MIN = chooser(reduceWindow("reduce_window_min", Reducer.MIN), SelectPrim.LE);

    /**
     * JAX's _reduce_window_sum_transpose_rule: pad the cotangent by _conv_general_vjp_lhs_padding with
     * interior padding stride − 1, then sum windows with strides = base_dilation. Here the padding and
     * the interior padding are the params (padding, base_dilation) of that second reduce_window_sum.
     */
    private static Array reduceWindowSumTranspose(WindowParams p, Array ct, ShapedArray operand) {
        int[] pads2 = new int[p.padding().size()];
        int[][] pads = Convolution.vjpLhsPadding(operand.dims(), p.windowDimensions().toArray(), p.windowStrides().toArray(), ct.shape(),
                p.padding(), p.baseDilation().toArray(), p.windowDilation().toArray());
        for (int d = 0; d < pads.length; d++) {
            pads2[2 * d] = pads[d][0];
            pads2[2 * d + 1] = pads[d][1];
        }
        WindowParams tp = new WindowParams(p.windowDimensions(), p.baseDilation(), Ints.of(pads2), p.windowStrides(), p.windowDilation());
        Array r = REDUCE_WINDOW_SUM.bind1(tp, ct);
        if (!Arrays.equals(r.shape(), operand.dims())) {
            throw new IllegalStateException("reduce_window_sum transpose: got " + r.aval().str() + " for operand " + operand.str());
        }
        return r;
    }

    // ---------------------------------------------------------------- select_and_gather_add / select_and_scatter_add

    /**
     * select_and_gather_add(tangents, operand): for each window, the tangent at the position that
     * select_prim picks in operand (the first max for ge). Linear in tangents; transpose:
     * select_and_scatter_add.
     */
    public static final Primitive SELECT_AND_GATHER_ADD = new Primitive("select_and_gather_add");

    /**
     * select_and_scatter_add(source, operand): each window's source value added at the position that
     * select_prim picks in operand; the result has operand's shape. Linear in source; transpose:
     * select_and_gather_add. (Unlike XLA's op, it takes base and window dilation, so that it is the
     * exact transpose of select_and_gather_add without pad/slice.)
     */
    public static final Primitive SELECT_AND_SCATTER_ADD = new Primitive("select_and_scatter_add");

    static {
        SELECT_AND_GATHER_ADD
                .abstractEval((p, in) -> {
                    SelectParams sp = (SelectParams) p;
                    checkSameType("select_and_gather_add", in.get(0), in.get(1));
                    return List.of(in.get(0).withShape(windowedShape("select_and_gather_add", sp.window(), in.get(1))));
                })
                .impl((p, in) -> List.of(selectAndGather((SelectParams) p, in.get(0), in.get(1))))
                .jvp(linearInFirst(SELECT_AND_GATHER_ADD))
                .transpose((p, ct, ops) -> Arrays.asList(
                        SELECT_AND_SCATTER_ADD.bind1(p, ct.getFirst(), (Array) ops.get(1)), null))
                .batch(selectBatch(SELECT_AND_GATHER_ADD));
        SELECT_AND_SCATTER_ADD
                .abstractEval((p, in) -> {
                    SelectParams sp = (SelectParams) p;
                    ShapedArray src = in.get(0), operand = in.get(1);
                    if (src.dtype() != operand.dtype()) {
                        throw new Jax4jException("select_and_scatter_add requires source and operand of one dtype, got " + src.str()
                                + " and " + operand.str());
                    }
                    Shape expected = windowedShape("select_and_scatter_add", sp.window(), operand);
                    if (!expected.equals(src.shape())) {
                        throw new Jax4jException("select_and_scatter_add: source " + src.str() + " must have the windowed shape "
                                + expected + " of operand " + operand.str());
                    }
                    return List.of(new ShapedArray(src.dtype(), operand.shape(), src.weakType()));
                })
                .impl((p, in) -> List.of(selectAndScatter((SelectParams) p, in.get(0), in.get(1))))
                .jvp(linearInFirst(SELECT_AND_SCATTER_ADD))
                .transpose((p, ct, ops) -> Arrays.asList(
                        SELECT_AND_GATHER_ADD.bind1(p, ct.getFirst(), (Array) ops.get(1)), null))
                .batch(selectBatch(SELECT_AND_SCATTER_ADD));
    }

    private static void checkSameType(String name, ShapedArray t, ShapedArray operand) {
        if (!t.shape().equals(operand.shape()) || t.dtype() != operand.dtype()) {
            throw new Jax4jException(name + " requires tangents and operand of one shape and dtype, got " + t.str() + " and " + operand.str());
        }
    }

    /** The JVP of a primitive linear in its first operand and constant in the second. */
    private static Primitive.JvpRule linearInFirst(Primitive self) {
        return (p, primals, tangents) -> {
            Array out = self.bind1(p, primals.get(0), primals.get(1));
            Array t = tangents.get(0) == null ? null : self.bind1(p, tangents.get(0), primals.get(1));
            return new Primitive.JvpResult(List.of(out), Arrays.asList(t));
        };
    }

    /** Batch axes to the front (both operands), a window of 1 over them. */
    private static Primitive.BatchRule selectBatch(Primitive self) {
        return (p, xs, dims) -> {
            SelectParams sp = (SelectParams) p;
            List<Array> front = Batching.allAtFront(xs, dims);
            return Primitive.BatchResult.single(self.bind1(new SelectParams(sp.selectPrim(), prependUnit(sp.window(), 0)),
                    front.get(0), front.get(1)), 0);
        };
    }

    private static Primitive chooser(Primitive p, SelectPrim select) {
        return p.jvp((params, primals, tangents) -> {
            Array x = primals.getFirst();
            Array out = p.bind1(params, x);
            Array t = tangents.getFirst() == null ? null
                    : SELECT_AND_GATHER_ADD.bind1(new SelectParams(select, (WindowParams) params), tangents.getFirst(), x);
            return new Primitive.JvpResult(List.of(out), Arrays.asList(t));
        });
    }

    // ---------------------------------------------------------------- shared reduce_window machinery

    enum Reducer { SUM, MAX, MIN }

    private static Primitive reduceWindow(String name, Reducer r) {
        Primitive p = new Primitive(name);
        p.abstractEval((params, in) -> {
            ShapedArray x = in.getFirst();
            if (x.dtype() == DType.BOOL) throw new Jax4jException(name + " requires a numeric operand, got " + x.str());
            return List.of(x.withShape(windowedShape(name, (WindowParams) params, x)));
        });
        p.impl((params, in) -> List.of(reduceWindowImpl(name, r, (WindowParams) params, in.getFirst())));
        p.batch((params, xs, dims) -> Primitive.BatchResult.single(p.bind1(prependUnit((WindowParams) params, dims[0]), xs.getFirst()),
                dims[0]));
        return p;
    }

    /** The params with a size-1, stride-1, unpadded window axis inserted at {@code at} (JAX's _reduce_window_batch_rule). */
    static WindowParams prependUnit(WindowParams p, int at) {
        return new WindowParams(insert(p.windowDimensions(), at, 1), insert(p.windowStrides(), at, 1), insertPair(p.padding(), at),
                insert(p.baseDilation(), at, 1), insert(p.windowDilation(), at, 1));
    }

    private static Ints insert(Ints xs, int at, int v) {
        int[] a = xs.toArray();
        int[] r = new int[a.length + 1];
        for (int i = 0, k = 0; i < r.length; i++) r[i] = i == at ? v : a[k++];
        return Ints.of(r);
    }

    private static Ints insertPair(Ints flat, int at) {
        int[] a = flat.toArray();
        int[] r = new int[a.length + 2];
        System.arraycopy(a, 0, r, 0, 2 * at);
        System.arraycopy(a, 2 * at, r, 2 * at + 2, a.length - 2 * at);
        return Ints.of(r);
    }

    /** The output shape of a window over x: per axis, strideDim(dilated x + lo + hi, dilated window, stride). */
    static Shape windowedShape(String name, WindowParams p, ShapedArray x) {
        int n = x.ndim();
        if (p.windowDimensions().size() != n || p.windowStrides().size() != n || p.padding().size() != 2 * n
                || p.baseDilation().size() != n || p.windowDilation().size() != n) {
            throw new Jax4jException(name + ": the window " + p.print() + " must have one entry per axis of the operand " + x.str());
        }
        int[] out = new int[n];
        for (int d = 0; d < n; d++) {
            int w = p.windowDimensions().get(d), s = p.windowStrides().get(d), bd = p.baseDilation().get(d), wd = p.windowDilation().get(d);
            if (w < 1 || s < 1 || bd < 1 || wd < 1) {
                throw new Jax4jException(name + ": window dimensions, strides and dilations must be positive, got " + p.print());
            }
            int padded = Convolution.dilateDim(x.dim(d), bd) + p.padding().get(2 * d) + p.padding().get(2 * d + 1);
            if (padded < 0) throw new Jax4jException(name + ": negative padding " + Convolution.pairs(p.padding()) + " larger than " + x.str());
            out[d] = Convolution.strideDim(padded, Convolution.dilateDim(w, wd), s);
        }
        return Shape.of(out);
    }

    /** Per axis, for each (output index, window index): the input index read, or -1 on padding or a dilation hole. */
    static int[] axisTaps(int in, int window, int out, int stride, int lo, int baseDilation, int windowDilation) {
        int[] t = new int[out * window];
        for (int o = 0; o < out; o++) {
            for (int w = 0; w < window; w++) {
                int pos = o * stride + w * windowDilation - lo;
                int i = pos < 0 || pos % baseDilation != 0 ? -1 : pos / baseDilation;
                t[o * window + w] = i >= in ? -1 : i;
            }
        }
        return t;
    }

    /** The product of per-axis tap tables: [out flat index × window flat index] -> input flat index or -1. */
    static int[] combineTaps(int[][] perDim, int[] inShape, int[] winShape, int[] outShape) {
        int nd = inShape.length;
        int outSize = Convolution.prod(outShape), winSize = Convolution.prod(winShape);
        int[] table = new int[outSize * winSize];
        int[] o = new int[nd];
        for (int oi = 0; oi < outSize; oi++) {
            int[] w = new int[nd];
            for (int wi = 0; wi < winSize; wi++) {
                int flat = 0;
                for (int d = 0; d < nd && flat >= 0; d++) {
                    int i = perDim[d][o[d] * winShape[d] + w[d]];
                    flat = i < 0 ? -1 : flat * inShape[d] + i;
                }
                table[oi * winSize + wi] = flat;
                increment(w, winShape);
            }
            increment(o, outShape);
        }
        return table;
    }

    private static void increment(int[] idx, int[] shape) {
        for (int d = idx.length - 1; d >= 0; d--) {
            if (++idx[d] < shape[d]) return;
            idx[d] = 0;
        }
    }

    private static int[] taps(WindowParams p, int[] in, int[] out) {
        int nd = in.length;
        int[][] perDim = new int[nd][];
        for (int d = 0; d < nd; d++) {
            perDim[d] = axisTaps(in[d], p.windowDimensions().get(d), out[d], p.windowStrides().get(d), p.padding().get(2 * d),
                    p.baseDilation().get(d), p.windowDilation().get(d));
        }
        return combineTaps(perDim, in, p.windowDimensions().toArray(), out);
    }

    private static ArrayImpl reduceWindowImpl(String name, Reducer r, WindowParams p, ArrayImpl x) {
        ShapedArray outAval = x.aval().withShape(windowedShape(name, p, x.aval()));
        int outSize = (int) outAval.size(), winSize = Convolution.prod(p.windowDimensions().toArray());
        int[] table = taps(p, x.aval().dims(), outAval.dims());
        double[] xs = x.toDoubles();
        double identity = identity(r, x.dtype());
        double[] y = new double[outSize];
        for (int o = 0; o < outSize; o++) {
            double acc = identity;
            for (int w = 0; w < winSize; w++) {
                int i = table[o * winSize + w];
                double v = i < 0 ? identity : xs[i];
                acc = switch (r) {
                    case SUM -> acc + v;
                    case MAX -> Elementwise.max(acc, v);
                    case MIN -> Elementwise.min(acc, v);
                };
            }
            y[o] = acc;
        }
        return ArrayImpl.ofDoubles(outAval, y);
    }

    /** The identity of the reduction in dtype: 0, −inf / +inf, or the integer extremes. */
    static double identity(Reducer r, DType dtype) {
        return switch (r) {
            case SUM -> 0;
            case MAX -> dtype.isFloating() ? Double.NEGATIVE_INFINITY : (dtype == DType.U32 ? 0 : Integer.MIN_VALUE);
            case MIN -> dtype.isFloating() ? Double.POSITIVE_INFINITY : (dtype == DType.U32 ? 4294967295.0 : Integer.MAX_VALUE);
        };
    }

    /**
     * The input index select_prim picks in window o: the first strictly better element, among the
     * real (non-padding) elements only; -1 if the window holds none.
     */
    private static int selected(SelectPrim sel, double[] operand, int[] table, int o, int winSize) {
        int best = -1;
        double bv = 0;
        for (int w = 0; w < winSize; w++) {
            int i = table[o * winSize + w];
            if (i < 0) continue;
            double v = operand[i];
            if (best < 0 || (sel == SelectPrim.GE ? v > bv : v < bv) || (Double.isNaN(v) && !Double.isNaN(bv))) {
                best = i;
                bv = v;
            }
        }
        return best;
    }

    private static ArrayImpl selectAndGather(SelectParams p, ArrayImpl tangents, ArrayImpl operand) {
        ShapedArray outAval = tangents.aval().withShape(windowedShape("select_and_gather_add", p.window(), operand.aval()));
        int outSize = (int) outAval.size(), winSize = Convolution.prod(p.window().windowDimensions().toArray());
        int[] table = taps(p.window(), operand.aval().dims(), outAval.dims());
        double[] xs = operand.toDoubles(), ts = tangents.toDoubles();
        double[] y = new double[outSize];
        for (int o = 0; o < outSize; o++) {
            int i = selected(p.selectPrim(), xs, table, o, winSize);
            y[o] = i < 0 ? 0 : ts[i];
        }
        return ArrayImpl.ofDoubles(outAval, y);
    }

    private static ArrayImpl selectAndScatter(SelectParams p, ArrayImpl source, ArrayImpl operand) {
        int outSize = (int) source.size(), winSize = Convolution.prod(p.window().windowDimensions().toArray());
        int[] table = taps(p.window(), operand.aval().dims(), source.aval().dims());
        double[] xs = operand.toDoubles(), src = source.toDoubles();
        double[] r = new double[xs.length];
        for (int o = 0; o < outSize; o++) {
            int i = selected(p.selectPrim(), xs, table, o, winSize);
            if (i >= 0) r[i] += src[o];
        }
        return ArrayImpl.ofDoubles(source.aval().withShape(operand.aval().shape()), r);
    }
}
