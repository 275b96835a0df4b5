package io.jax4j.linen;

import io.jax4j.Array;
import io.jax4j.Init;
import io.jax4j.Lax;
import io.jax4j.Np;
import io.jax4j.core.Jax4jException;
import io.jax4j.prims.Convolution.ConvDimensionNumbers;

/**
 * {@code flax.linen.Conv} on channels-last inputs ({@code NHWC}, batch dims first): kernel
 * {@code kernelSize + [in / groups, features]} (HWIO), padding {@code SAME} (default), {@code VALID} or
 * explicit (lo, hi) pairs, strides, input (lhs) and kernel (rhs) dilation, feature groups, bias.
 */
public record Conv(int features, int[] kernelSize, int[] strides, String padding, int[][] explicitPadding, int[] inputDilation,
                   int[] kernelDilation, int featureGroupCount, boolean useBias, Init.Initializer kernelInit, Init.Initializer biasInit,
                   String name) implements LinenModule, Layer {

    public Conv(int features, int... kernelSize) {
        this(features, kernelSize, null, "SAME", null, null, null, 1, true, Init.lecunNormal(), Init.zeros(), null);
    }

    public static Builder builder() { return new Builder(); }

    @Override
    public Array call(Array x) {
        return compact(() -> {
            int ns = kernelSize.length;
            if (x.ndim() != ns + 2) {
                throw new Jax4jException("Conv: expected an input of rank " + (ns + 2) + " (batch, " + ns + " spatial, features), got " + x.aval().str());
            }
            int in = x.dim(-1);
            if (in % featureGroupCount != 0) {
                throw new Jax4jException("Conv: input features " + in + " are not divisible by featureGroupCount " + featureGroupCount);
            }
            int[] kshape = new int[ns + 2];
            System.arraycopy(kernelSize, 0, kshape, 0, ns);
            kshape[ns] = in / featureGroupCount;
            kshape[ns + 1] = features;
            Array kernel = param("kernel", kernelInit, kshape);
            String lhs = ns == 1 ? "NWC" : ns == 2 ? "NHWC" : "NDHWC";
            String rhs = ns == 1 ? "WIO" : ns == 2 ? "HWIO" : "DHWIO";
            ConvDimensionNumbers dn = ConvDimensionNumbers.of(lhs, rhs, lhs);
            Array y = explicitPadding != null
                    ? Lax.convGeneralDilated(x, kernel, strides, explicitPadding, inputDilation, kernelDilation, dn, featureGroupCount)
                    : Lax.convGeneralDilated(x, kernel, strides, padding, inputDilation, kernelDilation, dn, featureGroupCount);
            if (useBias) y = Np.add(y, param("bias", biasInit, features));
            return y;
        });
    }

    public static final class Builder {
        private int features;
        private int[] kernelSize, strides, inputDilation, kernelDilation;
        private String padding = "SAME";
        private int[][] explicitPadding;
        private int groups = 1;
        private boolean useBias = true;
        private Init.Initializer kernelInit = Init.lecunNormal(), biasInit = Init.zeros();
        private String name;

        public Builder features(int v) { features = v; return this; }
        public Builder kernelSize(int... v) { kernelSize = v; return this; }
        public Builder strides(int... v) { strides = v; return this; }
        public Builder padding(String v) { padding = v; return this; }
        public Builder padding(int[][] v) { explicitPadding = v; return this; }
        public Builder inputDilation(int... v) { inputDilation = v; return this; }
        public Builder kernelDilation(int... v) { kernelDilation = v; return this; }
        public Builder featureGroupCount(int v) { groups = v; return this; }
        public Builder useBias(boolean v) { useBias = v; return this; }
        public Builder kernelInit(Init.Initializer v) { kernelInit = v; return this; }
        public Builder biasInit(Init.Initializer v) { biasInit = v; return this; }
        public Builder name(String v) { name = v; return this; }
        public Conv build() {
            return new Conv(features, kernelSize, strides, padding, explicitPadding, inputDilation, kernelDilation, groups, useBias,
                    kernelInit, biasInit, name);
        }
    }
}
