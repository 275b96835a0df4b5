package io.jax4j.prims;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Lax;
import io.jax4j.Shape;
import io.jax4j.ShapedArray;
import io.jax4j.core.ArrayImpl;
import io.jax4j.core.Indexing;
import io.jax4j.core.Ints;
import io.jax4j.core.Jax4jException;
import io.jax4j.core.Params;
import io.jax4j.core.Primitive;

import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleBinaryOperator;

/** Reductions over a set of axes: reduce_sum, reduce_max, reduce_min, argmax, argmin. */
public final class Reductions {
    private Reductions() {}

    public record AxesParams(Ints axes) implements Params {}

    public record ArgParams(Ints axes, DType indexDtype) implements Params {}

    /** Σ over axes; linear; transpose: broadcast the cotangent back over the summed axes. */
    public static final Primitive REDUCE_SUM = Defs.defLinear(reducer("reduce_sum", 0, Double::sum),
            (p, ct, ops) -> {
                ShapedArray in = Defs.avalOf(ops.getFirst());
                return List.of(Lax.broadcastInDim(ct.getFirst(), in.dims(), keptAxes(in.ndim(), ((AxesParams) p).axes())));
            });

    /** d max = mean of the tangents at the locations of the maximum (JAX's chooser rule). */
    public static final Primitive REDUCE_MAX = chooserJvp(reducer("reduce_max", Double.NEGATIVE_INFINITY, Elementwise::max));

    public static final Primitive REDUCE_MIN = chooserJvp(reducer("reduce_min", Double.POSITIVE_INFINITY, Elementwise::min));

    /** Index of the first maximum along one axis (NaN counts as the maximum, as in JAX). */
    public static final Primitive ARGMAX = argReducer("argmax", true);

    public static final Primitive ARGMIN = argReducer("argmin", false);

    // ---------------------------------------------------------------- helpers

    static Primitive reducer(String name, double identity, DoubleBinaryOperator combine) {
        Primitive p = new Primitive(name).withProperties(Primitive.Property.REDUCTION);
        p.abstractEval((params, in) -> List.of(reducedAval(name, in.getFirst(), ((AxesParams) params).axes())));
        p.impl((params, in) -> {
            ArrayImpl x = in.getFirst();
            Ints axes = ((AxesParams) params).axes();
            ShapedArray out = reducedAval(name, x.aval(), axes);
            long[] outOffsets = outputOffsets(x.aval(), axes);
            double[] acc = new double[Math.toIntExact(out.size())];
            double init = identity;
            if (x.dtype().isInteger() && Double.isInfinite(identity)) {
                init = identity > 0 ? (x.dtype() == DType.U32 ? 4294967295.0 : Integer.MAX_VALUE)
                        : (x.dtype() == DType.U32 ? 0 : Integer.MIN_VALUE);
            }
            Arrays.fill(acc, init);
            for (int k = 0; k < outOffsets.length; k++) {
                int o = (int) outOffsets[k];
                acc[o] = combine.applyAsDouble(acc[o], x.getDouble(k));
            }
            return List.of(ArrayImpl.ofDoubles(out, acc));
        });
        p.batch((params, xs, dims) -> {
            Ints axes = ((AxesParams) params).axes();
            int b = dims[0];
            int[] shifted = new int[axes.size()];
            int before = 0;
            for (int i = 0; i < axes.size(); i++) {
                shifted[i] = axes.get(i) >= b ? axes.get(i) + 1 : axes.get(i);
                if (axes.get(i) < b) before++;
            }
            return Primitive.BatchResult.single(p.bind1(new AxesParams(Ints.of(shifted)), xs.getFirst()), b - before);
        });
        return p;
    }

    static ShapedArray reducedAval(String name, ShapedArray x, Ints axes) {
        boolean[] reduced = reducedMask(name, x, axes);
        int[] out = new int[x.ndim() - axes.size()];
        for (int i = 0, j = 0; i < x.ndim(); i++) if (!reduced[i]) out[j++] = x.dim(i);
        return new ShapedArray(x.dtype(), Shape.of(out), x.weakType());
    }

    private static boolean[] reducedMask(String name, ShapedArray x, Ints axes) {
        boolean[] reduced = new boolean[x.ndim()];
        for (int i = 0; i < axes.size(); i++) {
            int a = axes.get(i);
            if (a < 0 || a >= x.ndim() || reduced[a]) {
                throw new Jax4jException(name + ": invalid axes " + axes + " for an operand " + x.str());
            }
            reduced[a] = true;
        }
        return reduced;
    }

