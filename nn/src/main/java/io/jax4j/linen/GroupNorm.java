package io.jax4j.linen;

import io.jax4j.Array;
import io.jax4j.Init;
import io.jax4j.Np;
import io.jax4j.core.Jax4jException;

import java.util.Arrays;

/**
 * {@code flax.linen.GroupNorm}: splits the last (feature) axis into {@code numGroups} groups (default 32,
 * or give {@code groupSize} with {@code numGroups = null}) and normalises each group over the reduction
 * axes (default: all but the leading batch axis) and the group's channels; epsilon 1e-6; {@code scale}
 * and {@code bias} of shape {@code [features]}.
 */
public record GroupNorm(Integer numGroups, Integer groupSize, double epsilon, boolean useBias, boolean useScale,
                        Init.Initializer biasInit, Init.Initializer scaleInit, int[] reductionAxes, String name) implements LinenModule, Layer {

    /** {@code GroupNorm()}: 32 groups. */
    public GroupNorm() { this(32, null, 1e-6, true, true, Init.zeros(), Init.ones(), null, null); }

    public GroupNorm(int numGroups) { this(numGroups, null, 1e-6, true, true, Init.zeros(), Init.ones(), null, null); }

    public static Builder builder() { return new Builder(); }

    @Override
    public Array call(Array x) {
        return compact(() -> {
            int nd = x.ndim();
            int[] red = reductionAxes != null ? reductionAxes : LinenOps.concat(LinenOps.range(1, nd - 1), new int[]{-1});
            red = Normalization.canonicalAxes(nd, red);
            if (red.length == 0 || red[red.length - 1] != nd - 1) {
                throw new Jax4jException("GroupNorm: the reduction axes must include the feature axis -1, got " + Arrays.toString(red));
            }
            int channels = x.dim(-1);
            int groups = groupCount(channels);
            int size = channels / groups;
            int[] groupShape = Arrays.copyOf(x.shape(), nd + 1);
            groupShape[nd - 1] = groups;
            groupShape[nd] = size;
            int[] statAxes = Arrays.copyOf(red, red.length);
            statAxes[statAxes.length - 1] = nd; // the group's channels
            Normalization.Stats s = Normalization.compute(Np.reshape(x, groupShape), statAxes);
            int[] outer = Arrays.copyOfRange(red, 0, red.length - 1);
            return Normalization.normalize(this, x, repeatLast(s.mean(), size), repeatLast(s.var(), size), outer, new int[]{nd - 1},
                    epsilon, useBias, useScale, biasInit, scaleInit);
        });
    }

    private int groupCount(int channels) {
        if ((numGroups == null) == (groupSize == null)) {
            throw new Jax4jException("GroupNorm: either numGroups or groupSize should be specified. To give groupSize, set numGroups"
                    + " to null to override the default of 32");
        }
        if (groupSize != null) {
            if (groupSize <= 0 || channels % groupSize != 0) {
                throw new Jax4jException("GroupNorm: the number of channels (" + channels + ") is not a multiple of the group size (" + groupSize + ")");
            }
            return channels / groupSize;
        }
        if (numGroups <= 0 || channels % numGroups != 0) {
            throw new Jax4jException("GroupNorm: number of groups (" + numGroups + ") does not divide the number of channels (" + channels + ")");
        }
        return numGroups;
    }

    /** {@code jnp.repeat(a, n, axis=-1)}. */
    private static Array repeatLast(Array a, int n) {
        int[] s = a.shape();
        int[] expanded = Arrays.copyOf(s, s.length + 1);
        expanded[s.length] = n;
        int[] out = s.clone();
        out[s.length - 1] *= n;
        return Np.reshape(Np.broadcastTo(Np.expandDims(a, -1), expanded), out);
    }

    public static final class Builder {
        private Integer numGroups = 32, groupSize;
        private double epsilon = 1e-6;
        private boolean useBias = true, useScale = true;
        private Init.Initializer biasInit = Init.zeros(), scaleInit = Init.ones();
        private int[] reductionAxes;
        private String name;

        public Builder numGroups(Integer v) { numGroups = v; return this; }
        /** Groups of this size (sets numGroups to null, as Flax requires). */
        public Builder groupSize(Integer v) { groupSize = v; if (v != null) numGroups = null; return this; }
        public Builder epsilon(double v) { epsilon = v; return this; }
        public Builder useBias(boolean v) { useBias = v; return this; }
        public Builder useScale(boolean v) { useScale = v; return this; }
        public Builder biasInit(Init.Initializer v) { biasInit = v; return this; }
        public Builder scaleInit(Init.Initializer v) { scaleInit = v; return this; }
        public Builder reductionAxes(int... v) { reductionAxes = v; return this; }
        public Builder name(String v) { name = v; return this; }
        public GroupNorm build() { return new GroupNorm(numGroups, groupSize, epsilon, useBias, useScale, biasInit, scaleInit, reductionAxes, name); }
    }
}
