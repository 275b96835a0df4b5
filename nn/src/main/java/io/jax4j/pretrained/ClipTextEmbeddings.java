package io.jax4j.pretrained;

import io.jax4j.Array;
import io.jax4j.core.Jax4jException;
import io.jax4j.linen.LinenModule;

/** {@code CLIPTextEmbeddings}: {@code token_embedding(ids) + position_embedding(arange(seq))}. */
public record ClipTextEmbeddings(ClipEmbedding tokenEmbedding, ClipEmbedding positionEmbedding) implements LinenModule {

    public static ClipTextEmbeddings of(ClipTextConfig c) {
        return new ClipTextEmbeddings(new ClipEmbedding(c.vocabSize(), c.hiddenSize()), new ClipEmbedding(c.maxPositionEmbeddings(), c.hiddenSize()));
    }

    /** {@code inputIds} {@code int[batch, seq]} to {@code f32[batch, seq, hidden]}. */
    public Array call(Array inputIds) {
        return compact(() -> {
            int max = positionEmbedding.numEmbeddings();
            if (inputIds.ndim() != 2 || inputIds.dim(1) > max) {
                throw new Jax4jException("ClipTextEmbeddings: expected input ids int[batch, seq] with seq <= max_position_embeddings " + max
                        + ", got " + inputIds.aval().str());
            }
            return tokenEmbedding.call(inputIds).add(positionEmbedding.call(Array.arange(inputIds.dim(1))));
        });
    }
}
