package io.jax4j.examples.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import io.jax4j.Array;
import io.jax4j.linen.Dict;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Fixture trees: nested JSON objects whose leaves are encoded arrays (Flax variables, Optax params),
 * read into {@link Dict}s, and compared leaf by leaf with a result tree.
 */
public final class FixtureTrees {
    private FixtureTrees() {}

    /** A nested dict of arrays from a fixture tree (keys in the file's order). */
    public static Dict decode(JsonNode n) {
        if (n == null || !n.isObject()) throw new IllegalArgumentException("not a fixture tree: " + FixtureArrays.abbreviate(n));
        Map<String, Object> m = new LinkedHashMap<>();
        n.fields().forEachRemaining(e -> m.put(e.getKey(), FixtureArrays.isArray(e.getValue()) ? FixtureArrays.decode(e.getValue()) : decode(e.getValue())));
        return Dict.copyOf(m);
    }

    /**
     * A fixture tree as sorted {@link java.util.TreeMap}s (Python dicts flatten in sorted key order),
     * with encoded arrays as {@link Array}s and any other leaf (a label string, a number) kept as text
     * or a double.
     */
    public static Object decodePlain(JsonNode n) {
        if (FixtureArrays.isArray(n)) return FixtureArrays.decode(n);
        if (n.isObject()) {
            Map<String, Object> m = new java.util.TreeMap<>();
            n.fields().forEachRemaining(e -> m.put(e.getKey(), decodePlain(e.getValue())));
            return m;
        }
        if (n.isNumber()) return n.asDouble();
        return n.asText();
    }

    /**
     * Compares a result tree with an expected fixture tree: the same keys at every level and every
     * leaf within {@code tol}. The detail names the largest error and the first failing leaf path.
     */
    public static FixtureArrays.Comparison compare(Object actual, JsonNode expected, Tolerance tol) {
        List<String> failures = new ArrayList<>();
        double[] maxErr = {0};
        int[] leaves = {0};
        walk(actual, expected, tol, "", failures, maxErr, leaves);
        String errText = "leaves=" + leaves[0] + " max_abs_err=" + FixtureArrays.fmt(maxErr[0]) + " " + tol.describe();
        if (failures.isEmpty()) return new FixtureArrays.Comparison(true, errText);
        return new FixtureArrays.Comparison(false, failures.size() + " leaf failure(s); first " + failures.getFirst() + "; " + errText);
    }

    private static void walk(Object actual, JsonNode expected, Tolerance tol, String path, List<String> failures, double[] maxErr, int[] leaves) {
        if (FixtureArrays.isArray(expected)) {
            leaves[0]++;
            if (!(actual instanceof Array a)) {
                failures.add(path + ": expected an array, got " + (actual == null ? "nothing" : actual.getClass().getSimpleName()));
                return;
            }
            FixtureArrays.Comparison c = FixtureArrays.compare(a, expected, tol);
            maxErr[0] = Math.max(maxErr[0], FixtureArrays.maxAbsErr(a, expected));
            if (!c.ok()) failures.add(path + ": " + c.detail());
            return;
        }
        Map<?, ?> m = dictWithKeys(actual, expected, path, failures);
        if (m == null) return;
        sortedFields(expected).forEach(k -> {
            if (m.containsKey(k)) walk(m.get(k), expected.get(k), tol, path + "/" + k, failures, maxErr, leaves);
        });
    }

    private static TreeSet<String> sortedFields(JsonNode n) {
        TreeSet<String> keys = new TreeSet<>();
        n.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    /** {@code actual} as a dict, noting a non-dict or a different key set; null when it is no dict. */
    private static Map<?, ?> dictWithKeys(Object actual, JsonNode expected, String path, List<String> failures) {
        if (!(actual instanceof Map<?, ?> m)) {
            failures.add(path + ": expected a dict, got " + (actual == null ? "nothing" : actual.getClass().getSimpleName()));
            return null;
        }
        TreeSet<String> want = sortedFields(expected);
        TreeSet<String> got = new TreeSet<>();
        for (Object k : m.keySet()) got.add(String.valueOf(k));
        if (!want.equals(got)) failures.add((path.isEmpty() ? "/" : path) + ": keys " + got + ", expected " + want);
        return m;
    }

    /**
     * Compares the structure of a result tree with a fixture tree of shapes (each leaf a JSON list,
     * the array's shape, as {@code tree_map(lambda a: list(a.shape), ...)} writes it): the same keys
     * at every level and the same shapes.
     */
    public static FixtureArrays.Comparison compareShapes(Object actual, JsonNode expected) {
        List<String> failures = new ArrayList<>();
        int[] leaves = {0};
        walkShapes(actual, expected, "", failures, leaves);
        if (failures.isEmpty()) return new FixtureArrays.Comparison(true, "leaves=" + leaves[0] + " exact");
        return new FixtureArrays.Comparison(false, failures.size() + " difference(s); first " + failures.getFirst());
    }

    private static void walkShapes(Object actual, JsonNode expected, String path, List<String> failures, int[] leaves) {
        if (expected.isArray()) {
            leaves[0]++;
            int[] want = new int[expected.size()];
            for (int i = 0; i < want.length; i++) want[i] = expected.get(i).asInt();
            if (!(actual instanceof Array a)) failures.add(path + ": expected an array of shape " + java.util.Arrays.toString(want));
            else if (!java.util.Arrays.equals(want, a.shape())) failures.add(path + ": shape " + java.util.Arrays.toString(a.shape()) + ", expected " + java.util.Arrays.toString(want));
            return;
        }
        Map<?, ?> m = dictWithKeys(actual, expected, path, failures);
        if (m == null) return;
        sortedFields(expected).forEach(k -> {
            if (m.containsKey(k)) walkShapes(m.get(k), expected.get(k), path + "/" + k, failures, leaves);
        });
    }

    /** A scalar check: {@code |actual - expected| <= atol + rtol |expected|}. */
    public static FixtureArrays.Comparison compareScalar(double actual, double expected, Tolerance tol) {
        double err = Math.abs(actual - expected);
        boolean ok = actual == expected || err <= tol.atol() + tol.rtol() * Math.abs(expected);
        String detail = "abs_err=" + FixtureArrays.fmt(err) + " " + tol.describe();
        return new FixtureArrays.Comparison(ok, ok ? detail : "expected " + expected + " got " + actual + " " + detail);
    }
}
