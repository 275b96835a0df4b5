package io.jax4j.pretrained;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jax4j.Array;
import io.jax4j.DType;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tiny CLIP fixture (test resources): the checkpoint directory and transformers' outputs. */
final class ClipFixtures {
    private static JsonNode expected;

    private ClipFixtures() {}

    /** {@code fixtures/clip_tiny}: config.json and model.safetensors written by {@code CLIPModel.save_pretrained}. */
    static Path checkpoint() {
        try {
            return Path.of(ClipFixtures.class.getResource("/fixtures/clip_tiny/config.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static synchronized JsonNode expected() {
        if (expected == null) {
            try (InputStream in = ClipFixtures.class.getResourceAsStream("/fixtures/clip_tiny_expected.json")) {
                expected = new ObjectMapper().readTree(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return expected;
    }

    static Array array(JsonNode n) {
        int[] shape = new int[n.get("shape").size()];
        for (int i = 0; i < shape.length; i++) shape[i] = n.get("shape").get(i).asInt();
        JsonNode data = n.get("data");
        double[] d = new double[data.size()];
        for (int i = 0; i < d.length; i++) d[i] = data.get(i).asDouble();
        return Array.fromDoubles(DType.of(n.get("dtype").asText()), d, shape);
    }

    /** {@code |a - e| <= atol + rtol |e|} elementwise, naming the first failing index. */
    static void assertClose(Array expected, Array actual, double rtol, double atol, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            assertTrue(Math.abs(e[i] - a[i]) <= atol + rtol * Math.abs(e[i]), what + "[" + i + "]: expected " + e[i] + " got " + a[i]);
        }
    }

    /** Same shape, dtype and bits. */
    static void assertBitIdentical(Array expected, Array actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        assertTrue(expected.dtype() == actual.dtype(), what + ": dtype " + expected.dtype() + " vs " + actual.dtype());
        float[] e = expected.toFloatArray(), a = actual.toFloatArray();
        for (int i = 0; i < e.length; i++) {
            assertTrue(Float.floatToRawIntBits(e[i]) == Float.floatToRawIntBits(a[i]), what + "[" + i + "]: " + e[i] + " vs " + a[i]);
        }
    }
}
