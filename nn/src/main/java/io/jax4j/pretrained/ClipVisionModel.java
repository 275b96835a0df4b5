package io.jax4j.pretrained;

import io.jax4j.Array;
import io.jax4j.linen.Bound;
import io.jax4j.linen.Variables;

/** {@code CLIPVisionModel}: the vision tower alone, under {@code vision_model} as in its checkpoints. */
public record ClipVisionModel(ClipVisionTransformer visionModel) implements Backbone {

    public static ClipVisionModel of(ClipVisionConfig c) { return new ClipVisionModel(ClipVisionTransformer.of(c)); }

    /** {@code pixelValues} {@code f32[batch, image, image, channels]} (NHWC). */
    public ClipOutputWithPooling call(Array pixelValues) { return compact(() -> visionModel.call(pixelValues)); }

    @Override
    public Array features(Array pixelValues) { return call(pixelValues).poolerOutput(); }

    /** This module bound to {@code variables}, typed (so {@code .child(ClipVisionModel::visionModel)} works). */
    public Bound<ClipVisionModel> bind(Variables variables) { return new Bound<>(this, variables); }
}
