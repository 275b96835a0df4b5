package io.jax4j.pretrained;

import io.jax4j.Array;
import io.jax4j.Nn;
import io.jax4j.core.Jax4jException;
import io.jax4j.linen.Dense;
import io.jax4j.linen.LinenModule;

/** {@code CLIPMLP}: {@code fc2(act(fc1(x)))} with the config's {@code hidden_act}. */
public record ClipMlp(String hiddenAct, Dense fc1, Dense fc2) implements LinenModule {

    public static ClipMlp of(int hiddenSize, int intermediateSize, String hiddenAct) {
        activation(hiddenAct, null);
        return new ClipMlp(hiddenAct, new Dense(intermediateSize), new Dense(hiddenSize));
    }

    public Array call(Array x) {
        return compact(() -> fc2.call(activation(hiddenAct, fc1.call(x))));
    }

    /**
     * transformers' {@code ACT2FN}: {@code quick_gelu} {@code x * sigmoid(1.702 x)}, {@code gelu} (erf),
     * {@code gelu_new} / {@code gelu_pytorch_tanh} (tanh approximation), {@code relu}, {@code silu}.
     * A null {@code x} only validates the name.
     */
    public static Array activation(String name, Array x) {
        return switch (name) {
            case "quick_gelu" -> x == null ? null : x.mul(Nn.sigmoid(x.mul(1.702)));
            case "gelu" -> x == null ? null : Nn.gelu(x, false);
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> x == null ? null : Nn.gelu(x, true);
            case "relu" -> x == null ? null : Nn.relu(x);
            case "silu", "swish" -> x == null ? null : Nn.silu(x);
            default -> throw new Jax4jException("CLIP: hidden_act '" + name
                    + "' is not supported; use quick_gelu, gelu, gelu_new, gelu_pytorch_tanh, relu or silu");
        };
    }
}
