package io.jax4j.pretrained;

import io.jax4j.Array;
import io.jax4j.Lax;
import io.jax4j.Np;

import java.util.List;

/**
 * Sequence surgery as PyTorch/Flax CLIP writes it, in NumPy indexing: prepending the class token,
 * taking position 0, gathering the EOS position per row. Differentiable, and valid under jit and vmap.
 */
final class Tokens {
    private Tokens() {}

    /** {@code concat([token[None, None, :] broadcast to batch, x], axis=1)}: {@code [b, n, d] -> [b, n + 1, d]}. */
    static Array prepend(Array token, Array x) {
        Array tokens = Np.broadcastTo(token.astype(x.dtype()).reshape(1, 1, token.dim(0)), x.dim(0), 1, x.dim(2));
        return Lax.concatenate(List.of(tokens, x), 1);
    }

    /** {@code x[:, i, :]}. */
    static Array take(Array x, int i) {
        return x.get(":", i);
    }

    /** {@code x[arange(b), index]} for an int index per batch row. */
    static Array takePerRow(Array x, Array index) {
        return x.get(Np.iota(x.dim(0)), index);
    }
}
