package io.jax4j;

import io.jax4j.core.Jax4jException;

import java.util.Arrays;

/**
 * Pooling as {@code flax.linen.pooling} does it: inputs are (batch dims..., window dims...,
 * features); the window covers the spatial axes only; an input without batch dims gets one for the
 * reduction. Padding is "VALID" (the default), "SAME" or explicit (lo, hi) pairs per window axis.
 */
public final class Pooling {
    private Pooling() {}

    /** {@code nn.avg_pool(x, window, strides, padding)}: the window sum divided by the window size. */
    public static Array avgPool(Array x, int[] window, int[] strides, String padding) {
        return avgPool(x, window, strides, padding, true);
    }

    /** With {@code countIncludePad=false}, each window's sum is divided by the number of real (unpadded) elements it holds. */
    public static Array avgPool(Array x, int[] window, int[] strides, String padding, boolean countIncludePad) {
        return avg(x, window, strides, padding, null, countIncludePad);
    }

    public static Array avgPool(Array x, int[] window, int[] strides, int[][] padding, boolean countIncludePad) {
        return avg(x, window, strides, null, padding, countIncludePad);
    }

    /** {@code nn.max_pool}: the maximum of each window (padding holds −inf). */
    public static Array maxPool(Array x, int[] window, int[] strides, String padding) {
        return pool(x, Kind.MAX, window, strides, padding, null);
    }

    public static Array maxPool(Array x, int[] window, int[] strides, int[][] padding) {
        return pool(x, Kind.MAX, window, strides, null, padding);
    }

    /** {@code nn.min_pool}: the minimum of each window (padding holds +inf). */
    public static Array minPool(Array x, int[] window, int[] strides, String padding) {
        return pool(x, Kind.MIN, window, strides, padding, null);
    }

    public static Array minPool(Array x, int[] window, int[] strides, int[][] padding) {
        return pool(x, Kind.MIN, window, strides, null, padding);
    }

    /** {@code nn.avg_pool(x, window)}: stride 1, padding "VALID" (Flax's defaults). */
    public static Array avgPool(Array x, int... window) { return avgPool(x, window, ones(window.length), "VALID"); }

    /** {@code nn.avg_pool(x, window, strides)}: padding "VALID". */
    public static Array avgPool(Array x, int[] window, int[] strides) { return avgPool(x, window, strides, "VALID"); }

    /** {@code nn.max_pool(x, window)}: stride 1, padding "VALID" (Flax's defaults). */
    public static Array maxPool(Array x, int... window) { return maxPool(x, window, ones(window.length), "VALID"); }

    /** {@code nn.max_pool(x, window, strides)}: padding "VALID". */
    public static Array maxPool(Array x, int[] window, int[] strides) { return maxPool(x, window, strides, "VALID"); }

    /** {@code nn.min_pool(x, window)}: stride 1, padding "VALID" (Flax's defaults). */
    public static Array minPool(Array x, int... window) { return minPool(x, window, ones(window.length), "VALID"); }

    /** {@code nn.min_pool(x, window, strides)}: padding "VALID". */
    public static Array minPool(Array x, int[] window, int[] strides) { return minPool(x, window, strides, "VALID"); }

    private enum Kind { SUM, MAX, MIN }

    private static Array avg(Array x, int[] window, int[] strides, String padding, int[][] explicit, boolean countIncludePad) {
        Array y = pool(x, Kind.SUM, window, strides, padding, explicit);
        if (countIncludePad) {
            int size = 1;
            for (int w : window) size *= w;
            return Lax.div(y, Lax.scalarLike(y, size));
        }
        int[] divShape = x.shape();
        divShape[divShape.length - 1] = 1;
        if (divShape.length - 2 == window.length) divShape[0] = 1;
        Array counts = pool(Array.ones(x.dtype(), divShape), Kind.SUM, window, strides, padding, explicit);
        return Np.divide(y, counts);
    }

    /** flax's {@code pool}: window (1, ..., window..., 1) and strides (1, ..., strides..., 1). */
    private static Array pool(Array x, Kind kind, int[] window, int[] strides, String padding, int[][] explicit) {
        int numBatchDims = x.ndim() - (window.length + 1);
        String what = kind.name().toLowerCase(java.util.Locale.ROOT) + "_pool(" + x.aval().str() + ", window " + Arrays.toString(window) + ")";
        if (numBatchDims < 0) {
            throw new Jax4jException(what + ": the input needs (batch..., window dims..., features) axes, i.e. at least "
                    + (window.length + 1) + " axes");
        }
        int[] s = strides != null ? strides : ones(window.length);
        if (s.length != window.length) {
            throw new Jax4jException(what + ": strides " + Arrays.toString(s) + " must have one entry per window axis");
        }
        if (explicit != null && explicit.length != window.length) {
            throw new Jax4jException(what + ": padding must give a (lo, hi) pair per window axis, got " + explicit.length);
        }
        boolean single = numBatchDims == 0;
        Array in = single ? Lax.reshape(x, prepend(1, x.shape())) : x;
        int lead = in.ndim() - window.length - 1;
        int[] dims = new int[in.ndim()], st = new int[in.ndim()];
        Arrays.fill(dims, 1);
        Arrays.fill(st, 1);
        System.arraycopy(window, 0, dims, lead, window.length);
        System.arraycopy(s, 0, st, lead, s.length);
        int[][] pads = new int[in.ndim()][2];
        if (explicit != null) {
            for (int i = 0; i < explicit.length; i++) pads[lead + i] = explicit[i].clone();
        } else {
            pads = io.jax4j.prims.Convolution.padtypeToPads(in.shape(), dims, st, padding != null ? padding : "VALID");
        }
        Array y = switch (kind) {
            case SUM -> Lax.reduceWindowSum(in, dims, st, pads, null, null);
            case MAX -> Lax.reduceWindowMax(in, dims, st, pads, null, null);
            case MIN -> Lax.reduceWindowMin(in, dims, st, pads, null, null);
        };
        return single ? Lax.reshape(y, Arrays.copyOfRange(y.shape(), 1, y.ndim())) : y;
    }

    private static int[] ones(int n) {
        int[] r = new int[n];
        Arrays.fill(r, 1);
        return r;
    }

    private static int[] prepend(int v, int[] rest) {
        int[] r = new int[rest.length + 1];
        r[0] = v;
        System.arraycopy(rest, 0, r, 1, rest.length);
        return r;
    }
}
