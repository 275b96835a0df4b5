package io.jax4j.pretrained;

import io.jax4j.Array;
import io.jax4j.linen.LayerNorm;
import io.jax4j.linen.LinenModule;

/** {@code CLIPEncoderLayer}, pre-LayerNorm: {@code x + attn(ln1(x))}, then {@code x + mlp(ln2(x))}. */
public record ClipEncoderLayer(LayerNorm layerNorm1, ClipAttention selfAttn, LayerNorm layerNorm2, ClipMlp mlp) implements LinenModule {

    public static ClipEncoderLayer of(int hiddenSize, int intermediateSize, int numHeads, String hiddenAct, double eps) {
        return new ClipEncoderLayer(new LayerNorm(eps), ClipAttention.of(hiddenSize, numHeads), new LayerNorm(eps),
                ClipMlp.of(hiddenSize, intermediateSize, hiddenAct));
    }

    public Array call(Array x, Array mask) {
        return compact(() -> {
            Array h = x.add(selfAttn.call(layerNorm1.call(x), mask));
            return h.add(mlp.call(layerNorm2.call(h)));
        });
    }
}
