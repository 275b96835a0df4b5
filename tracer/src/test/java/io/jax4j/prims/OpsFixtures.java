package io.jax4j.prims;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.core.ArrayImpl;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads the golden ops cases of {@code fixtures/ops_conv_cases.json} (a tiny JSON reader: the tracer has no JSON dependency). */
final class OpsFixtures {
    private OpsFixtures() {}

    private static Map<String, Object> root;

    /** One case: inputs, output, cotangent, vjp, tangents, jvp as arrays. */
    record Case(String name, List<Array> inputs, Array output, Array cotangent, List<Array> vjp, List<Array> tangents, Array jvp) {}

    @SuppressWarnings("unchecked")
    static synchronized Case get(String name) {
        if (root == null) root = (Map<String, Object>) io.jax4j.MiniJson.parse(load());
        for (Object o : (List<Object>) root.get("cases")) {
            Map<String, Object> c = (Map<String, Object>) o;
            if (c.get("name").equals(name)) {
                return new Case(name, arrays(c.get("inputs")), array(c.get("output")), array(c.get("cotangent")), arrays(c.get("vjp")),
                        arrays(c.get("tangents")), array(c.get("jvp")));
            }
        }
        throw new IllegalArgumentException("no fixture case " + name);
    }

    private static String load() {
        try (InputStream in = OpsFixtures.class.getResourceAsStream("/fixtures/ops_conv_cases.json")) {
            if (in == null) throw new IllegalStateException("fixtures/ops_conv_cases.json is not on the test class path");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Array> arrays(Object o) {
        List<Array> out = new ArrayList<>();
        for (Object a : (List<Object>) o) out.add(array(a));
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Array array(Object o) {
        Map<String, Object> m = (Map<String, Object>) o;
        List<Object> shapeList = (List<Object>) m.get("shape");
        int[] shape = shapeList.stream().mapToInt(v -> ((Double) v).intValue()).toArray();
        if (!"float32".equals(m.get("dtype"))) throw new IllegalArgumentException("unexpected dtype " + m.get("dtype"));
        List<Object> data = (List<Object>) m.get("data");
        double[] d = new double[data.size()];
        for (int i = 0; i < d.length; i++) d[i] = (Double) data.get(i);
        return Array.fromDoubles(DType.F32, d, shape);
    }

    /** |actual - expected| <= atol + rtol * |expected| elementwise, shapes equal. */
    static void assertClose(Array expected, Array actual, double rtol, double atol, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double[] e = ((ArrayImpl) expected).toDoubles(), a = actual.toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            double tol = atol + rtol * Math.abs(e[i]);
            final int k = i;
            assertTrue(Math.abs(a[i] - e[i]) <= tol, () -> what + ": element " + k + " expected " + e[k] + " got " + a[k]);
        }
    }

    static void assertClose(Array expected, Array actual, String what) { assertClose(expected, actual, 1e-4, 1e-5, what); }
}
