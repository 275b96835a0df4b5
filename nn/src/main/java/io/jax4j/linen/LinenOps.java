package io.jax4j.linen;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Lax;
import io.jax4j.Nn;
import io.jax4j.Np;

/** Small array helpers the layers share (Python-style axis normalisation, take and flip by exact matmuls). */
final class LinenOps {
    private LinenOps() {}

    /** Flax's {@code _normalize_axes}: negative axes counted from the end, order kept. */
    static int[] normalizeAxes(int[] axes, int ndim) {
        int[] out = new int[axes.length];
        for (int i = 0; i < axes.length; i++) out[i] = axes[i] < 0 ? axes[i] + ndim : axes[i];
        return out;
    }

    static int product(int[] shape) {
        int p = 1;
        for (int d : shape) p *= d;
        return p;
    }

    static int[] concat(int[]... parts) {
        int n = 0;
        for (int[] p : parts) n += p.length;
        int[] out = new int[n];
        int i = 0;
        for (int[] p : parts) for (int v : p) out[i++] = v;
        return out;
    }

    static int[] range(int from, int to) { return java.util.stream.IntStream.range(from, to).toArray(); }

    /**
     * {@code jnp.take(table, ids, axis=0)}: rows of {@code table} as {@code one_hot(ids) @ table}, exact (one
     * non-zero product per output) and differentiable; out-of-range ids give NaN rows as jnp.take's "fill" mode.
     */
    static Array takeRows(Array table, Array ids) {
        int n = table.dim(0);
        Array oneHot = Nn.oneHot(ids, n, table.dtype());
        Array rows = Lax.dotGeneral(oneHot, table, new int[]{oneHot.ndim() - 1}, new int[]{0}, new int[0], new int[0]);
        Array inRange = Np.logicalAnd(Np.greaterEqual(ids, Array.weak(0)), Np.lessEqual(ids, Array.weak(n - 1)));
        Array nan = Lax.fullLike(rows, Double.NaN);
        return Lax.select(Np.broadcastTo(Np.expandDims(inRange, -1), rows.shape()), rows, nan);
    }

    /** {@code jnp.flip(x, axis)} as a product with the exchange matrix (exact: one non-zero term per output). */
    static Array flip(Array x, int axis) {
        int n = x.dim(axis);
        double[] j = new double[n * n];
        for (int i = 0; i < n; i++) j[i * n + (n - 1 - i)] = 1;
        Array exchange = Array.fromDoubles(x.dtype().isFloating() ? x.dtype() : DType.F32, j, n, n);
        Array y = Lax.dotGeneral(x, exchange, new int[]{axis}, new int[]{0}, new int[0], new int[0]);
        int[] perm = new int[x.ndim()];
        for (int d = 0, src = 0; d < x.ndim(); d++) perm[d] = d == axis ? x.ndim() - 1 : src++;
        return Np.transpose(y, perm);
    }
}
