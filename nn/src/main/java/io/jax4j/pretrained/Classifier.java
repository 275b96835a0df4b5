package io.jax4j.pretrained;

import io.jax4j.Array;
import io.jax4j.Init;
import io.jax4j.linen.Dense;
import io.jax4j.linen.LinenModule;

/**
 * The transfer-learning tutorial's classifier: a (pretrained) {@code backbone}'s features, then a new
 * zero-initialised Dense {@code head}. Its params are {@code {backbone: ..., head: {kernel, bias}}}, so
 * a pretrained backbone's params drop in under {@code backbone} and a label function can freeze them by path.
 */
public record Classifier(int numClasses, Backbone backbone) implements LinenModule {

    /** {@code [batch, ...] -> logits [batch, numClasses]}. */
    public Array call(Array x) {
        return compact(() -> {
            Array features = backbone.features(x);
            return Dense.builder().features(numClasses).name("head").kernelInit(Init.zeros()).build().call(features);
        });
    }
}
