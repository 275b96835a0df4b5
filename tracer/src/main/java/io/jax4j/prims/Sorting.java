package io.jax4j.prims;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Lax;
import io.jax4j.ShapedArray;
import io.jax4j.core.ArrayImpl;
import io.jax4j.core.Batching;
import io.jax4j.core.Ints;
import io.jax4j.core.Jax4jException;
import io.jax4j.core.Params;
import io.jax4j.core.Primitive;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.LongBinaryOperator;

/**
 * Order-dependent primitives: the cumulative scans (cumsum, cumprod, cummax, cummin), sort, and
 * reduce_prod. Their JVPs avoid dividing by the primal, so inputs containing zeros differentiate
 * correctly.
 */
public final class Sorting {
    private Sorting() {}

    // ---------------------------------------------------------------- cumulative scans
    public record CumulativeParams(int axis, boolean reverse) implements Params {}

    /** out[i] = Σ_{j ≤ i} x[j] (j ≥ i when reverse); linear; transpose: cumsum in the other direction. */
    public static final Primitive CUMSUM = Defs.defLinear(cumulative("cumsum", Double::sum, Long::sum),
            (p, ct, ops) -> {
                CumulativeParams cp = (CumulativeParams) p;
                return List.of(Lax.cumsum(ct.getFirst(), cp.axis(), !cp.reverse()));
            });

    /**
     * out[i] = Π_{j ≤ i} x[j]. dP[i] = x[i] dP[i-1] + P[i-1] dx[i]: a linear recurrence in the tangent,
     * solved by a log-depth prefix scan of affine maps (no division by x).
     */
    public static final Primitive CUMPROD = cumulative("cumprod", (a, b) -> a * b, (a, b) -> a * b);

    /** d cummax = the tangent at the position of the running maximum (the latest one on ties). */
    public static final Primitive CUMMAX = cumulative("cummax", Elementwise::max, Math::max);

    public static final Primitive CUMMIN = cumulative("cummin", Elementwise::min, Math::min);

    static {
        CUMPROD.jvp((p, primals, tangents) -> {
            CumulativeParams cp = (CumulativeParams) p;
            Array x = primals.getFirst(), t = tangents.getFirst();
            Array out = CUMPROD.bind1(p, x);
            if (t == null) return new Primitive.JvpResult(List.of(out), Defs.nulls(1));
            return new Primitive.JvpResult(List.of(out), List.of(cumprodTangent(x, t, cp.axis(), cp.reverse())));
        });
        CUMMAX.jvp(chooserJvp(CUMMAX));
        CUMMIN.jvp(chooserJvp(CUMMIN));
    }

    private static Primitive cumulative(String name, DoubleBinaryOperator f, LongBinaryOperator fInt) {
        Primitive p = new Primitive(name);
        p.abstractEval((params, in) -> List.of(cumulativeAval(name, (CumulativeParams) params, in.getFirst())));
        p.impl((params, in) -> {
            CumulativeParams cp = (CumulativeParams) params;
            ArrayImpl x = in.getFirst();
            ArrayImpl out = ArrayImpl.allocate(cumulativeAval(name, cp, x.aval()));
            long stride = x.aval().shape().strides()[cp.axis()];
            int n = x.dim(cp.axis());
            boolean floating = x.dtype().isFloating();
            for (long j = 0; j < x.size(); j++) {
                long k = cp.reverse() ? x.size() - 1 - j : j;
                long pos = (k / stride) % n;
                boolean first = cp.reverse() ? pos == n - 1 : pos == 0;
                long prev = cp.reverse() ? k + stride : k - stride;
                if (floating) out.setDouble(k, first ? x.getDouble(k) : f.applyAsDouble(out.getDouble(prev), x.getDouble(k)));
                else out.setLong(k, first ? x.getLong(k) : fInt.applyAsLong(out.getLong(prev), x.getLong(k)));
            }
            return List.of(out);
        });
        p.batch((params, xs, dims) -> {
            CumulativeParams cp = (CumulativeParams) params;
            int b = dims[0];
            var shifted = new CumulativeParams(cp.axis() >= b ? cp.axis() + 1 : cp.axis(), cp.reverse());
            return Primitive.BatchResult.single(p.bind1(shifted, xs.getFirst()), b);
        });
        return p;
    }

    static ShapedArray cumulativeAval(String name, CumulativeParams p, ShapedArray x) {
        if (p.axis() < 0 || p.axis() >= x.ndim()) {
            throw new Jax4jException(name + ": axis " + p.axis() + " is out of range for " + x.str());
        }
        if (x.dtype() == DType.BOOL) throw new Jax4jException(name + ": needs a numeric operand, got " + x.str() + " (convert it to int32)");
        return x;
    }

