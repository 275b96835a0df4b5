package io.jax4j.optim;

import io.jax4j.Array;
import io.jax4j.DType;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A small JSON reader for the fixtures (objects, arrays, numbers, strings, booleans, null). */
final class Json {
    private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    /** Jackson's tree as plain maps (insertion-ordered), lists, Doubles, strings, booleans and null. */
    static Object parse(String text) {
        try {
            return plain(MAPPER.readValue(text, Object.class));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("bad fixture JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static Object plain(Object o) {
        if (o instanceof java.util.Map<?, ?> m) {
            java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
            m.forEach((k, v) -> out.put((String) k, plain(v)));
            return out;
        }
        if (o instanceof java.util.List<?> l) {
            java.util.List<Object> out = new java.util.ArrayList<>(l.size());
            for (Object v : l) out.add(plain(v));
            return out;
        }
        if (o instanceof Number n) return n.doubleValue();
        return o;
    }

    static Object resource(String path) {
        try (InputStream in = Json.class.getResourceAsStream(path)) {
            if (in == null) throw new IllegalStateException("missing test resource " + path);
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static boolean isArray(Object o) { return o instanceof Map<?, ?> m && m.containsKey("shape") && m.containsKey("dtype") && m.containsKey("data"); }

    /** {@code {"shape", "dtype", "data"}} as an Array. */
    static Array array(Object o) {
        var m = (Map<?, ?>) o;
        int[] shape = ((List<?>) m.get("shape")).stream().mapToInt(x -> ((Number) x).intValue()).toArray();
        List<?> data = (List<?>) m.get("data");
        double[] d = new double[data.size()];
        for (int k = 0; k < d.length; k++) d[k] = ((Number) data.get(k)).doubleValue();
        return Array.fromDoubles(DType.of((String) m.get("dtype")), d, shape);
    }

    /** A nested object of encoded arrays as a tree of sorted maps with Array leaves (strings kept). */
    static Object tree(Object o) {
        if (isArray(o)) return array(o);
        if (o instanceof Map<?, ?> m) {
            var out = new TreeMap<String, Object>();
            m.forEach((k, v) -> out.put((String) k, tree(v)));
            return out;
        }
        return o;
    }
}
