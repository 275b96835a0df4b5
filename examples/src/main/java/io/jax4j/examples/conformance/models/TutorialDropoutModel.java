package io.jax4j.examples.conformance.models;

import io.jax4j.Array;
import io.jax4j.linen.Dense;
import io.jax4j.linen.Dropout;
import io.jax4j.linen.LinenModule;

/** The tutorial's {@code MyModel}: Dense(num_neurons), Dropout(0.5, deterministic=not training). */
public record TutorialDropoutModel(int numNeurons) implements LinenModule {
    public Array call(Array x, boolean training) {
        return compact(() -> {
            Array h = new Dense(numNeurons).call(x);
            return new Dropout(0.5, !training).call(h);
        });
    }
}
