package io.jax4j.linen;

import io.jax4j.Array;
import io.jax4j.Init;
import io.jax4j.Lax;
import io.jax4j.Np;
import io.jax4j.core.Jax4jException;

/**
 * {@code flax.linen.Embed}: an {@code embedding} table {@code [numEmbeddings, features]} initialised with
 * {@code variance_scaling(1.0, 'fan_in', 'normal', out_axis=0)}; {@link #call} takes the rows of integer
 * ids ({@code jnp.take(embedding, ids, axis=0)}: negative ids wrap, out-of-range ids give NaN rows), {@link #attend} is
 * {@code query @ embedding.T} (tied output logits).
 */
public record Embed(int numEmbeddings, int features, Init.Initializer embeddingInit, String name) implements LinenModule, Layer {

    /** Flax's {@code default_embed_init}. */
    public static Init.Initializer defaultEmbedInit() {
        return Init.varianceScaling(1.0, Init.Mode.FAN_IN, Init.Distribution.NORMAL, new int[]{-2}, new int[]{0});
    }

    public Embed(int numEmbeddings, int features) { this(numEmbeddings, features, defaultEmbedInit(), null); }

    private Array embedding() { return param("embedding", embeddingInit, numEmbeddings, features); }

    /** The embeddings of {@code ids} (any integer shape): shape {@code ids.shape + [features]}. */
    @Override
    public Array call(Array ids) {
        if (ids.dtype().isFloating() || ids.dtype() == io.jax4j.DType.BOOL) {
            throw new Jax4jException("Embed: input type must be an integer or unsigned integer, got " + ids.aval().str()
                    + " (convert with Np.astype(ids, DType.I32))");
        }
        return compact(() -> Np.take(embedding(), ids, 0));
    }

    /** {@code query @ embedding.T}: similarities of {@code query [..., features]} with every embedding. */
    public Array attend(Array query) {
        return compact(() -> {
            if (query.dim(-1) != features) {
                throw new Jax4jException("Embed.attend: the query's last dim must be features = " + features + ", got " + query.aval().str());
            }
            Array e = embedding();
            return Lax.dotGeneral(query, e, new int[]{query.ndim() - 1}, new int[]{1}, new int[0], new int[0]);
        });
    }
}
