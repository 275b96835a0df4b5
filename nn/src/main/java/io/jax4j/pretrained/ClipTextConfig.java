package io.jax4j.pretrained;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code transformers.CLIPTextConfig}; {@link #fromJson} fills absent fields with transformers' defaults
 * (the ViT-B/32 text tower: vocab 49408, hidden 512, 12 layers of 8 heads, 77 positions, quick_gelu).
 */
public record ClipTextConfig(int vocabSize, int hiddenSize, int intermediateSize, int numHiddenLayers, int numAttentionHeads,
                             int maxPositionEmbeddings, String hiddenAct, double layerNormEps, int eosTokenId) {

    public ClipTextConfig {
        ClipVisionConfig.checkHeads("text_config", hiddenSize, numAttentionHeads);
    }

    public static ClipTextConfig defaults() { return fromJson(null); }

    /** From a {@code text_config} object (or a {@code CLIPTextModel}'s config.json); null gives the defaults. */
    public static ClipTextConfig fromJson(JsonNode n) {
        return new ClipTextConfig(
                ClipConfig.intOr(n, "vocab_size", 49408),
                ClipConfig.intOr(n, "hidden_size", 512),
                ClipConfig.intOr(n, "intermediate_size", 2048),
                ClipConfig.intOr(n, "num_hidden_layers", 12),
                ClipConfig.intOr(n, "num_attention_heads", 8),
                ClipConfig.intOr(n, "max_position_embeddings", 77),
                ClipConfig.textOr(n, "hidden_act", "quick_gelu"),
                ClipConfig.doubleOr(n, "layer_norm_eps", 1e-5),
                ClipConfig.intOr(n, "eos_token_id", 49407));
    }
}
