package io.jax4j.prims;

import io.jax4j.Array;
import io.jax4j.Lax;
import io.jax4j.Shape;
import io.jax4j.ShapedArray;
import io.jax4j.core.ArrayImpl;
import io.jax4j.core.Batching;
import io.jax4j.core.Indexing;
import io.jax4j.core.Ints;
import io.jax4j.core.Jax4jException;
import io.jax4j.core.Params;
import io.jax4j.core.Primitive;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** dot_general: batched tensor contraction, the one GEMM primitive (matmul, einsum, dense layers). */
public final class LinearAlgebra {
    private LinearAlgebra() {}

    /** ((lhs_contracting, rhs_contracting), (lhs_batch, rhs_batch)), as in JAX. */
    public record DotParams(Ints lhsContracting, Ints rhsContracting, Ints lhsBatch, Ints rhsBatch) implements Params {
        @Override
        public String print() {
            return "[dimension_numbers=((" + list(lhsContracting) + ", " + list(rhsContracting) + "), (" + list(lhsBatch) + ", "
                    + list(rhsBatch) + ")) precision=None]";
        }

        private static String list(Ints i) {
            StringBuilder sb = new StringBuilder("[");
            for (int k = 0; k < i.size(); k++) sb.append(k > 0 ? ", " : "").append(i.get(k));
            return sb.append(']').toString();
        }
    }

    /** Output axes: batch, then lhs free, then rhs free. d(x·y) = dx·y + x·dy; transposes are dot_generals. */
    public static final Primitive DOT_GENERAL = new Primitive("dot_general")
            .abstractEval((p, in) -> List.of(dotAval((DotParams) p, in.get(0), in.get(1))))
            .impl((p, in) -> List.of(dotImpl((DotParams) p, in.get(0), in.get(1))))
            .jvp((p, primals, tangents) -> {
                Array x = primals.get(0), y = primals.get(1);
                Array out = Lax.dotGeneral(x, y, (DotParams) p);
                Array t = null;
                if (tangents.get(0) != null) t = Lax.dotGeneral(tangents.get(0), y, (DotParams) p);
                if (tangents.get(1) != null) {
                    Array ty = Lax.dotGeneral(x, tangents.get(1), (DotParams) p);
                    t = t == null ? ty : Lax.add(t, ty);
                }
                return new Primitive.JvpResult(List.of(out), Arrays.asList(t));
            })
            .transpose((p, ct, ops) -> {
                DotParams d = (DotParams) p;
                Array g = ct.getFirst();
                if (Defs.isUndefined(ops.get(0))) {
                    Array y = (Array) ops.get(1);
                    return Arrays.asList(transposeLhs(g, Defs.avalOf(ops.get(0)).ndim(), y, d, false), null);
                }
                Array x = (Array) ops.get(0);
                DotParams swapped = new DotParams(d.rhsContracting(), d.lhsContracting(), d.rhsBatch(), d.lhsBatch());
                return Arrays.asList(null, transposeLhs(g, Defs.avalOf(ops.get(1)).ndim(), x, swapped, true));
            })
            .batch((p, xs, dims) -> batch((DotParams) p, xs, dims));

