package io.jax4j.linen;

import io.jax4j.Array;
import io.jax4j.Init;
import io.jax4j.Lax;
import io.jax4j.Np;

/**
 * {@code flax.linen.Dense}: {@code y = x @ kernel + bias} over the last axis; kernel {@code [in, features]}
 * from {@code kernelInit} (lecun normal), bias from {@code biasInit} (zeros).
 */
public record Dense(int features, boolean useBias, Init.Initializer kernelInit, Init.Initializer biasInit, String name)
        implements LinenModule, Layer {

    public Dense {
        if (features < 1) {
            throw new IllegalArgumentException("Dense" + (name == null ? "" : " '" + name + "'") + ": features must be a positive number of outputs, got "
                    + features + (features == 0 ? " (was Builder.features(...) called?)" : ""));
        }
    }

    public Dense(int features) { this(features, true, Init.lecunNormal(), Init.zeros(), null); }

    public static Builder builder() { return new Builder(); }

    @Override
    public Array call(Array x) {
        return compact(() -> {
            if (x.ndim() == 0) {
                throw new IllegalArgumentException("Dense(" + features + ")" + (name == null ? "" : " '" + name + "'") + ": the input is the scalar "
                        + x.aval().str() + " but Dense contracts the input's last axis; give an input of rank >= 1, e.g. x.reshape(1)");
            }
            int in = x.dim(-1);
            Array kernel = param("kernel", kernelInit, in, features);
            Array y = Lax.dotGeneral(x, kernel, new int[]{x.ndim() - 1}, new int[]{0}, new int[0], new int[0]);
            if (useBias) {
                Array bias = param("bias", biasInit, features);
                y = Np.add(y, bias);
            }
            return y;
        });
    }

    public static final class Builder {
        private int features;
        private boolean useBias = true;
        private Init.Initializer kernelInit = Init.lecunNormal();
        private Init.Initializer biasInit = Init.zeros();
        private String name;

        public Builder features(int f) { this.features = f; return this; }
        public Builder useBias(boolean b) { this.useBias = b; return this; }
        public Builder kernelInit(Init.Initializer i) { this.kernelInit = i; return this; }
        public Builder biasInit(Init.Initializer i) { this.biasInit = i; return this; }
        public Builder name(String n) { this.name = n; return this; }
        public Dense build() { return new Dense(features, useBias, kernelInit, biasInit, name); }
    }
}
