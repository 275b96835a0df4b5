package io.jax4j.linen;

import io.jax4j.Array;
import io.jax4j.Init;
import io.jax4j.Lax;
import io.jax4j.Np;

/**
 * {@code flax.linen.RMSNorm}: {@code x * rsqrt(mean(x², reductionAxes) + epsilon) * scale} — no mean
 * subtraction and no bias; epsilon 1e-6, reduction and feature axis -1, {@code scale} ones.
 */
public record RMSNorm(double epsilon, boolean useScale, Init.Initializer scaleInit, int[] reductionAxes, int[] featureAxes, String name)
        implements LinenModule, Layer {

    public RMSNorm() { this(1e-6, true, Init.ones(), new int[]{-1}, new int[]{-1}, null); }

    public RMSNorm(double epsilon) { this(epsilon, true, Init.ones(), new int[]{-1}, new int[]{-1}, null); }

    public static Builder builder() { return new Builder(); }

    @Override
    public Array call(Array x) {
        return compact(() -> {
            int[] red = Normalization.canonicalAxes(x.ndim(), reductionAxes);
            int[] feat = Normalization.canonicalAxes(x.ndim(), featureAxes);
            Array meanSquare = Np.mean(Lax.mul(x, x), red, false);
            return Normalization.normalize(this, x, Np.zerosLike(meanSquare), meanSquare, red, feat, epsilon, false, useScale,
                    Init.zeros(), scaleInit);
        });
    }

    public static final class Builder {
        private double epsilon = 1e-6;
        private boolean useScale = true;
        private Init.Initializer scaleInit = Init.ones();
        private int[] reductionAxes = {-1}, featureAxes = {-1};
        private String name;

        public Builder epsilon(double v) { epsilon = v; return this; }
        public Builder useScale(boolean v) { useScale = v; return this; }
        public Builder scaleInit(Init.Initializer v) { scaleInit = v; return this; }
        public Builder reductionAxes(int... v) { reductionAxes = v; return this; }
        public Builder featureAxes(int... v) { featureAxes = v; return this; }
        public Builder name(String v) { name = v; return this; }
        public RMSNorm build() { return new RMSNorm(epsilon, useScale, scaleInit, reductionAxes, featureAxes, name); }
    }
}