    static ShapedArray dotAval(DotParams d, ShapedArray x, ShapedArray y) {
        if (x.dtype() != y.dtype()) {
            throw new Jax4jException("dot_general requires operands of one dtype, got " + x.str() + " and " + y.str());
        }
        if (d.lhsContracting().size() != d.rhsContracting().size() || d.lhsBatch().size() != d.rhsBatch().size()) {
            throw new Jax4jException("dot_general: mismatched dimension numbers " + d.print());
        }
        for (int i = 0; i < d.lhsContracting().size(); i++) {
            if (x.dim(d.lhsContracting().get(i)) != y.dim(d.rhsContracting().get(i))) {
                throw new Jax4jException("dot_general: contracting dimensions differ: " + x.str() + " axis " + d.lhsContracting().get(i)
                        + " vs " + y.str() + " axis " + d.rhsContracting().get(i) + " (for matmul: the last axis of the left "
                        + "operand must equal the second-to-last of the right one)");
            }
        }
        for (int i = 0; i < d.lhsBatch().size(); i++) {
            if (x.dim(d.lhsBatch().get(i)) != y.dim(d.rhsBatch().get(i))) {
                throw new Jax4jException("dot_general: batch dimensions differ: " + x.str() + " and " + y.str());
            }
        }
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < d.lhsBatch().size(); i++) out.add(x.dim(d.lhsBatch().get(i)));
        for (int i : free(x.ndim(), d.lhsContracting(), d.lhsBatch())) out.add(x.dim(i));
        for (int i : free(y.ndim(), d.rhsContracting(), d.rhsBatch())) out.add(y.dim(i));
        return new ShapedArray(x.dtype(), Shape.of(out.stream().mapToInt(Integer::intValue).toArray()), x.weakType() && y.weakType());
    }

    static int[] free(int ndim, Ints contracting, Ints batch) {
        return java.util.stream.IntStream.range(0, ndim).filter(i -> !contracting.contains(i) && !batch.contains(i)).toArray();
    }

    /** Lays both operands out as [batch, m, k] and [batch, k, n] and multiplies in double. */
    private static ArrayImpl dotImpl(DotParams d, ArrayImpl x, ArrayImpl y) {
        ShapedArray out = dotAval(d, x.aval(), y.aval());
        int[] xFree = free(x.ndim(), d.lhsContracting(), d.lhsBatch());
        int[] yFree = free(y.ndim(), d.rhsContracting(), d.rhsBatch());
        int[] xPerm = concat(d.lhsBatch().toArray(), xFree, d.lhsContracting().toArray());
        int[] yPerm = concat(d.rhsBatch().toArray(), d.rhsContracting().toArray(), yFree);
        long b = prod(x, d.lhsBatch().toArray()), m = prod(x, xFree), k = prod(x, d.lhsContracting().toArray()), n = prod(y, yFree);
        double[] a = permuted(x, xPerm), c = permuted(y, yPerm);
        double[] r = new double[Math.toIntExact(b * m * n)];
        for (int bi = 0; bi < b; bi++) {
            for (int i = 0; i < m; i++) {
                int rowBase = (int) ((bi * m + i) * n);
                for (int kk = 0; kk < k; kk++) {
                    double av = a[(int) ((bi * m + i) * k + kk)];
                    int cBase = (int) ((bi * k + kk) * n);
                    for (int j = 0; j < n; j++) r[rowBase + j] += av * c[cBase + j];
                }
            }
        }
        return ArrayImpl.ofDoubles(out, r);
    }

    private static double[] permuted(ArrayImpl x, int[] perm) {
        long[] xs = x.aval().shape().strides();
        int[] shape = new int[perm.length];
        long[] strides = new long[perm.length];
        for (int i = 0; i < perm.length; i++) {
            shape[i] = x.dim(perm[i]);
            strides[i] = xs[perm[i]];
        }
        long[] offsets = Indexing.offsets(shape, strides, 0);
        double[] out = new double[offsets.length];
        for (int i = 0; i < offsets.length; i++) out[i] = x.getDouble(offsets[i]);
        return out;
    }

    private static long prod(ArrayImpl x, int[] axes) {
        long p = 1;
        for (int a : axes) p *= x.dim(a);
        return p;
    }

    static int[] concat(int[]... parts) {
        int n = 0;
        for (int[] p : parts) n += p.length;
        int[] out = new int[n];
        int k = 0;
        for (int[] p : parts) for (int v : p) out[k++] = v;
        return out;
    }

    private static int[] range(int start, int len) {
        int[] r = new int[len];
        for (int i = 0; i < len; i++) r[i] = start + i;
        return r;
    }

    /** JAX's _dot_general_transpose_lhs: the cotangent of x from g and y. */
    private static Array transposeLhs(Array g, int xNdim, Array y, DotParams d, boolean swapAns) {
        int[] xContract = d.lhsContracting().toArray(), yContract = d.rhsContracting().toArray();
        int[] xBatch = d.lhsBatch().toArray(), yBatch = d.rhsBatch().toArray();
        int[] xKept = free(xNdim, d.lhsContracting(), d.lhsBatch());
        int[] yKept = free(y.ndim(), d.rhsContracting(), d.rhsBatch());
        int[] ansBatch = range(0, xBatch.length);
        int[] ansY = swapAns ? range(xBatch.length, yKept.length) : range(xBatch.length + xKept.length, yKept.length);
        DotParams dims = new DotParams(Ints.of(ansY), Ints.of(yKept), Ints.of(ansBatch), Ints.of(yBatch));
        Integer[] order = new Integer[yContract.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Integer.compare(yContract[a], yContract[b]));
        int[] xContractSortedByY = new int[xContract.length];
        for (int i = 0; i < order.length; i++) xContractSortedByY[i] = xContract[order[i]];
        int[] pre = concat(xBatch, xKept, xContractSortedByY);
        int[] outAxes = new int[pre.length];
        Integer[] idx = new Integer[pre.length];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        Arrays.sort(idx, (a, b) -> Integer.compare(pre[a], pre[b]));
        for (int i = 0; i < idx.length; i++) outAxes[i] = idx[i];
        return Lax.transpose(Lax.dotGeneral(g, y, dims), outAxes);
    }

    private static Primitive.BatchResult batch(DotParams d, List<Array> xs, int[] dims) {
        Array x = xs.get(0), y = xs.get(1);
        int lb = dims[0], rb = dims[1];
        if (lb != Batching.NOT_MAPPED && rb != Batching.NOT_MAPPED) {
            x = Batching.moveAxis(x, lb, 0, x.dim(lb));
            y = Batching.moveAxis(y, rb, 0, y.dim(rb));
            DotParams nd = new DotParams(shift(d.lhsContracting()), shift(d.rhsContracting()),
                    Ints.of(concat(new int[]{0}, shift(d.lhsBatch()).toArray())), Ints.of(concat(new int[]{0}, shift(d.rhsBatch()).toArray())));
            return Primitive.BatchResult.single(Lax.dotGeneral(x, y, nd), 0);
        }
        if (lb != Batching.NOT_MAPPED) {
            x = Batching.moveAxis(x, lb, 0, x.dim(lb));
            DotParams nd = new DotParams(shift(d.lhsContracting()), d.rhsContracting(), shift(d.lhsBatch()), d.rhsBatch());
            return Primitive.BatchResult.single(Lax.dotGeneral(x, y, nd), d.lhsBatch().size());
        }
        y = Batching.moveAxis(y, rb, 0, y.dim(rb));
        DotParams nd = new DotParams(d.lhsContracting(), shift(d.rhsContracting()), d.lhsBatch(), shift(d.rhsBatch()));
        int lhsFree = x.ndim() - d.lhsContracting().size() - d.lhsBatch().size();
        return Primitive.BatchResult.single(Lax.dotGeneral(x, y, nd), d.lhsBatch().size() + lhsFree);
    }

    private static Ints shift(Ints axes) {
        int[] a = axes.toArray();
        for (int i = 0; i < a.length; i++) a[i]++;
        return Ints.of(a);
    }
}
