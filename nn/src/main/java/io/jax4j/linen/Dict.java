package io.jax4j.linen;

import io.jax4j.tree.Tree;

import java.util.AbstractMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An immutable nested dictionary with string keys: Flax's (frozen) variable dicts. A pytree node
 * (children in sorted key order, as JAX flattens dicts); keeps insertion order for printing.
 * {@link #with} and {@link #without} return modified copies.
 */
public class Dict extends AbstractMap<String, Object> {
    private static final Dict EMPTY = new Dict(Map.of());

    static {
        Tree.register(Dict.class,
                d -> new Tree.Children(List.copyOf(sortedValues(d)), sortedKeys(d), sortedKeys(d)),
                (meta, children) -> fromSorted(castKeys(meta), children));
    }

    private final Map<String, Object> entries;

    protected Dict(Map<String, Object> entries) { this.entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries)); }

    public static Dict of() { return EMPTY; }

    public static Dict of(String k, Object v) { return new Dict(Map.of(k, v)); }

    public static Dict of(String k1, Object v1, String k2, Object v2) {
        LinkedHashMap<String, Object> m = new LinkedHashMap<>();
        m.put(k1, v1);
        m.put(k2, v2);
        return new Dict(m);
    }

    /** A Dict with the entries of {@code m}; nested plain maps are converted too. */
    public static Dict copyOf(Map<String, ?> m) {
        LinkedHashMap<String, Object> out = new LinkedHashMap<>();
        for (var e : m.entrySet()) out.put(e.getKey(), e.getValue() instanceof Map<?, ?> inner && !(inner instanceof Dict) ? copyOf(cast(inner)) : e.getValue());
        return new Dict(out);
    }

    @Override
    public Set<Entry<String, Object>> entrySet() { return entries.entrySet(); }

    @Override
    public Object get(Object key) { return entries.get(key); }

    @Override
    public boolean containsKey(Object key) { return entries.containsKey(key); }

    /** The nested dict under {@code key} (empty if absent). */
    public Dict dict(String key) {
        Object v = entries.get(key);
        if (v == null) return EMPTY;
        if (v instanceof Dict d) return d;
        if (v instanceof Map<?, ?> m) return copyOf(cast(m));
        throw new IllegalArgumentException("'" + key + "' holds a " + v.getClass().getSimpleName() + ", not a dict");
    }

    /** The value at a path of keys, or null. */
    public Object at(String... path) {
        Object cur = this;
        for (String k : path) {
            if (!(cur instanceof Map<?, ?> m)) return null;
            cur = m.get(k);
        }
        return cur;
    }

    public Dict with(String key, Object value) {
        LinkedHashMap<String, Object> m = new LinkedHashMap<>(entries);
        m.put(key, value);
        return new Dict(m);
    }

    public Dict without(String key) {
        LinkedHashMap<String, Object> m = new LinkedHashMap<>(entries);
        m.remove(key);
        return new Dict(m);
    }

    /** A plain mutable deep copy (Flax's unfreeze). */
    public Map<String, Object> unfreeze() {
        LinkedHashMap<String, Object> m = new LinkedHashMap<>();
        for (var e : entries.entrySet()) m.put(e.getKey(), e.getValue() instanceof Dict d ? d.unfreeze() : e.getValue());
        return m;
    }

    private static List<String> sortedKeys(Dict d) { return d.entries.keySet().stream().sorted().toList(); }

    private static List<Object> sortedValues(Dict d) { return sortedKeys(d).stream().map(d.entries::get).toList(); }

    private static Dict fromSorted(List<String> keys, List<Object> children) {
        LinkedHashMap<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) m.put(keys.get(i), children.get(i));
        return new Dict(m);
    }

    @SuppressWarnings("unchecked")
    private static List<String> castKeys(Object meta) { return (List<String>) meta; }

    @SuppressWarnings("unchecked")
    static Map<String, Object> cast(Map<?, ?> m) { return (Map<String, Object>) m; }

    /** Prints like Flax's dicts: {@code {params: {Dense_0: {bias: ..., kernel: ...}}}}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        boolean first = true;
        for (var e : entries.entrySet()) {
            if (!first) sb.append(", ");
            first = false;
            sb.append(e.getKey()).append(": ").append(e.getValue() instanceof int[] a ? java.util.Arrays.toString(a) : e.getValue());
        }
        return sb.append('}').toString();
    }
}