    /** Hillis–Steele scan of the affine maps y ↦ a·y + b: b[i] += a[i]·b[i-s], a[i] ·= a[i-s], s = 1, 2, 4, ... */
    static Array cumprodTangent(Array x, Array t, int axis, boolean reverse) {
        if (reverse) return Lax.rev(cumprodTangent(Lax.rev(x, axis), Lax.rev(t, axis), axis, false), axis);
        int n = x.dim(axis);
        Array exclusive = shift(Lax.cumprod(x, axis, false), axis, 1, 1);
        Array b = Lax.mul(exclusive, t);
        Array a = x;
        for (int s = 1; s < n; s *= 2) {
            b = Lax.add(b, Lax.mul(a, shift(b, axis, s, 0)));
            a = Lax.mul(a, shift(a, axis, s, 1));
        }
        return b;
    }

    /** {@code x} moved {@code s} places along {@code axis} (towards higher indices when s > 0), filled with {@code fill}. */
    static Array shift(Array x, int axis, int s, double fill) {
        int n = x.dim(axis);
        int[][] config = new int[x.ndim()][];
        for (int i = 0; i < config.length; i++) config[i] = new int[3];
        config[axis][0] = s;
        config[axis][1] = -s;
        if (Math.abs(s) >= n) return Lax.fullLike(x, fill);
        return Lax.pad(x, Lax.scalarLike(x, fill), config);
    }

    /**
     * The running extremum at i was first reached at the latest "record" position j ≤ i (where
     * x[j] = out[j]); t_out[i] = t[j], a gather, so linear in t.
     */
    private static Primitive.JvpRule chooserJvp(Primitive p) {
        return (params, primals, tangents) -> {
            CumulativeParams cp = (CumulativeParams) params;
            Array x = primals.getFirst(), t = tangents.getFirst();
            Array out = p.bind1(params, x);
            if (t == null) return new Primitive.JvpResult(List.of(out), Defs.nulls(1));
            int n = x.dim(cp.axis());
            Array iota = Lax.broadcastedIota(DType.I32, x.shape(), cp.axis());
            Array record = Lax.eq(x, out);
            Array j = cp.reverse()
                    ? Lax.cummin(Lax.select(record, iota, Lax.fullLike(iota, n)), cp.axis(), true)
                    : Lax.cummax(Lax.select(record, iota, Lax.fullLike(iota, -1)), cp.axis(), false);
            Array tOut = Scatter.takeAlongAxis(t, j, cp.axis(), Scatter.GatherScatterMode.CLIP, null);
            return new Primitive.JvpResult(List.of(out), List.of(tOut));
        };
    }

    // ---------------------------------------------------------------- sort
    public record SortParams(int dimension, boolean isStable, int numKeys) implements Params {}

    /**
     * Sorts all operands along {@code dimension} by the lexicographic order of the first
     * {@code numKeys} (floats in total order: -0 before 0, NaN last); always stable here. JVP: sort
     * an iota with the keys and gather the tangents with the resulting permutation.
     */
    public static final Primitive SORT = new Primitive("sort")
            .abstractEval((p, in) -> sortAvals((SortParams) p, in))
            .impl((p, in) -> {
                SortParams sp = (SortParams) p;
                sortAvals(sp, in.stream().map(ArrayImpl::aval).toList());
                ArrayImpl first = in.getFirst();
                List<ArrayImpl> outs = new ArrayList<>();
                for (ArrayImpl x : in) outs.add(ArrayImpl.allocate(x.aval()));
                int n = first.dim(sp.dimension());
                long stride = first.aval().shape().strides()[sp.dimension()];
                Integer[] perm = new Integer[n];
                for (long line = 0; line < first.size(); line++) {
                    if ((line / stride) % Math.max(n, 1) != 0) continue;       // each line starts at position 0
                    final long base = line;
                    for (int i = 0; i < n; i++) perm[i] = i;
                    Arrays.sort(perm, lineOrder(in.subList(0, sp.numKeys()), base, stride));
                    for (int k = 0; k < in.size(); k++) {
                        for (int i = 0; i < n; i++) Indexing.copy(in.get(k), base + perm[i] * stride, outs.get(k), base + i * stride);
                    }
                }
                return new ArrayList<>(outs);
            })
            .jvp((p, primals, tangents) -> {
                SortParams sp = (SortParams) p;
                List<Array> withIota = new ArrayList<>(primals);
                withIota.add(Lax.broadcastedIota(DType.I32, primals.getFirst().shape(), sp.dimension()));
                List<Array> sorted = Sorting.SORT.bind(p, withIota);
                Array perm = sorted.getLast();
                List<Array> ts = new ArrayList<>();
                for (Array t : tangents) {
                    ts.add(t == null ? null : Scatter.takeAlongAxis(t, perm, sp.dimension(), Scatter.GatherScatterMode.CLIP, null));
                }
                return new Primitive.JvpResult(sorted.subList(0, primals.size()), ts);
            })
            .batch((p, xs, dims) -> {
                SortParams sp = (SortParams) p;
                List<Array> outs = Sorting.SORT.bind(new SortParams(sp.dimension() + 1, sp.isStable(), sp.numKeys()), Batching.allAtFront(xs, dims));
                int[] zeros = new int[outs.size()];
                return new Primitive.BatchResult(outs, zeros);
            });

