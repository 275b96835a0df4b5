package io.jax4j.core;

import io.jax4j.ShapedArray;

/** Index arithmetic for the reference implementations of movement primitives. */
public final class Indexing {
    private Indexing() {}

    /**
     * For each element of an array of {@code outShape} (row-major), the flat offset into an input
     * addressed by {@code base + sum(index[i] * strides[i])}.
     */
    public static long[] offsets(int[] outShape, long[] strides, long base) {
        long n = 1;
        for (int d : outShape) n *= d;
        long[] out = new long[Math.toIntExact(n)];
        int nd = outShape.length;
        int[] idx = new int[nd];
        long off = base;
        for (int k = 0; k < out.length; k++) {
            out[k] = off;
            for (int ax = nd - 1; ax >= 0; ax--) {
                idx[ax]++;
                off += strides[ax];
                if (idx[ax] < outShape[ax]) break;
                off -= strides[ax] * idx[ax];
                idx[ax] = 0;
            }
        }
        return out;
    }

    /** Gathers {@code src[offsets[k]]} into a new array of {@code outAval}, exactly for every dtype. */
    public static ArrayImpl gather(ArrayImpl src, long[] offsets, ShapedArray outAval) {
        ArrayImpl out = ArrayImpl.allocate(outAval);
        if (src.dtype().isFloating()) {
            for (int k = 0; k < offsets.length; k++) out.setDouble(k, src.getDouble(offsets[k]));
        } else {
            for (int k = 0; k < offsets.length; k++) out.setLong(k, src.getLong(offsets[k]));
        }
        return out;
    }

    /** Unravels a flat row-major index. */
    public static int[] unravel(long flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int i = shape.length - 1; i >= 0; i--) {
            idx[i] = (int) (flat % shape[i]);
            flat /= shape[i];
        }
        return idx;
    }

    public static long ravel(int[] idx, long[] strides) {
        long off = 0;
        for (int i = 0; i < idx.length; i++) off += idx[i] * strides[i];
        return off;
    }
}
