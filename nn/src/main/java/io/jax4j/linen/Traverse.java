package io.jax4j.linen;

import io.jax4j.core.Jax4jException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * {@code flax.traverse_util} for nested string-keyed maps (variables, params, gradients): paths are
 * {@code List<String>} (Python's tuple keys), so {@code path.contains("backbone")} reads as
 * {@code 'backbone' in path}. Nested {@link Map}s (and {@link Dict}s) are nodes, everything else a leaf.
 *
 * <pre>{@code
 * Map<List<String>, Object> flat = Traverse.flattenDict(params);            // {[Dense_0, kernel]: ..., ...}
 * Map<String, Object> named = Traverse.flattenDict(params, "/");            // {"Dense_0/kernel": ..., ...}
 * Dict labels = Traverse.pathAwareMap((path, x) -> path.contains("Conv_0") ? "frozen" : "trainable", params);
 * }</pre>
 */
public final class Traverse {
    private Traverse() {}

    /** Flax's {@code empty_node}: marks an empty sub-dict in a flattened dict when empty nodes are kept. */
    public static final Object EMPTY_NODE = new Object() {
        @Override
        public String toString() { return "empty_node"; }
    };

    /** {@code flatten_dict(xs)}: tuple-path keys, in traversal order; empty sub-dicts are dropped. */
    public static Map<List<String>, Object> flattenDict(Map<String, ?> xs) { return flattenDict(xs, false); }

    /** {@code flatten_dict(xs, keep_empty_nodes=...)}: empty sub-dicts become {@link #EMPTY_NODE} leaves. */
    public static Map<List<String>, Object> flattenDict(Map<String, ?> xs, boolean keepEmptyNodes) {
        Map<List<String>, Object> out = new LinkedHashMap<>();
        flatten(xs, List.of(), keepEmptyNodes, out);
        return Collections.unmodifiableMap(out);
    }

    /** {@code flatten_dict(xs, sep=sep)}: keys joined with {@code sep} ({@code "Dense_0/kernel"}). */
    public static Map<String, Object> flattenDict(Map<String, ?> xs, String sep) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (var e : flattenDict(xs).entrySet()) out.put(String.join(sep, e.getKey()), e.getValue());
        return Collections.unmodifiableMap(out);
    }

    private static void flatten(Map<String, ?> xs, List<String> prefix, boolean keepEmpty, Map<List<String>, Object> out) {
        for (var e : xs.entrySet()) {
            List<String> path = append(prefix, e.getKey());
            if (e.getValue() instanceof Map<?, ?> m) {
                if (m.isEmpty()) {
                    if (keepEmpty) out.put(path, EMPTY_NODE);
                } else {
                    flatten(Dict.cast(m), path, keepEmpty, out);
                }
            } else {
                out.put(path, e.getValue());
            }
        }
    }

    /** {@code unflatten_dict(xs)}: the nested (immutable) dict of tuple-path keys; {@link #EMPTY_NODE} becomes {@code {}}. */
    public static Dict unflattenDict(Map<List<String>, ?> xs) {
        Map<String, Object> root = new LinkedHashMap<>();
        for (var e : xs.entrySet()) {
            List<String> path = e.getKey();
            if (path.isEmpty()) throw new Jax4jException("Traverse.unflattenDict: empty path for value " + e.getValue());
            Map<String, Object> cur = root;
            for (String k : path.subList(0, path.size() - 1)) {
                Object next = cur.computeIfAbsent(k, x -> new LinkedHashMap<String, Object>());
                if (!(next instanceof Map<?, ?>)) {
                    throw new Jax4jException("Traverse.unflattenDict: path " + path + " goes through the leaf at '" + k + "'");
                }
                cur = Dict.cast((Map<?, ?>) next);
            }
            Object v = e.getValue() == EMPTY_NODE ? new LinkedHashMap<String, Object>() : e.getValue();
            Object previous = cur.putIfAbsent(path.getLast(), v);
            if (previous != null) {
                throw new Jax4jException("Traverse.unflattenDict: path " + path + " is a leaf, but other paths go below it");
            }
        }
        return Dict.copyOf(root);
    }

    /** {@code unflatten_dict(xs, sep=sep)}: keys split on {@code sep}. */
    public static Dict unflattenDict(Map<String, ?> xs, String sep) {
        Map<List<String>, Object> paths = new LinkedHashMap<>();
        String regex = java.util.regex.Pattern.quote(sep);
        for (var e : xs.entrySet()) paths.put(List.of(e.getKey().split(regex, -1)), e.getValue());
        return unflattenDict(paths);
    }

    /**
     * {@code path_aware_map(f, xs)}: the same nesting with every leaf replaced by {@code f(path, leaf)};
     * empty sub-dicts are kept.
     */
    public static Dict pathAwareMap(BiFunction<List<String>, Object, ?> f, Map<String, ?> xs) {
        Map<List<String>, Object> out = new LinkedHashMap<>();
        for (var e : flattenDict(xs, true).entrySet()) {
            out.put(e.getKey(), e.getValue() == EMPTY_NODE ? EMPTY_NODE : f.apply(e.getKey(), e.getValue()));
        }
        return unflattenDict(out);
    }

    /** {@code flax.core.freeze}: an immutable nested {@link Dict} of {@code xs}. */
    public static Dict freeze(Map<String, ?> xs) { return xs instanceof Dict d ? d : Dict.copyOf(xs); }

    /** {@code flax.core.unfreeze}: a mutable deep copy as plain {@link LinkedHashMap}s. */
    public static Map<String, Object> unfreeze(Map<String, ?> xs) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (var e : xs.entrySet()) out.put(e.getKey(), e.getValue() instanceof Map<?, ?> m ? unfreeze(Dict.cast(m)) : e.getValue());
        return out;
    }

    private static List<String> append(List<String> prefix, String k) {
        List<String> l = new ArrayList<>(prefix.size() + 1);
        l.addAll(prefix);
        l.add(k);
        return List.copyOf(l);
    }
}
