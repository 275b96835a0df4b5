package io.jax4j.pretrained;

import io.jax4j.Array;
import io.jax4j.Nn;
import io.jax4j.Np;
import io.jax4j.linen.Dense;
import io.jax4j.linen.LinenModule;

/**
 * {@code CLIPAttention}: multi-head self-attention with biased {@code q_proj}, {@code k_proj},
 * {@code v_proj} and {@code out_proj}; the queries are scaled by {@code head_dim^-0.5}.
 * {@code softmax(q k^T * scale, masked) v}, heads concatenated, then {@code out_proj}.
 */
public record ClipAttention(int numHeads, Dense qProj, Dense kProj, Dense vProj, Dense outProj) implements LinenModule {

    public static ClipAttention of(int hiddenSize, int numHeads) {
        return new ClipAttention(numHeads, new Dense(hiddenSize), new Dense(hiddenSize), new Dense(hiddenSize), new Dense(hiddenSize));
    }

    /**
     * @param x    {@code f32[batch, seq, hidden]}
     * @param mask null, or a bool array broadcasting to {@code [batch, heads, seq, seq]}: true where a query may attend to a key
     */
    public Array call(Array x, Array mask) {
        return compact(() -> {
            int b = x.dim(0), s = x.dim(1), d = x.dim(2), hd = d / numHeads;
            Array q = heads(qProj.call(x).mul(Math.pow(hd, -0.5)), hd);
            Array k = heads(kProj.call(x), hd);
            Array v = heads(vProj.call(x), hd);
            Array scores = Np.einsum("bqhd,bkhd->bhqk", q, k);
            if (mask != null) scores = Np.where(mask, scores, -Float.MAX_VALUE);
            Array weights = Nn.softmax(scores, -1);
            Array out = Np.einsum("bhqk,bkhd->bqhd", weights, v).reshape(b, s, d);
            return outProj.call(out);
        });
    }

    private Array heads(Array t, int hd) { return t.reshape(t.dim(0), t.dim(1), numHeads, hd); }
}
