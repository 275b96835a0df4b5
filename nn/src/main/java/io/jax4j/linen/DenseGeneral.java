package io.jax4j.linen;

import io.jax4j.Array;
import io.jax4j.Init;
import io.jax4j.Lax;
import io.jax4j.Np;
import io.jax4j.core.Jax4jException;

import java.util.Arrays;

import static io.jax4j.linen.LinenOps.concat;
import static io.jax4j.linen.LinenOps.normalizeAxes;
import static io.jax4j.linen.LinenOps.product;
import static io.jax4j.linen.LinenOps.range;

/**
 * {@code flax.linen.DenseGeneral}: contracts the input {@code axis} (one or several) with a kernel of shape
 * {@code batch_shape + [input dims at axis] + features}; the output has the remaining input dims then
 * {@code features}. The kernel is initialised as the 2-D matrix {@code [prod(batch) * prod(in), prod(features)]}
 * and reshaped (so lecun normal's fan-in is the contracted size), the bias ({@code batch_shape + features})
 * likewise — exactly Flax's layout, so the attention projections ({@code [in, heads, head_dim]}) and the
 * output projection ({@code [heads, head_dim, features]}) load from Flax variables.
 */
public record DenseGeneral(int[] features, int[] axis, int[] batchDims, boolean useBias, Init.Initializer kernelInit,
                           Init.Initializer biasInit, String name) implements LinenModule, Layer {

    public DenseGeneral {
        if (features == null || features.length == 0) throw new Jax4jException("DenseGeneral: features must be given (one or more sizes)");
        features = features.clone();
        axis = axis == null ? new int[]{-1} : axis.clone();
        batchDims = batchDims == null ? new int[0] : batchDims.clone();
    }

    /** {@code DenseGeneral(features=features)} over the last axis. */
    public DenseGeneral(int... features) { this(features, new int[]{-1}, new int[0], true, Init.lecunNormal(), Init.zeros(), null); }

    public static Builder builder() { return new Builder(); }

    @Override
    public Array call(Array x) {
        return compact(() -> {
            int nd = x.ndim();
            int[] ax = normalizeAxes(axis, nd);
            int[] bd = normalizeAxes(batchDims, nd);
            checkAxes(x, ax, bd);
            int nb = bd.length, na = ax.length, nf = features.length;
            int[] batchShape = Arrays.stream(bd).map(x::dim).toArray();
            int[] inShape = Arrays.stream(ax).map(x::dim).toArray();
            Init.Initializer kInit = (key, shape, dtype) -> {
                int rows = product(Arrays.copyOfRange(shape, 0, nb)) * product(Arrays.copyOfRange(shape, nb, nb + na));
                int cols = product(Arrays.copyOfRange(shape, shape.length - nf, shape.length));
                return Np.reshape(kernelInit.apply(key, new int[]{rows, cols}, dtype), shape);
            };
            Array kernel = param("kernel", kInit, concat(batchShape, inShape, features));
            Array out = Lax.dotGeneral(x, kernel, ax, range(nb, nb + na), bd, range(0, nb));
            if (useBias) {
                Init.Initializer bInit = (key, shape, dtype) -> Np.reshape(biasInit.apply(key, new int[]{product(shape)}, dtype), shape);
                Array bias = param("bias", bInit, concat(batchShape, features));
                int[] expandedBatch = java.util.stream.IntStream.range(0, nd)
                        .filter(d -> Arrays.stream(ax).noneMatch(a -> a == d))
                        .map(d -> Arrays.stream(bd).anyMatch(b -> b == d) ? x.dim(d) : 1).toArray();
                out = Np.add(out, Np.reshape(bias, concat(expandedBatch, features)));
            }
            return out;
        });
    }

    private static void checkAxes(Array x, int[] ax, int[] bd) {
        for (int a : concat(ax, bd)) {
            if (a < 0 || a >= x.ndim()) {
                throw new Jax4jException("DenseGeneral: axis " + a + " is out of range for the input " + x.aval().str());
            }
        }
        for (int i = 0; i < bd.length; i++) {
            if (bd[i] != i) throw new Jax4jException("DenseGeneral: batch_dims must be consecutive leading dims, got " + Arrays.toString(bd));
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DenseGeneral d && Arrays.equals(features, d.features) && Arrays.equals(axis, d.axis)
                && Arrays.equals(batchDims, d.batchDims) && useBias == d.useBias && kernelInit.equals(d.kernelInit)
                && biasInit.equals(d.biasInit) && java.util.Objects.equals(name, d.name);
    }

    @Override
    public int hashCode() { return Arrays.hashCode(features) * 31 + Arrays.hashCode(axis); }

    @Override
    public String toString() {
        return "DenseGeneral[features=" + Arrays.toString(features) + ", axis=" + Arrays.toString(axis) + ", batchDims="
                + Arrays.toString(batchDims) + ", useBias=" + useBias + (name == null ? "" : ", name=" + name) + "]";
    }

    public static final class Builder {
        private int[] features, axis = {-1}, batchDims = {};
        private boolean useBias = true;
        private Init.Initializer kernelInit = Init.lecunNormal(), biasInit = Init.zeros();
        private String name;

        public Builder features(int... v) { features = v; return this; }
        public Builder axis(int... v) { axis = v; return this; }
        public Builder batchDims(int... v) { batchDims = v; return this; }
        public Builder useBias(boolean v) { useBias = v; return this; }
        public Builder kernelInit(Init.Initializer v) { kernelInit = v; return this; }
        public Builder biasInit(Init.Initializer v) { biasInit = v; return this; }
        public Builder name(String v) { name = v; return this; }
        public DenseGeneral build() { return new DenseGeneral(features, axis, batchDims, useBias, kernelInit, biasInit, name); }
    }
}
