package io.jax4j.linen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jax4j.Array;
import io.jax4j.DType;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads the Flax fixture (test resources) and compares arrays and trees with it. */
final class FlaxFixtures {
    private static JsonNode root;

    private FlaxFixtures() {}

    static synchronized JsonNode flax() {
        if (root == null) root = json("/fixtures/flax_public.json");
        return root;
    }

    /** A JSON test resource. */
    static JsonNode json(String resource) {
        try (InputStream in = FlaxFixtures.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("missing test resource " + resource);
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The int array of a plain JSON list or an encoded array. */
    static Array ints(JsonNode n) {
        if (n.has("shape")) return array(n);
        int[] v = new int[n.size()];
        for (int i = 0; i < v.length; i++) v[i] = n.get(i).asInt();
        return Array.fromInts(v, v.length);
    }

    static double[] doubles(JsonNode n) {
        double[] d = new double[n.size()];
        for (int i = 0; i < d.length; i++) d[i] = n.get(i).asDouble();
        return d;
    }

    static int[] shape(JsonNode n) {
        int[] s = new int[n.get("shape").size()];
        for (int i = 0; i < s.length; i++) s[i] = n.get("shape").get(i).asInt();
        return s;
    }

    static Array array(JsonNode n) {
        int[] shape = new int[n.get("shape").size()];
        for (int i = 0; i < shape.length; i++) shape[i] = n.get("shape").get(i).asInt();
        DType dt = DType.of(n.get("dtype").asText());
        JsonNode data = n.get("data");
        double[] d = new double[data.size()];
        for (int i = 0; i < d.length; i++) d[i] = data.get(i).isBoolean() ? (data.get(i).asBoolean() ? 1 : 0) : data.get(i).asDouble();
        return Array.fromDoubles(dt, d, shape);
    }

    /** A nested dict of arrays from a fixture tree. */
    static Dict tree(JsonNode n) {
        Map<String, Object> m = new LinkedHashMap<>();
        n.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().has("shape") ? array(e.getValue()) : tree(e.getValue())));
        return Dict.copyOf(m);
    }

    static void assertClose(Array expected, Array actual, double rtol, double atol, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            assertTrue(Math.abs(e[i] - a[i]) <= atol + rtol * Math.abs(e[i]),
                    what + "[" + i + "]: expected " + e[i] + " got " + a[i]);
        }
    }

    /** Every leaf of {@code expected} is present in {@code actual} and close to it. */
    static void assertTreeClose(Map<String, ?> expected, Map<String, ?> actual, double rtol, double atol, String path) {
        assertEquals(new java.util.TreeSet<>(expected.keySet()), new java.util.TreeSet<>(actual.keySet()), path + ": keys");
        for (var e : expected.entrySet()) {
            Object a = actual.get(e.getKey());
            String p = path + "/" + e.getKey();
            if (e.getValue() instanceof Array ea) assertClose(ea, (Array) a, rtol, atol, p);
            else assertTreeClose(cast(e.getValue()), cast(a), rtol, atol, p);
        }
    }

    /** Row {@code i} of a [n, 2] key array from {@code Random.split}. */
    static Array row(Array keys, int i) {
        int[] all = keys.toIntArray();
        return Array.fromLongs(DType.U32, new long[]{Integer.toUnsignedLong(all[2 * i]), Integer.toUnsignedLong(all[2 * i + 1])}, 2);
    }

    @SuppressWarnings("unchecked")
    static Map<String, ?> cast(Object o) { return (Map<String, ?>) o; }
}
