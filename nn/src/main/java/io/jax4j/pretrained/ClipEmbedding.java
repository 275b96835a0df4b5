package io.jax4j.pretrained;

import io.jax4j.Array;
import io.jax4j.Init;
import io.jax4j.Lax;
import io.jax4j.Nn;
import io.jax4j.core.Jax4jException;
import io.jax4j.linen.LinenModule;

/**
 * A lookup table (PyTorch's {@code nn.Embedding}, Flax's {@code Embed}): param {@code embedding}
 * {@code [numEmbeddings, features]}, rows picked by integer ids. The lookup is a one-hot product, which
 * is exact (one nonzero term per output) and differentiable in the table.
 */
public record ClipEmbedding(int numEmbeddings, int features) implements LinenModule {

    /** The rows {@code ids} ({@code int[...]}) of the table: {@code f32[..., features]}. */
    public Array call(Array ids) {
        return compact(() -> {
            if (ids.dtype().isFloating()) {
                throw new Jax4jException("ClipEmbedding: ids must be integers, got " + ids.aval().str());
            }
            Array table = param("embedding", Init.normal(0.02), numEmbeddings, features);
            Array oneHot = Nn.oneHot(ids, numEmbeddings, table.dtype());
            return Lax.dotGeneral(oneHot, table, new int[]{oneHot.ndim() - 1}, new int[]{0}, new int[0], new int[0]);
        });
    }
}