    /** For each input element (row-major), its output element's flat index. */
    static long[] outputOffsets(ShapedArray x, Ints axes) {
        long[] strides = new long[x.ndim()];
        long acc = 1;
        for (int i = x.ndim() - 1; i >= 0; i--) {
            if (axes.contains(i)) continue;
            strides[i] = acc;
            acc *= x.dim(i);
        }
        return Indexing.offsets(x.dims(), strides, 0);
    }

    static int[] keptAxes(int ndim, Ints axes) {
        int[] kept = new int[ndim - axes.size()];
        for (int i = 0, j = 0; i < ndim; i++) if (!axes.contains(i)) kept[j++] = i;
        return kept;
    }

    /** t_out = Σ(t · [x = ans]) / Σ[x = ans] over the reduced axes. */
    private static Primitive chooserJvp(Primitive p) {
        return p.jvp((params, primals, tangents) -> {
            Array x = primals.getFirst();
            Ints axes = ((AxesParams) params).axes();
            Array ans = p.bind1(params, x);
            Array t = tangents.getFirst();
            if (t == null) return new Primitive.JvpResult(List.of(ans), Defs.nulls(1));
            Array location = Lax.convertElementType(
                    Lax.eq(x, Lax.broadcastInDim(ans, x.shape(), keptAxes(x.ndim(), axes))), x.dtype(), false);
            Array counts = Lax.reduceSum(location, axes.toArray());
            Array tOut = Lax.div(Lax.reduceSum(Lax.mul(t, location), axes.toArray()), counts);
            return new Primitive.JvpResult(List.of(ans), List.of(tOut));
        });
    }

    /** The index array of an argmax/argmin: one axis reduced, which must not be empty (NumPy and JAX raise too). */
    static ShapedArray argAval(String name, ShapedArray x, ArgParams ap) {
        if (ap.axes().size() != 1) throw new Jax4jException(name + " reduces exactly one axis, got " + ap.axes());
        ShapedArray out = reducedAval(name, x, ap.axes()).withDtype(ap.indexDtype()).strong();
        int axis = ap.axes().get(0);
        if (x.dim(axis) == 0) {
            throw new Jax4jException(name + ": axis " + axis + " of " + x.str() + " is empty, and an empty sequence has no "
                    + name + " (NumPy and JAX raise too); reduce over a non-empty axis, or test x.dim(" + axis + ") > 0 first");
        }
        return out;
    }

    private static Primitive argReducer(String name, boolean max) {
        Primitive p = new Primitive(name).withProperties(Primitive.Property.REDUCTION);
        p.abstractEval((params, in) -> List.of(argAval(name, in.getFirst(), (ArgParams) params)));
        p.impl((params, in) -> {
            ArgParams ap = (ArgParams) params;
            ArrayImpl x = in.getFirst();
            int axis = ap.axes().get(0);
            ShapedArray out = argAval(name, x.aval(), ap);
            long[] outOffsets = outputOffsets(x.aval(), ap.axes());
            int n = Math.toIntExact(out.size());
            double[] best = new double[n];
            long[] idx = new long[n];
            boolean[] seen = new boolean[n];
            long[] strides = x.aval().shape().strides();
            for (int k = 0; k < outOffsets.length; k++) {
                int o = (int) outOffsets[k];
                double v = x.getDouble(k);
                long position = (k / strides[axis]) % x.dim(axis);
                boolean better = !seen[o] || (!Double.isNaN(best[o]) && (Double.isNaN(v) || (max ? v > best[o] : v < best[o])));
                if (better) {
                    best[o] = v;
                    idx[o] = position;
                    seen[o] = true;
                }
            }
            return List.of(ArrayImpl.ofLongs(out, idx));
        });
        p.zeroJvp();
        p.batch((params, xs, dims) -> {
            ArgParams ap = (ArgParams) params;
            int b = dims[0];
            int a = ap.axes().get(0);
            int shifted = a >= b ? a + 1 : a;
            return Primitive.BatchResult.single(p.bind1(new ArgParams(Ints.of(shifted), ap.indexDtype()), xs.getFirst()),
                    a < b ? b - 1 : b);
        });
        return p;
    }
}
