package io.jax4j.examples.conformance.models;

import io.jax4j.Array;
import io.jax4j.Nn;
import io.jax4j.Np;
import io.jax4j.Pooling;
import io.jax4j.linen.Conv;
import io.jax4j.linen.Dense;
import io.jax4j.linen.LinenModule;

/** The CNN of Flax's examples/mnist: two Conv 3x3 + relu + 2x2 average pools, Dense(256), relu, Dense(10). */
public record MnistCnn() implements LinenModule {
    public Array call(Array x) {
        return compact(() -> {
            Array h = Pooling.avgPool(Nn.relu(new Conv(32, 3, 3).call(x)), new int[]{2, 2}, new int[]{2, 2}, "VALID");
            h = Pooling.avgPool(Nn.relu(new Conv(64, 3, 3).call(h)), new int[]{2, 2}, new int[]{2, 2}, "VALID");
            h = Np.reshape(h, h.dim(0), -1);
            h = Nn.relu(new Dense(256).call(h));
            return new Dense(10).call(h);
        });
    }
}
