package io.jax4j.pretrained;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Np;
import io.jax4j.linen.LayerNorm;
import io.jax4j.linen.LinenModule;

/**
 * {@code CLIPTextTransformer}: token and position embeddings, the causal-masked pre-LN encoder and
 * {@code final_layer_norm}; {@code lastHiddenState} is after the final LayerNorm and {@code poolerOutput}
 * is its row at the end-of-text token: the argmax of the ids when {@code eos_token_id == 2} (the original
 * OpenAI configs, whose EOS has the largest id), else the first position holding {@code eos_token_id},
 * exactly as transformers picks it.
 */
public record ClipTextTransformer(ClipTextConfig config, ClipTextEmbeddings embeddings, ClipEncoder encoder, LayerNorm finalLayerNorm)
        implements LinenModule {

    public static ClipTextTransformer of(ClipTextConfig c) {
        return new ClipTextTransformer(c, ClipTextEmbeddings.of(c),
                ClipEncoder.of(c.numHiddenLayers(), c.hiddenSize(), c.intermediateSize(), c.numAttentionHeads(), c.hiddenAct(), c.layerNormEps()),
                new LayerNorm(c.layerNormEps()));
    }

    public ClipOutputWithPooling call(Array inputIds) { return call(inputIds, null); }

    /**
     * @param inputIds      {@code int[batch, seq]}
     * @param attentionMask null, or {@code [batch, seq]} with nonzero for real tokens and 0 for padding
     */
    public ClipOutputWithPooling call(Array inputIds, Array attentionMask) {
        return compact(() -> {
            int s = inputIds.dim(1);
            Array h = embeddings.call(inputIds);
            Array mask = causalMask(s);
            if (attentionMask != null) {
                Array keep = Np.notEqual(attentionMask, Np.zerosLike(attentionMask)).reshape(attentionMask.dim(0), 1, 1, s);
                mask = Np.logicalAnd(mask, keep);
            }
            Array last = finalLayerNorm.call(encoder.call(h, mask));
            return new ClipOutputWithPooling(last, Tokens.takePerRow(last, eosIndex(inputIds)));
        });
    }

    private Array eosIndex(Array ids) {
        if (config.eosTokenId() == 2) return Np.argmax(ids, -1);
        return Np.argmax(Np.astype(ids.eq(config.eosTokenId()), DType.I32), -1);
    }

    /** {@code bool[1, 1, s, s]}: query i sees keys 0..i. */
    static Array causalMask(int s) {
        boolean[] m = new boolean[s * s];
        for (int i = 0; i < s; i++) for (int j = 0; j <= i; j++) m[i * s + j] = true;
        return Array.of(m).reshape(1, 1, s, s);
    }
}