    /** {@code lax.sort_key_val}: sorts {@code values} by {@code keys} along {@code dimension}, stably (used by Random). */
    public static List<Array> sortKeyVal(Array keys, Array values, int dimension) {
        return SORT.bind(new SortParams(dimension, true, 1), List.of(keys, values));
    }

    static List<ShapedArray> sortAvals(SortParams p, List<ShapedArray> in) {
        ShapedArray first = in.getFirst();
        if (p.numKeys() < 1 || p.numKeys() > in.size() || p.dimension() < 0 || p.dimension() >= first.ndim()) {
            throw new Jax4jException("sort: dimension " + p.dimension() + " must be an axis of " + first.str() + " and num_keys "
                    + p.numKeys() + " between 1 and the number of operands " + in.size());
        }
        for (ShapedArray a : in) {
            if (!a.shape().equals(first.shape())) {
                throw new Jax4jException("sort: all operands must have one shape, got " + in.stream().map(ShapedArray::str).toList());
            }
        }
        return in;
    }

    private static Comparator<Integer> lineOrder(List<ArrayImpl> keys, long base, long stride) {
        return (i, j) -> {
            for (ArrayImpl k : keys) {
                long a = base + i * stride, b = base + j * stride;
                int c = k.dtype().isFloating() ? Double.compare(k.getDouble(a), k.getDouble(b)) : Long.compare(k.getLong(a), k.getLong(b));
                if (c != 0) return c;
            }
            return 0;
        };
    }

    // ---------------------------------------------------------------- reduce_prod
    /**
     * Π over axes. d Π x = Σ_j (Π_{k&lt;j} x_k)(Π_{k&gt;j} x_k) dx_j: exclusive products from both ends
     * of the flattened reduced axes, so zeros in x are handled (no division).
     */
    public static final Primitive REDUCE_PROD = Reductions.reducer("reduce_prod", 1, (a, b) -> a * b)
            .jvp((p, primals, tangents) -> {
                Ints axes = ((Reductions.AxesParams) p).axes();
                Array x = primals.getFirst(), t = tangents.getFirst();
                Array out = Lax.reduceProd(x, axes.toArray());
                if (t == null) return new Primitive.JvpResult(List.of(out), Defs.nulls(1));
                return new Primitive.JvpResult(List.of(out), List.of(reduceProdTangent(x, t, axes)));
            });

    static Array reduceProdTangent(Array x, Array t, Ints axes) {
        int[] kept = Reductions.keptAxes(x.ndim(), axes);
        int[] perm = new int[x.ndim()];
        int[] shape = new int[kept.length + 1];
        int n = 1;
        for (int i = 0; i < kept.length; i++) {
            perm[i] = kept[i];
            shape[i] = x.dim(kept[i]);
        }
        for (int i = 0; i < axes.size(); i++) {
            perm[kept.length + i] = axes.get(i);
            n *= x.dim(axes.get(i));
        }
        shape[kept.length] = n;
        Array xf = Lax.reshape(Lax.transpose(x, perm), shape);
        Array tf = Lax.reshape(Lax.transpose(t, perm), shape);
        if (n == 0) return Lax.reduceSum(tf, kept.length);
        int last = kept.length;
        Array before = shift(Lax.cumprod(xf, last, false), last, 1, 1);
        Array after = shift(Lax.cumprod(xf, last, true), last, -1, 1);
        return Lax.reduceSum(Lax.mul(Lax.mul(before, after), tf), last);
    }
}
