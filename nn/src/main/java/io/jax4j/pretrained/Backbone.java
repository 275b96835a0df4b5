package io.jax4j.pretrained;

import io.jax4j.Array;
import io.jax4j.linen.LinenModule;

/** A module that maps inputs to one feature vector per example, for a {@link Classifier} head. */
public interface Backbone extends LinenModule {
    /** {@code [batch, ...] -> [batch, features]}. */
    Array features(Array inputs);
}
