package io.jax4j.examples.conformance.models;

import io.jax4j.Array;
import io.jax4j.Nn;
import io.jax4j.linen.BatchNorm;
import io.jax4j.linen.Dense;
import io.jax4j.linen.LinenModule;

/** The tutorial's MLP: Dense(4), BatchNorm(use_running_average=not train), relu, Dense(1). */
public record TutorialMlp() implements LinenModule {
    public Array call(Array x, boolean train) {
        return compact(() -> {
            Array h = new Dense(4).call(x);
            h = BatchNorm.builder().useRunningAverage(!train).build().call(h);
            h = Nn.relu(h);
            return new Dense(1).call(h);
        });
    }
}
