package io.jax4j.pretrained;

import io.jax4j.Array;
import io.jax4j.Np;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The PyTorch tensors of a CLIP checkpoint, derived from its config: each name with its PyTorch shape and
 * the kind of layer it belongs to, which fixes its jax4j path and layout (see the package documentation).
 */
final class ClipWeights {
    private ClipWeights() {}

    /** How a PyTorch tensor maps to a jax4j param. */
    enum Kind {
        /** {@code nn.Linear.weight [out, in]} -> Dense {@code kernel [in, out]}. */
        LINEAR("kernel"),
        /** {@code nn.LayerNorm.weight} -> LayerNorm {@code scale}. */
        NORM("scale"),
        /** {@code nn.Embedding.weight} -> {@code embedding}. */
        EMBED("embedding"),
        /** {@code nn.Conv2d.weight [out, in, kh, kw]} -> Conv {@code kernel [kh, kw, in, out]} (HWIO). */
        CONV("kernel"),
        /** Biases, {@code class_embedding}, {@code logit_scale}: same name, same layout. */
        RAW(null);

        final String leaf;

        Kind(String leaf) { this.leaf = leaf; }

        /** PyTorch layout to jax4j layout. */
        Array toJax(Array t) {
            return switch (this) {
                case LINEAR -> Np.transpose(t, 1, 0);
                case CONV -> Np.transpose(t, 2, 3, 1, 0);
                default -> t;
            };
        }

        /** jax4j layout back to PyTorch layout. */
        Array toTorch(Array a) {
            return switch (this) {
                case LINEAR -> Np.transpose(a, 1, 0);
                case CONV -> Np.transpose(a, 3, 2, 0, 1);
                default -> a;
            };
        }
    }

    /** One expected tensor. */
    record Spec(String name, int[] shape, Kind kind) {
        /** The jax4j param path: {@code layers.0} joined to {@code layers_0}, the last segment renamed by kind. */
        List<String> path() {
            String[] seg = name.split("\\.");
            List<String> out = new ArrayList<>();
            for (int i = 0; i < seg.length; i++) {
                boolean last = i == seg.length - 1;
                if (!last && i + 1 < seg.length - 1 && seg[i + 1].chars().allMatch(Character::isDigit)) {
                    out.add(seg[i] + "_" + seg[++i]);
                } else if (last && kind.leaf != null) {
                    out.add(kind.leaf);
                } else {
                    out.add(seg[i]);
                }
            }
            return out;
        }

        String shapeText() { return Arrays.toString(shape); }
    }

    /** The tensors of a {@code CLIPModel}. */
    static Map<String, Spec> clipModel(ClipConfig c) {
        Map<String, Spec> m = new LinkedHashMap<>();
        text(m, "text_model.", c.textConfig());
        vision(m, "vision_model.", c.visionConfig());
        put(m, "visual_projection.weight", Kind.LINEAR, c.projectionDim(), c.visionConfig().hiddenSize());
        put(m, "text_projection.weight", Kind.LINEAR, c.projectionDim(), c.textConfig().hiddenSize());
        put(m, "logit_scale", Kind.RAW);
        return m;
    }

    /** The tensors of a {@code CLIPVisionModel}. */
    static Map<String, Spec> clipVisionModel(ClipVisionConfig c) {
        Map<String, Spec> m = new LinkedHashMap<>();
        vision(m, "vision_model.", c);
        return m;
    }

    private static void vision(Map<String, Spec> m, String p, ClipVisionConfig c) {
        int d = c.hiddenSize();
        put(m, p + "embeddings.class_embedding", Kind.RAW, d);
        put(m, p + "embeddings.patch_embedding.weight", Kind.CONV, d, c.numChannels(), c.patchSize(), c.patchSize());
        put(m, p + "embeddings.position_embedding.weight", Kind.EMBED, c.numPositions(), d);
        norm(m, p + "pre_layrnorm", d);
        encoder(m, p + "encoder.", c.numHiddenLayers(), d, c.intermediateSize());
        norm(m, p + "post_layernorm", d);
    }

    private static void text(Map<String, Spec> m, String p, ClipTextConfig c) {
        int d = c.hiddenSize();
        put(m, p + "embeddings.token_embedding.weight", Kind.EMBED, c.vocabSize(), d);
        put(m, p + "embeddings.position_embedding.weight", Kind.EMBED, c.maxPositionEmbeddings(), d);
        encoder(m, p + "encoder.", c.numHiddenLayers(), d, c.intermediateSize());
        norm(m, p + "final_layer_norm", d);
    }

    private static void encoder(Map<String, Spec> m, String p, int layers, int d, int inter) {
        for (int i = 0; i < layers; i++) {
            String l = p + "layers." + i + ".";
            norm(m, l + "layer_norm1", d);
            for (String proj : List.of("k_proj", "v_proj", "q_proj", "out_proj")) linear(m, l + "self_attn." + proj, d, d);
            norm(m, l + "layer_norm2", d);
            linear(m, l + "mlp.fc1", inter, d);
            linear(m, l + "mlp.fc2", d, inter);
        }
    }

    private static void norm(Map<String, Spec> m, String p, int d) {
        put(m, p + ".weight", Kind.NORM, d);
        put(m, p + ".bias", Kind.RAW, d);
    }

    private static void linear(Map<String, Spec> m, String p, int out, int in) {
        put(m, p + ".weight", Kind.LINEAR, out, in);
        put(m, p + ".bias", Kind.RAW, out);
    }

    private static void put(Map<String, Spec> m, String name, Kind kind, int... shape) { m.put(name, new Spec(name, shape, kind)); }
}
