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
    private final String s;
    private int i;

    private Json(String s) { this.s = s; }

    static Object parse(String text) {
        var j = new Json(text);
        Object v = j.value();
        j.ws();
        if (j.i != text.length()) throw new IllegalArgumentException("trailing characters at " + j.i);
        return v;
    }

    static Object resource(String path) {
        try (InputStream in = Json.class.getResourceAsStream(path)) {
            if (in == null) throw new IllegalStateException("missing test resource " + path);
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void ws() { while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++; }

    private Object value() {
        ws();
        char c = s.charAt(i);
        switch (c) {
            case '{' -> {
                i++;
                var m = new LinkedHashMap<String, Object>();
                ws();
                if (s.charAt(i) == '}') { i++; return m; }
                while (true) {
                    ws();
                    String k = string();
                    ws();
                    expect(':');
                    m.put(k, value());
                    ws();
                    if (s.charAt(i) == ',') { i++; continue; }
                    expect('}');
                    return m;
                }
            }
            case '[' -> {
                i++;
                var l = new ArrayList<Object>();
                ws();
                if (s.charAt(i) == ']') { i++; return l; }
                while (true) {
                    l.add(value());
                    ws();
                    if (s.charAt(i) == ',') { i++; continue; }
                    expect(']');
                    return l;
                }
            }
            case '"' -> { return string(); }
            default -> {
                if (s.startsWith("true", i)) { i += 4; return Boolean.TRUE; }
                if (s.startsWith("false", i)) { i += 5; return Boolean.FALSE; }
                if (s.startsWith("null", i)) { i += 4; return null; }
                if (s.startsWith("NaN", i)) { i += 3; return Double.NaN; }
                if (s.startsWith("Infinity", i)) { i += 8; return Double.POSITIVE_INFINITY; }
                if (s.startsWith("-Infinity", i)) { i += 9; return Double.NEGATIVE_INFINITY; }
                int start = i;
                while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
                return Double.parseDouble(s.substring(start, i));
            }
        }
    }

    private void expect(char c) {
        if (s.charAt(i) != c) throw new IllegalArgumentException("expected '" + c + "' at " + i + ", got '" + s.charAt(i) + "'");
        i++;
    }

    private String string() {
        expect('"');
        var sb = new StringBuilder();
        while (s.charAt(i) != '"') {
            char c = s.charAt(i++);
            if (c == '\\') {
                char e = s.charAt(i++);
                switch (e) {
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case 'u' -> { sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; }
                    default -> sb.append(e);
                }
            } else sb.append(c);
        }
        i++;
        return sb.toString();
    }

    // ---- fixture encodings

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
