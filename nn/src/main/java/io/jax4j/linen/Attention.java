package io.jax4j.linen;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Lax;
import io.jax4j.Nn;
import io.jax4j.Np;
import io.jax4j.Random;
import io.jax4j.core.Jax4jException;

/**
 * The functions of {@code flax.linen.attention}: {@link #dotProductAttentionWeights},
 * {@link #dotProductAttention}, {@link #makeAttentionMask}, {@link #makeCausalMask}, {@link #combineMasks}.
 * Queries, keys and values are {@code [batch..., length, heads, head_dim]}; weights
 * {@code [batch..., heads, q_length, kv_length]}.
 */
public final class Attention {
    private Attention() {}

    /** Options of the attention weights: mask, dropout (rate, rng, broadcast over batch and heads), sowing module. */
    public record Options(Array bias, Array mask, boolean broadcastDropout, Array dropoutRng, double dropoutRate, boolean deterministic,
                          LinenModule module) {
        public static Options none() { return new Options(null, null, true, null, 0.0, true, null); }

        public Options withMask(Array m) { return new Options(bias, m, broadcastDropout, dropoutRng, dropoutRate, deterministic, module); }

        public Options withBias(Array b) { return new Options(b, mask, broadcastDropout, dropoutRng, dropoutRate, deterministic, module); }

        public Options withDropout(double rate, Array rng, boolean broadcast) {
            return new Options(bias, mask, broadcast, rng, rate, false, module);
        }

        public Options withModule(LinenModule m) { return new Options(bias, mask, broadcastDropout, dropoutRng, dropoutRate, deterministic, m); }
    }

    /**
     * {@code softmax(q / sqrt(depth) · kᵀ + bias, masked to finfo.min where mask is false)}, sown into
     * {@code intermediates/attention_weights} when a module is given, then dropped out (keep mask
     * broadcast over batch and heads by default) and scaled by {@code 1 / keep_prob}.
     */
    public static Array dotProductAttentionWeights(Array query, Array key, Options o) {
        if (query.ndim() != key.ndim()) throw new Jax4jException("dotProductAttentionWeights: q, k must have same rank, got "
                + query.aval().str() + " and " + key.aval().str());
        if (query.ndim() < 3 || query.dim(-2) != key.dim(-2) || query.dim(-1) != key.dim(-1)) {
            throw new Jax4jException("dotProductAttentionWeights: q, k num_heads and depths must match ([batch..., length, heads, depth]), got "
                    + query.aval().str() + " and " + key.aval().str());
        }
        DType dtype = query.dtype();
        int depth = query.dim(-1);
        Array q = Np.divide(query, Lax.scalar(Math.sqrt(depth), dtype));
        String b = batchLetters(query.ndim() - 3);
        Array w = Np.einsum(b + "qhd," + b + "khd->" + b + "hqk", q, key);
        if (o.bias() != null) w = Np.add(w, o.bias());
        if (o.mask() != null) {
            Array mask = Np.broadcastTo(o.mask(), w.shape());
            w = Lax.select(Np.astype(mask, DType.BOOL), w, Lax.fullLike(w, -Float.MAX_VALUE));
        }
        w = Nn.softmax(w, -1);
        if (o.module() != null) o.module().sow("intermediates", "attention_weights", w);
        if (!o.deterministic() && o.dropoutRate() > 0.0) {
            double keep = 1.0 - o.dropoutRate();
            int[] shape = w.shape();
            if (o.broadcastDropout()) {
                for (int i = 0; i < key.ndim() - 2; i++) shape[i] = 1;
            }
            if (o.dropoutRng() == null) throw new Jax4jException("dotProductAttentionWeights: dropout needs a dropoutRng when not deterministic");
            Array keepMask = Random.bernoulli(o.dropoutRng(), keep, shape);
            Array multiplier = Np.divide(Np.astype(keepMask, dtype), Lax.scalar(keep, dtype));
            w = Np.multiply(w, multiplier);
        }
        return w;
    }

    /** {@code einsum('...hqk,...khd->...qhd', weights, value)}: output {@code [batch..., q_length, heads, v_depth]}. */
    public static Array dotProductAttention(Array query, Array key, Array value, Options o) {
        if (key.ndim() != value.ndim() || key.dim(-3) != value.dim(-3) || key.dim(-2) != value.dim(-2)) {
            throw new Jax4jException("dotProductAttention: k, v lengths and num_heads must match, got " + key.aval().str() + " and "
                    + value.aval().str());
        }
        String b = batchLetters(query.ndim() - 3);
        return Np.einsum(b + "hqk," + b + "khd->" + b + "qhd", dotProductAttentionWeights(query, key, o), value);
    }

    public static Array dotProductAttention(Array query, Array key, Array value) { return dotProductAttention(query, key, value, Options.none()); }

    /** Letters for the batch dims of an einsum (Flax writes {@code ...}). */
    private static String batchLetters(int n) {
        String letters = "abcefgijlmnoprstuvwxyz";
        if (n > letters.length()) throw new Jax4jException("attention: too many batch dims (" + n + ")");
        return letters.substring(0, n);
    }

    /** {@code make_attention_mask(q, k)}: {@code [batch..., 1, q_len, kv_len]}, true where {@code q >= 1 and k >= 1} (padding 0). */
    public static Array makeAttentionMask(Array queryInput, Array keyInput) {
        Array q = Np.expandDims(Np.greaterEqual(queryInput, Array.weak(1)), -1);
        Array k = Np.expandDims(Np.greaterEqual(keyInput, Array.weak(1)), -2);
        return Np.expandDims(Np.logicalAnd(q, k), -3);
    }

    /** {@code make_causal_mask(x)}: {@code [batch..., 1, len, len]}, true where the key position ≤ the query position. */
    public static Array makeCausalMask(Array x) {
        int n = x.dim(-1);
        Array idx = Np.broadcastTo(Array.arange(n), x.shape());
        Array q = Np.expandDims(idx, -1);
        Array k = Np.expandDims(idx, -2);
        return Np.expandDims(Np.greaterEqual(q, k), -3);
    }

    /** {@code combine_masks}: the logical and of the non-null masks (null when all are null). */
    public static Array combineMasks(Array... masks) {
        Array out = null;
        for (Array m : masks) {
            if (m == null) continue;
            out = out == null ? m : Np.logicalAnd(out, m);
        }
        return out;
    }
}
