package io.jax4j.pretrained;

import io.jax4j.Array;
import io.jax4j.linen.LinenModule;

import java.util.ArrayList;
import java.util.List;

/** {@code CLIPEncoder}: the layers in order (named {@code layers_0}, {@code layers_1}, ...). */
public record ClipEncoder(List<ClipEncoderLayer> layers) implements LinenModule {

    public ClipEncoder { layers = List.copyOf(layers); }

    public static ClipEncoder of(int numLayers, int hiddenSize, int intermediateSize, int numHeads, String hiddenAct, double eps) {
        List<ClipEncoderLayer> l = new ArrayList<>();
        for (int i = 0; i < numLayers; i++) l.add(ClipEncoderLayer.of(hiddenSize, intermediateSize, numHeads, hiddenAct, eps));
        return new ClipEncoder(l);
    }

    public Array call(Array x, Array mask) {
        return compact(() -> {
            Array h = x;
            for (ClipEncoderLayer layer : layers) h = layer.call(h, mask);
            return h;
        });
    }
}
