package io.jax4j.pretrained;

import io.jax4j.Array;
import io.jax4j.Np;

/**
 * Sequence surgery by exact selection products (a one-hot row picks an element; all other terms are
 * zeros), used where PyTorch concatenates or indexes: prepending the class token, taking position 0,
 * gathering the EOS position. Differentiable, and valid under jit and vmap.
 */
final class Tokens {
    private Tokens() {}

    /** {@code concat([token[None, None, :] broadcast to batch, x], axis=1)}: {@code [b, n, d] -> [b, n + 1, d]}. */
    static Array prepend(Array token, Array x) {
        int n = x.dim(1);
        double[] shift = new double[(n + 1) * n];
        for (int i = 0; i < n; i++) shift[(i + 1) * n + i] = 1;
        Array shifted = Np.einsum("sn,bnd->bsd", Array.fromDoubles(x.dtype(), shift, n + 1, n), x);
        Array first = Array.fromDoubles(x.dtype(), oneHot(0, n + 1), n + 1, 1);
        return shifted.add(first.mul(token.reshape(1, token.dim(0))));
    }

    /** {@code x[:, i, :]}. */
    static Array take(Array x, int i) {
        return Np.einsum("s,bsd->bd", Array.fromDoubles(x.dtype(), oneHot(i, x.dim(1)), x.dim(1)), x);
    }

    /** {@code x[arange(b), index]} for an int index per batch row. */
    static Array takePerRow(Array x, Array index) {
        return Np.einsum("bs,bsd->bd", io.jax4j.Nn.oneHot(index, x.dim(1), x.dtype()), x);
    }

    private static double[] oneHot(int i, int n) {
        double[] d = new double[n];
        d[i] = 1;
        return d;
    }
}
