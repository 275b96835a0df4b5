package io.jax4j.linen;

import io.jax4j.Array;
import io.jax4j.core.Jax4jException;

import java.util.List;

/**
 * {@code flax.linen.Sequential}: applies the layers in order, each to the previous output. Module layers
 * are named after their place in the list ({@code layers_0}, {@code layers_1}, ... counting every
 * element, as Flax names modules held in a list attribute) unless they have a name; plain functions
 * such as {@code Nn::relu} have no scope.
 */
public record Sequential(List<Layer> layers, String name) implements LinenModule, Layer {

    public Sequential {
        layers = List.copyOf(layers);
    }

    public Sequential(List<Layer> layers) { this(layers, null); }

    public static Sequential of(Layer... layers) { return new Sequential(List.of(layers), null); }

    @Override
    public Array call(Array x) {
        if (layers.isEmpty()) throw new Jax4jException("Empty Sequential module" + (name == null ? "" : " " + name) + ": give it at least one layer");
        return compact(() -> {
            Array out = x;
            for (Layer l : layers) out = l.call(out);
            return out;
        });
    }
}
