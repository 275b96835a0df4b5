package io.jax4j.prims;

import io.jax4j.Array;
import io.jax4j.ShapedArray;
import io.jax4j.core.ArrayImpl;
import io.jax4j.core.Batching;
import io.jax4j.core.Jax4jException;
import io.jax4j.core.Params;
import io.jax4j.core.Primitive;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * {@code sort}: JAX's variadic sort along one dimension, ordered lexicographically by the first
 * {@code numKeys} operands, the other operands carried along ({@code lax.sort_key_val}).
 *
 * <p>Written for the PRNG ({@code Random.permutation} sorts by random keys, as JAX does). The
 * indexing issue owns sorting; if it defines {@code sort} too, keep one of the two definitions.
 */
public final class Sorting {
    private Sorting() {}

    public record SortParams(int dimension, boolean isStable, int numKeys) implements Params {}

    /** Permutes every operand by the stable order of the keys; tangents follow the same permutation. */
    public static final Primitive SORT = new Primitive("sort")
            .abstractEval((p, in) -> sortAvals((SortParams) p, in))
            .impl((p, in) -> sortImpl((SortParams) p, in))
            .jvp((p, primals, tangents) -> {
                for (int i = 0; i < tangents.size(); i++) {
                    if (tangents.get(i) != null && primals.get(i).dtype().isFloating()) {
                        throw new Jax4jException("sort: differentiating through sort of " + primals.get(i).aval().str()
                                + " needs gather (indexing issue); sort integer operands or apply stopGradient");
                    }
                }
                List<Array> out = Sorting.SORT.bind(p, primals);
                return new Primitive.JvpResult(out, Defs.nulls(out.size()));
            })
            .batch((p, xs, dims) -> {
                SortParams sp = (SortParams) p;
                List<Array> moved = Batching.allAtFront(xs, dims);
                List<Array> out = Sorting.SORT.bind(new SortParams(sp.dimension() + 1, sp.isStable(), sp.numKeys()), moved);
                int[] outDims = new int[out.size()];
                return new Primitive.BatchResult(out, outDims);
            });

    private static List<ShapedArray> sortAvals(SortParams p, List<ShapedArray> in) {
        ShapedArray first = in.getFirst();
        if (p.numKeys() < 1 || p.numKeys() > in.size()) {
            throw new Jax4jException("sort: num_keys=" + p.numKeys() + " must be in [1, " + in.size() + "]");
        }
        if (p.dimension() < 0 || p.dimension() >= Math.max(1, first.ndim())) {
            throw new Jax4jException("sort: dimension " + p.dimension() + " out of range for " + first.str());
        }
        List<ShapedArray> out = new ArrayList<>();
        for (ShapedArray a : in) {
            if (!a.shape().equals(first.shape())) {
                throw new Jax4jException("sort requires operands of one shape, got " + in.stream().map(ShapedArray::str).toList());
            }
            out.add(a.strong());
        }
        return out;
    }

    private static List<Array> sortImpl(SortParams p, List<ArrayImpl> in) {
        List<ShapedArray> avals = sortAvals(p, in.stream().map(ArrayImpl::aval).toList());
        int[] dims = in.getFirst().shape();
        int d = p.dimension(), n = dims.length == 0 ? 1 : dims[d];
        long stride = 1;
        for (int i = d + 1; i < dims.length; i++) stride *= dims[i];
        long outer = n == 0 ? 0 : in.getFirst().size() / ((long) n * stride);
        List<ArrayImpl> outs = new ArrayList<>();
        for (ShapedArray a : avals) outs.add(ArrayImpl.allocate(a));
        Integer[] order = new Integer[n];
        for (long o = 0; o < outer; o++) {
            for (long s = 0; s < stride; s++) {
                long base = o * n * stride + s;
                final long st = stride;
                for (int i = 0; i < n; i++) order[i] = i;
                Comparator<Integer> cmp = (a, b) -> {
                    for (int k = 0; k < p.numKeys(); k++) {
                        int c = compareTotal(in.get(k), base + a * st, base + b * st);
                        if (c != 0) return c;
                    }
                    return 0;
                };
                Arrays.sort(order, cmp); // a stable merge sort
                for (int j = 0; j < in.size(); j++) {
                    ArrayImpl x = in.get(j), r = outs.get(j);
                    for (int i = 0; i < n; i++) {
                        if (x.dtype().isFloating()) r.setDouble(base + i * st, x.getDouble(base + order[i] * st));
                        else r.setLong(base + i * st, x.getLong(base + order[i] * st));
                    }
                }
            }
        }
        return new ArrayList<>(outs);
    }

    /** XLA's total order: -NaN < -inf < ... < -0 < +0 < ... < inf < NaN; integers by value. */
    private static int compareTotal(ArrayImpl x, long i, long j) {
        if (!x.dtype().isFloating()) return Long.compare(x.getLong(i), x.getLong(j));
        return Double.compare(x.getDouble(i), x.getDouble(j));
    }

    /** {@code lax.sort_key_val}: sorts {@code values} by {@code keys} along {@code dimension}, stably. */
    public static List<Array> sortKeyVal(Array keys, Array values, int dimension) {
        return SORT.bind(new SortParams(dimension, true, 1), List.of(keys, values));
    }
}
