package io.jax4j.pretrained;

import io.jax4j.Array;

/**
 * {@code CLIPOutput}: the image-text similarity logits ({@code logitsPerImage [images, texts]} and its
 * transpose) and the L2-normalised projected embeddings.
 */
public record ClipOutput(Array logitsPerImage, Array logitsPerText, Array textEmbeds, Array imageEmbeds) {}
