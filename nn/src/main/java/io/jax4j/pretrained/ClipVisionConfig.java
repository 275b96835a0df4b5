package io.jax4j.pretrained;

import com.fasterxml.jackson.databind.JsonNode;
import io.jax4j.core.Jax4jException;

/**
 * {@code transformers.CLIPVisionConfig}; {@link #fromJson} fills absent fields with transformers' defaults
 * (ViT-B/32: hidden 768, 12 layers of 12 heads, 224x224 images in 32x32 patches, quick_gelu).
 */
public record ClipVisionConfig(int hiddenSize, int intermediateSize, int numHiddenLayers, int numAttentionHeads, int numChannels,
                               int imageSize, int patchSize, String hiddenAct, double layerNormEps) {

    public ClipVisionConfig {
        checkHeads("vision_config", hiddenSize, numAttentionHeads);
        if (patchSize <= 0 || imageSize % patchSize != 0) {
            throw new Jax4jException("vision_config: image_size " + imageSize + " must be a positive multiple of patch_size " + patchSize);
        }
    }

    public static ClipVisionConfig defaults() { return fromJson(null); }

    /** From a {@code vision_config} object (or a {@code CLIPVisionModel}'s config.json); null gives the defaults. */
    public static ClipVisionConfig fromJson(JsonNode n) {
        return new ClipVisionConfig(
                ClipConfig.intOr(n, "hidden_size", 768),
                ClipConfig.intOr(n, "intermediate_size", 3072),
                ClipConfig.intOr(n, "num_hidden_layers", 12),
                ClipConfig.intOr(n, "num_attention_heads", 12),
                ClipConfig.intOr(n, "num_channels", 3),
                ClipConfig.intOr(n, "image_size", 224),
                ClipConfig.intOr(n, "patch_size", 32),
                ClipConfig.textOr(n, "hidden_act", "quick_gelu"),
                ClipConfig.doubleOr(n, "layer_norm_eps", 1e-5));
    }

    /** Patches per image side. */
    public int gridSize() { return imageSize / patchSize; }

    /** Positions: the class token and one per patch. */
    public int numPositions() { return gridSize() * gridSize() + 1; }

    static void checkHeads(String where, int hidden, int heads) {
        if (heads <= 0 || hidden % heads != 0) {
            throw new Jax4jException(where + ": hidden_size " + hidden + " must be divisible by num_attention_heads " + heads);
        }
    }
}
