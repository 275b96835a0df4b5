package io.jax4j.linen;

import io.jax4j.Array;
import io.jax4j.Init;
import io.jax4j.Lax;
import io.jax4j.Np;
import io.jax4j.core.Jax4jException;
import io.jax4j.prims.Convolution.ConvDimensionNumbers;

import java.util.Arrays;

/**
 * {@code flax.linen.ConvTranspose} on channels-last inputs: {@code lax.conv_transpose} semantics — the
 * input is dilated by the strides ({@code lhs_dilation}) and convolved with unit window strides, padded
 * for {@code SAME} / {@code VALID} as {@code lax._conv_transpose_padding} does, or with explicit (lo, hi)
 * pairs. Kernel {@code kernelSize + [in, features]} (HWIO); with {@code transposeKernel} it is
 * {@code kernelSize + [features, in]}, spatially flipped and its I/O swapped before the convolution
 * (the gradient of a {@link Conv}). Bias {@code [features]}.
 */
public record ConvTranspose(int features, int[] kernelSize, int[] strides, String padding, int[][] explicitPadding,
                            int[] kernelDilation, boolean useBias, boolean transposeKernel, Init.Initializer kernelInit,
                            Init.Initializer biasInit, String name) implements LinenModule, Layer {

    public ConvTranspose(int features, int... kernelSize) {
        this(features, kernelSize, null, "SAME", null, null, true, false, Init.lecunNormal(), Init.zeros(), null);
    }

    public static Builder builder() { return new Builder(); }

    @Override
    public Array call(Array x) {
        return compact(() -> {
            int ns = kernelSize.length;
            if (x.ndim() != ns + 2) {
                throw new Jax4jException("ConvTranspose: expected an input of rank " + (ns + 2) + " (batch, " + ns
                        + " spatial, features), got " + x.aval().str());
            }
            int[] s = strides == null ? ones(ns) : strides;
            int[] d = kernelDilation == null ? ones(ns) : kernelDilation;
            if (s.length != ns || d.length != ns) {
                throw new Jax4jException("ConvTranspose: strides and kernelDilation need " + ns + " entries, got "
                        + Arrays.toString(s) + " and " + Arrays.toString(d));
            }
            int in = x.dim(-1);
            int[] kshape = Arrays.copyOf(kernelSize, ns + 2);
            kshape[ns] = transposeKernel ? features : in;
            kshape[ns + 1] = transposeKernel ? in : features;
            Array kernel = param("kernel", kernelInit, kshape);
            int[][] pads = explicitPadding != null ? explicitPadding : transposePadding(padding, kernelSize, d, s);
            Array rhs = kernel;
            if (transposeKernel) {
                rhs = Np.flip(rhs, LinenOps.range(0, ns));
                rhs = Np.swapaxes(rhs, ns, ns + 1);
            }
            String lhsSpec = ns == 1 ? "NWC" : ns == 2 ? "NHWC" : "NDHWC";
            String rhsSpec = ns == 1 ? "WIO" : ns == 2 ? "HWIO" : "DHWIO";
            ConvDimensionNumbers dn = ConvDimensionNumbers.of(lhsSpec, rhsSpec, lhsSpec);
            Array y = Lax.convGeneralDilated(x, rhs, ones(ns), pads, s, d, dn, 1);
            if (useBias) y = Np.add(y, param("bias", biasInit, features));
            return y;
        });
    }

    /** {@code lax._conv_transpose_padding} per spatial dim, on the dilated kernel size. */
    static int[][] transposePadding(String padding, int[] kernelSize, int[] dilation, int[] strides) {
        int[][] pads = new int[kernelSize.length][];
        for (int i = 0; i < kernelSize.length; i++) {
            int k = (kernelSize[i] - 1) * dilation[i] + 1, st = strides[i];
            int padLen, padA;
            switch (padding) {
                case "SAME" -> {
                    padLen = k + st - 2;
                    padA = st > k - 1 ? k - 1 : (int) Math.ceil(padLen / 2.0);
                }
                case "VALID" -> {
                    padLen = k + st - 2 + Math.max(k - st, 0);
                    padA = k - 1;
                }
                default -> throw new Jax4jException("ConvTranspose: padding must be SAME, VALID or explicit (lo, hi) pairs, got '" + padding + "'");
            }
            pads[i] = new int[]{padA, padLen - padA};
        }
        return pads;
    }

    private static int[] ones(int n) {
        int[] o = new int[n];
        Arrays.fill(o, 1);
        return o;
    }

    public static final class Builder {
        private int features;
        private int[] kernelSize, strides, kernelDilation;
        private String padding = "SAME";
        private int[][] explicitPadding;
        private boolean useBias = true, transposeKernel;
        private Init.Initializer kernelInit = Init.lecunNormal(), biasInit = Init.zeros();
        private String name;

        public Builder features(int v) { features = v; return this; }
        public Builder kernelSize(int... v) { kernelSize = v; return this; }
        public Builder strides(int... v) { strides = v; return this; }
        public Builder padding(String v) { padding = v; return this; }
        public Builder padding(int[][] v) { explicitPadding = v; return this; }
        public Builder kernelDilation(int... v) { kernelDilation = v; return this; }
        public Builder useBias(boolean v) { useBias = v; return this; }
        public Builder transposeKernel(boolean v) { transposeKernel = v; return this; }
        public Builder kernelInit(Init.Initializer v) { kernelInit = v; return this; }
        public Builder biasInit(Init.Initializer v) { biasInit = v; return this; }
        public Builder name(String v) { name = v; return this; }
        public ConvTranspose build() {
            return new ConvTranspose(features, kernelSize, strides, padding, explicitPadding, kernelDilation, useBias, transposeKernel,
                    kernelInit, biasInit, name);
        }
    }
}
