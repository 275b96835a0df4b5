package io.jax4j.linen;

import io.jax4j.Array;
import io.jax4j.Init;
import io.jax4j.Lax;
import io.jax4j.Np;

/** Flax's {@code _compute_stats} and {@code _normalize}, shared by BatchNorm, LayerNorm and GroupNorm. */
final class Normalization {
    private Normalization() {}

    record Stats(Array mean, Array var) {}

    /** Mean and variance over {@code axes}; the fast variance {@code max(0, E[x²] - E[x]²)} as Flax's default. */
    static Stats compute(Array x, int[] axes) { return compute(x, axes, null); }

    /** With {@code axisName}, the means are averaged over that mapped axis' replicas ({@code lax.pmean}), as Flax's {@code axis_name}. */
    static Stats compute(Array x, int[] axes, String axisName) {
        Array mean = Np.mean(x, axes, false);
        Array mean2 = Np.mean(Lax.mul(x, x), axes, false);
        if (axisName != null) {
            mean = Lax.pmean(mean, axisName);
            mean2 = Lax.pmean(mean2, axisName);
        }
        Array var = Np.maximum(Np.subtract(mean2, Lax.mul(mean, mean)), Array.weak(0.0f));
        return new Stats(mean, var);
    }

    /** {@code (x - mean) * rsqrt(var + eps) * scale + bias} with scale and bias params of the feature shape. */
    static Array normalize(LinenModule m, Array x, Array mean, Array var, int[] reductionAxes, int[] featureAxes, double epsilon,
                           boolean useBias, boolean useScale, Init.Initializer biasInit, Init.Initializer scaleInit) {
        int[] statsShape = x.shape();
        for (int a : reductionAxes) statsShape[a] = 1;
        int[] featureShape = new int[x.ndim()];
        java.util.Arrays.fill(featureShape, 1);
        int[] reducedFeatureShape = new int[featureAxes.length];
        for (int i = 0; i < featureAxes.length; i++) {
            featureShape[featureAxes[i]] = x.dim(featureAxes[i]);
            reducedFeatureShape[i] = x.dim(featureAxes[i]);
        }
        Array y = Np.subtract(x, Np.reshape(mean, statsShape));
        Array mul = Lax.rsqrt(Np.add(Np.reshape(var, statsShape), Array.weak((float) epsilon)));
        if (useScale) mul = Np.multiply(mul, Np.reshape(m.param("scale", scaleInit, reducedFeatureShape), featureShape));
        y = Np.multiply(y, mul);
        if (useBias) y = Np.add(y, Np.reshape(m.param("bias", biasInit, reducedFeatureShape), featureShape));
        return y;
    }

    static int[] canonicalAxes(int ndim, int... axes) {
        int[] out = new int[axes.length];
        for (int i = 0; i < axes.length; i++) out[i] = axes[i] < 0 ? axes[i] + ndim : axes[i];
        java.util.Arrays.sort(out);
        return out;
    }

    static int[] complement(int ndim, int[] axes) {
        return java.util.stream.IntStream.range(0, ndim).filter(i -> java.util.Arrays.stream(axes).noneMatch(a -> a == i)).toArray();
    }
}
