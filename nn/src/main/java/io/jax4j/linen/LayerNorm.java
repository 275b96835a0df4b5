package io.jax4j.linen;

import io.jax4j.Array;
import io.jax4j.Init;

/** {@code flax.linen.LayerNorm}: normalises over the last axis (epsilon 1e-6), then scale and bias. */
public record LayerNorm(double epsilon, boolean useBias, boolean useScale, int[] reductionAxes, int[] featureAxes, String name)
        implements LinenModule, Layer {

    public LayerNorm() { this(1e-6, true, true, new int[]{-1}, new int[]{-1}, null); }

    public LayerNorm(double epsilon) { this(epsilon, true, true, new int[]{-1}, new int[]{-1}, null); }

    public static LayerNorm named(String name, double epsilon) { return new LayerNorm(epsilon, true, true, new int[]{-1}, new int[]{-1}, name); }

    @Override
    public Array call(Array x) {
        return compact(() -> {
            int[] red = Normalization.canonicalAxes(x.ndim(), reductionAxes);
            int[] feat = Normalization.canonicalAxes(x.ndim(), featureAxes);
            Normalization.Stats s = Normalization.compute(x, red);
            int[] keep = x.shape();
            for (int a : red) keep[a] = 1;
            return Normalization.normalize(this, x, s.mean(), s.var(), red, feat, epsilon, useBias, useScale, Init.zeros(), Init.ones());
        });
    }
}
