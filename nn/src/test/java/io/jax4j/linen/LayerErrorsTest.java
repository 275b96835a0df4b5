package io.jax4j.linen;

import io.jax4j.Array;
import io.jax4j.Random;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 15, unclear errors: each names the layer, the argument or variable path, and the shapes. */
class LayerErrorsTest {
    static void contains(String message, String... parts) {
        for (String p : parts) assertTrue(message.contains(p), "'" + p + "' not in: " + message);
    }

    @Test
    void negativeFeaturesNameDenseNotTheInitializer() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Dense(-3));
        contains(e.getMessage(), "Dense", "features", "-3");
        assertFalse(e.getMessage().toLowerCase().contains("lecun") || e.getMessage().contains("Init"), e.getMessage());
        contains(assertThrows(IllegalArgumentException.class, () -> Dense.builder().build()).getMessage(), "Dense", "features", "got 0");
    }

    @Test
    void denseOnAScalarSaysItNeedsAnAxis() {
        Dense d = new Dense(3);
        Array x = Array.scalar(1f);
        var e = assertThrows(IllegalArgumentException.class, () -> d.init(Random.key(0), () -> d.call(x)));
        contains(e.getMessage(), "Dense(3)", "scalar f32[]", "last axis", "rank >= 1");
    }

    @Test
    void batchStatsOfAnotherSizeNameTheVariablePath() {
        Sequential model = Sequential.of(new Dense(4), BatchNorm.builder().useRunningAverage(true).build());
        Array x = Array.ones(2, 3);
        Variables v = model.init(Random.key(0), () -> model.call(x));
        Variables wrong = Variables.of("params", v.get("params"),
                "batch_stats", Map.of("layers_1", Map.of("mean", Array.zeros(5), "var", Array.ones(5))));
        var e = assertThrows(ModuleErrors.ScopeVariableShapeError.class, () -> model.apply(wrong, () -> model.call(x)));
        contains(e.getMessage(), "batch_stats/layers_1/mean", "f32[5]", "[4]", "f32[2,4]");
    }
}
