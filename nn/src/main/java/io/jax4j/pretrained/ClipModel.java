package io.jax4j.pretrained;

import io.jax4j.Array;
import io.jax4j.Np;
import io.jax4j.linen.Bound;
import io.jax4j.linen.Dense;
import io.jax4j.linen.LinenModule;
import io.jax4j.linen.Variables;

/**
 * {@code transformers.CLIPModel} in jax4j: {@code text_model}, {@code vision_model}, the bias-free
 * {@code visual_projection} and {@code text_projection}, and the scalar {@code logit_scale}. Its
 * parameter tree mirrors the PyTorch state dict (see the package documentation); images are NHWC.
 *
 * <pre>{@code
 * var clip = Clip.fromPretrained(Path.of("clip-vit-base-patch32"));
 * Bound<ClipVisionTransformer> vision = clip.module().bind(clip.variables()).child(ClipModel::visionModel).unbind();
 * Array features = clip.module().apply(clip.variables(), () -> clip.module().getImageFeatures(images)).value();
 * }</pre>
 */
public record ClipModel(ClipConfig config, ClipTextTransformer textModel, ClipVisionTransformer visionModel, Dense visualProjection,
                        Dense textProjection) implements LinenModule {

    public static ClipModel of(ClipConfig c) {
        int p = c.projectionDim();
        return new ClipModel(c, ClipTextTransformer.of(c.textConfig()), ClipVisionTransformer.of(c.visionConfig()),
                Dense.builder().features(p).useBias(false).build(), Dense.builder().features(p).useBias(false).build());
    }

    /** {@code visual_projection(vision_model(pixels).pooler_output)}: {@code [batch, projection_dim]}. */
    public Array getImageFeatures(Array pixelValues) {
        return compact(() -> visualProjection.call(visionModel.call(pixelValues).poolerOutput()));
    }

    /** {@code text_projection(text_model(ids).pooler_output)}: {@code [batch, projection_dim]}. */
    public Array getTextFeatures(Array inputIds) {
        return compact(() -> textProjection.call(textModel.call(inputIds).poolerOutput()));
    }

    /** Both towers and the logits {@code exp(logit_scale) * image_embeds @ text_embeds^T} of the normalised embeddings. */
    public ClipOutput call(Array inputIds, Array pixelValues) {
        return compact(() -> {
            Array image = l2Normalize(getImageFeatures(pixelValues));
            Array text = l2Normalize(getTextFeatures(inputIds));
            Array scale = param("logit_scale", key -> Array.scalar((float) config.logitScaleInitValue()));
            Array logitsPerText = Np.matmul(text, image.T()).mul(Np.exp(scale));
            return new ClipOutput(logitsPerText.T(), logitsPerText, text, image);
        });
    }

    private static Array l2Normalize(Array x) { return x.div(Np.sqrt(Np.sum(x.square(), new int[]{-1}, true))); }

    /** This module bound to {@code variables}, typed (so {@code .child(ClipModel::visionModel)} works). */
    public Bound<ClipModel> bind(Variables variables) { return new Bound<>(this, variables); }
}
