package io.jax4j.pretrained;

import io.jax4j.Array;
import io.jax4j.Init;
import io.jax4j.core.Jax4jException;
import io.jax4j.linen.Conv;
import io.jax4j.linen.LinenModule;

/**
 * {@code CLIPVisionEmbeddings}: a stride-{@code patch} convolution without bias ({@code patch_embedding},
 * kernel HWIO) cuts the image into patch vectors, the learned {@code class_embedding} is prepended, and
 * {@code position_embedding} (one row per position) is added.
 */
public record ClipVisionEmbeddings(ClipVisionConfig config, Conv patchEmbedding, ClipEmbedding positionEmbedding) implements LinenModule {

    public static ClipVisionEmbeddings of(ClipVisionConfig c) {
        int p = c.patchSize();
        Conv conv = Conv.builder().features(c.hiddenSize()).kernelSize(p, p).strides(p, p).padding("VALID").useBias(false).build();
        return new ClipVisionEmbeddings(c, conv, new ClipEmbedding(c.numPositions(), c.hiddenSize()));
    }

    /** {@code pixels} {@code f32[batch, image, image, channels]} (NHWC) to {@code [batch, 1 + patches, hidden]}. */
    public Array call(Array pixels) {
        return compact(() -> {
            checkPixels(pixels);
            Array classEmbedding = param("class_embedding", Init.normal(1.0), config.hiddenSize());
            Array patches = patchEmbedding.call(pixels);
            int g = config.gridSize();
            patches = patches.reshape(pixels.dim(0), g * g, config.hiddenSize());
            Array x = Tokens.prepend(classEmbedding, patches);
            return x.add(positionEmbedding.call(Array.arange(config.numPositions())));
        });
    }

    private void checkPixels(Array px) {
        int s = config.imageSize();
        if (px.ndim() != 4 || px.dim(1) != s || px.dim(2) != s || px.dim(3) != config.numChannels()) {
            throw new Jax4jException("ClipVisionEmbeddings: expected pixel values f32[batch, " + s + ", " + s + ", " + config.numChannels()
                    + "] (NHWC), got " + px.aval().str() + "; transpose PyTorch's NCHW with Np.transpose(x, 0, 2, 3, 1)");
        }
    }
}
