package io.jax4j.pretrained;

import io.jax4j.Array;
import io.jax4j.linen.Bound;
import io.jax4j.linen.LayerNorm;
import io.jax4j.linen.Variables;

/**
 * {@code CLIPVisionTransformer}: embeddings, {@code pre_layrnorm} (Hugging Face's spelling), the
 * pre-LN encoder; {@code lastHiddenState} is the encoder output and {@code poolerOutput} is
 * {@code post_layernorm} of its class token. Input images are NHWC.
 */
public record ClipVisionTransformer(ClipVisionConfig config, ClipVisionEmbeddings embeddings, LayerNorm preLayrnorm, ClipEncoder encoder,
                                    LayerNorm postLayernorm) implements Backbone {

    public static ClipVisionTransformer of(ClipVisionConfig c) {
        return new ClipVisionTransformer(c, ClipVisionEmbeddings.of(c), new LayerNorm(c.layerNormEps()),
                ClipEncoder.of(c.numHiddenLayers(), c.hiddenSize(), c.intermediateSize(), c.numAttentionHeads(), c.hiddenAct(), c.layerNormEps()),
                new LayerNorm(c.layerNormEps()));
    }

    /** {@code pixelValues} {@code f32[batch, image, image, channels]}. */
    public ClipOutputWithPooling call(Array pixelValues) {
        return compact(() -> {
            Array h = preLayrnorm.call(embeddings.call(pixelValues));
            Array last = encoder.call(h, null);
            return new ClipOutputWithPooling(last, postLayernorm.call(Tokens.take(last, 0)));
        });
    }

    /** The pooled output. */
    @Override
    public Array features(Array pixelValues) { return call(pixelValues).poolerOutput(); }

    /** This module bound to {@code variables}, typed (so {@code .child(...)} takes its components). */
    public Bound<ClipVisionTransformer> bind(Variables variables) { return new Bound<>(this, variables); }
}
