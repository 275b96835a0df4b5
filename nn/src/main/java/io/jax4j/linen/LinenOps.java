package io.jax4j.linen;

/** Small int-tuple helpers the layers share (Python-style axis normalisation, products, ranges). */
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
}
