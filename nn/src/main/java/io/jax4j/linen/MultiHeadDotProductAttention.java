package io.jax4j.linen;

import io.jax4j.Array;
import io.jax4j.Init;
import io.jax4j.core.Jax4jException;

/**
 * {@code flax.linen.MultiHeadDotProductAttention}: {@code query}, {@code key}, {@code value} projections
 * ({@link DenseGeneral} kernels {@code [in, heads, head_dim]}, biases {@code [heads, head_dim]}), optional
 * {@code query_ln}/{@code key_ln} (normalizeQk), {@link Attention#dotProductAttention} with
 * {@code 1/sqrt(head_dim)} scaling, an optional mask and dropout on the weights (from the
 * {@code dropout} stream unless {@code deterministic}), and the {@code out} projection (kernel
 * {@code [heads, head_dim, features]}). {@code qkvFeatures} and {@code outFeatures} default to the
 * query's last dim.
 */
public record MultiHeadDotProductAttention(int numHeads, Integer qkvFeatures, Integer outFeatures, boolean broadcastDropout,
                                           double dropoutRate, Boolean deterministic, Init.Initializer kernelInit,
                                           Init.Initializer outKernelInit, Init.Initializer biasInit, Init.Initializer outBiasInit,
                                           boolean useBias, boolean normalizeQk, String name) implements LinenModule, Layer {

    public MultiHeadDotProductAttention(int numHeads) {
        this(numHeads, null, null, true, 0.0, null, Init.lecunNormal(), null, Init.zeros(), null, true, false, null);
    }

    public static Builder builder() { return new Builder(); }

    /** Self-attention: {@code inputs_k = inputs_v = inputs_q}. */
    @Override
    public Array call(Array inputsQ) { return call(inputsQ, null, null, null, null, null, false); }

    /** {@code inputs_v = inputs_k}. */
    public Array call(Array inputsQ, Array inputsK) { return call(inputsQ, inputsK, null, null, null, null, false); }

    public Array call(Array inputsQ, Array inputsK, Array inputsV) { return call(inputsQ, inputsK, inputsV, null, null, null, false); }

    /**
     * The full call: {@code mask} broadcastable to {@code [batch..., heads, q_len, kv_len]} (false = masked out),
     * {@code deterministic} merged with the field, {@code dropoutRng} overriding the {@code dropout} stream,
     * {@code sowWeights} sowing the weights into {@code intermediates}.
     */
    public Array call(Array inputsQ, Array inputsK, Array inputsV, Array mask, Boolean deterministicArg, Array dropoutRng,
                      boolean sowWeights) {
        return compact(() -> forward(this, inputsQ, inputsK, inputsV, mask, deterministicArg, dropoutRng, sowWeights));
    }

    /** The body, run in the current scope (shared with {@link SelfAttention}). */
    static Array forward(MultiHeadDotProductAttention c, Array inputsQ, Array inputsK, Array inputsV, Array mask, Boolean deterministicArg,
                         Array dropoutRng, boolean sowWeights) {
        if (inputsK == null && inputsV != null) {
            throw new Jax4jException("MultiHeadDotProductAttention: inputs_k cannot be null if inputs_v is given; to use the same array"
                    + " for both, pass it as inputs_k only");
        }
        Array k0 = inputsK == null ? inputsQ : inputsK;
        Array v0 = inputsV == null ? k0 : inputsV;
        int features = c.outFeatures != null ? c.outFeatures : inputsQ.dim(-1);
        int qkv = c.qkvFeatures != null ? c.qkvFeatures : inputsQ.dim(-1);
        if (qkv % c.numHeads != 0) {
            throw new Jax4jException("MultiHeadDotProductAttention: memory dimension (" + qkv + ") must be divisible by number of heads ("
                    + c.numHeads + ")");
        }
        int headDim = qkv / c.numHeads;
        Array query = c.projection("query", headDim).call(inputsQ);
        Array key = c.projection("key", headDim).call(k0);
        Array value = c.projection("value", headDim).call(v0);
        if (c.normalizeQk) {
            query = new LayerNorm(1e-6, false, true, new int[]{-1}, new int[]{-1}, "query_ln").call(query);
            key = new LayerNorm(1e-6, false, true, new int[]{-1}, new int[]{-1}, "key_ln").call(key);
        }
        Attention.Options o = Attention.Options.none().withMask(mask);
        if (c.dropoutRate > 0.0) {
            boolean det = mergeDeterministic(c.deterministic, deterministicArg);
            if (!det) o = o.withDropout(c.dropoutRate, dropoutRng != null ? dropoutRng : Scope.current().makeRng("dropout"), c.broadcastDropout);
        }
        if (sowWeights) o = o.withModule(Scope.current().module);
        Array x = Attention.dotProductAttention(query, key, value, o);
        return new DenseGeneral(new int[]{features}, new int[]{-2, -1}, new int[0], c.useBias,
                c.outKernelInit != null ? c.outKernelInit : c.kernelInit, c.outBiasInit != null ? c.outBiasInit : c.biasInit, "out").call(x);
    }

    private DenseGeneral projection(String n, int headDim) {
        return new DenseGeneral(new int[]{numHeads, headDim}, new int[]{-1}, new int[0], useBias, kernelInit, biasInit, n);
    }

    static boolean mergeDeterministic(Boolean field, Boolean arg) {
        if (field != null && arg != null) {
            throw new Jax4jException("MultiHeadDotProductAttention: deterministic was given both as a field and as a call argument; give it once");
        }
        if (field == null && arg == null) {
            throw new Jax4jException("MultiHeadDotProductAttention: deterministic must be given (field or call argument) when dropoutRate > 0");
        }
        return field != null ? field : arg;
    }

    public static final class Builder {
        private int numHeads;
        private Integer qkvFeatures, outFeatures;
        private boolean broadcastDropout = true, useBias = true, normalizeQk;
        private double dropoutRate;
        private Boolean deterministic;
        private Init.Initializer kernelInit = Init.lecunNormal(), outKernelInit, biasInit = Init.zeros(), outBiasInit;
        private String name;

        public Builder numHeads(int v) { numHeads = v; return this; }
        public Builder qkvFeatures(Integer v) { qkvFeatures = v; return this; }
        public Builder outFeatures(Integer v) { outFeatures = v; return this; }
        public Builder broadcastDropout(boolean v) { broadcastDropout = v; return this; }
        public Builder dropoutRate(double v) { dropoutRate = v; return this; }
        public Builder deterministic(Boolean v) { deterministic = v; return this; }
        public Builder kernelInit(Init.Initializer v) { kernelInit = v; return this; }
        public Builder outKernelInit(Init.Initializer v) { outKernelInit = v; return this; }
        public Builder biasInit(Init.Initializer v) { biasInit = v; return this; }
        public Builder outBiasInit(Init.Initializer v) { outBiasInit = v; return this; }
        public Builder useBias(boolean v) { useBias = v; return this; }
        public Builder normalizeQk(boolean v) { normalizeQk = v; return this; }
        public Builder name(String v) { name = v; return this; }
        public MultiHeadDotProductAttention build() {
            if (numHeads <= 0) throw new Jax4jException("MultiHeadDotProductAttention: numHeads must be positive, got " + numHeads);
            return new MultiHeadDotProductAttention(numHeads, qkvFeatures, outFeatures, broadcastDropout, dropoutRate, deterministic, kernelInit,
                    outKernelInit, biasInit, outBiasInit, useBias, normalizeQk, name);
        }
    }
}
