package io.jax4j.linen;

import io.jax4j.Array;
import io.jax4j.Lax;
import io.jax4j.Np;
import io.jax4j.Random;
import io.jax4j.core.Jax4jException;

/**
 * {@code flax.linen.Dropout}: when not deterministic, keeps each element with probability
 * {@code 1 - rate} (a Bernoulli mask from the {@code dropout} rng stream) and scales kept elements by
 * {@code 1 / (1 - rate)}; deterministic, it is the identity.
 */
public record Dropout(double rate, Boolean deterministic, int[] broadcastDims, String rngCollection, String name) implements LinenModule, Layer {

    public Dropout {
        if (rate < 0 || rate > 1) throw new Jax4jException("Dropout: rate must be in [0, 1], got " + rate);
    }

    public Dropout(double rate) { this(rate, null, new int[0], "dropout", null); }

    public Dropout(double rate, boolean deterministic) { this(rate, deterministic, new int[0], "dropout", null); }

    @Override
    public Array call(Array x) { return call(x, null); }

    public Array call(Array x, Boolean deterministicArg) {
        boolean det = merge(deterministic, deterministicArg);
        return compact(() -> {
            if (rate == 0.0 || det) return x;
            if (rate == 1.0) return Np.zerosLike(x);
            double keep = 1.0 - rate;
            Array rng = makeRng(rngCollection);
            int[] maskShape = x.shape();
            for (int d : broadcastDims) maskShape[d < 0 ? d + x.ndim() : d] = 1;
            Array mask = Np.broadcastTo(Random.bernoulli(rng, keep, maskShape), x.shape());
            return Lax.select(mask, Np.divide(x, Array.weak((float) keep)), Np.zerosLike(x));
        });
    }

    private static boolean merge(Boolean field, Boolean arg) {
        if (field != null && arg != null) throw new Jax4jException("Dropout: deterministic was given both as a field and as a call argument");
        if (field == null && arg == null) throw new Jax4jException("Dropout: deterministic must be given, as a field or as a call argument");
        return field != null ? field : arg;
    }
}
