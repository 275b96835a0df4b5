package io.jax4j.linen;

import io.jax4j.tree.Tree;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Flax's variables: collection name ({@code params}, {@code batch_stats}, ...) to a nested dict by
 * module path. A pytree, so it can be passed to jit and grad.
 */
public final class Variables extends Dict {
    static {
        Tree.register(Variables.class,
                v -> new Tree.Children(v.keySet().stream().sorted().<Object>map(v::get).toList(), v.keySet().stream().sorted().toList(),
                        v.keySet().stream().sorted().toList()),
                (meta, children) -> {
                    @SuppressWarnings("unchecked") List<String> keys = (List<String>) meta;
                    LinkedHashMap<String, Object> m = new LinkedHashMap<>();
                    for (int i = 0; i < keys.size(); i++) m.put(keys.get(i), children.get(i));
                    return new Variables(m);
                });
    }

    Variables(Map<String, Object> collections) { super(collections); }

    public static Variables empty() { return new Variables(Map.of()); }

    public static Variables of(String collection, Object value) { return new Variables(Map.of(collection, toDict(value))); }

    public static Variables of(String c1, Object v1, String c2, Object v2) {
        LinkedHashMap<String, Object> m = new LinkedHashMap<>();
        m.put(c1, toDict(v1));
        m.put(c2, toDict(v2));
        return new Variables(m);
    }

    /** Variables from a map of collections (plain maps are converted to {@link Dict}s). */
    public static Variables copyOf(Map<String, ?> collections) {
        LinkedHashMap<String, Object> m = new LinkedHashMap<>();
        for (var e : collections.entrySet()) m.put(e.getKey(), toDict(e.getValue()));
        return new Variables(m);
    }

    private static Object toDict(Object v) {
        if (v instanceof Dict) return v;
        if (v instanceof Map<?, ?> m) return Dict.copyOf(cast(m));
        return v;
    }

    /** The collection {@code name} (empty if absent). */
    @Override
    public Dict get(Object name) { return dict((String) name); }

    public Variables withCollection(String name, Object value) {
        LinkedHashMap<String, Object> m = new LinkedHashMap<>(this);
        m.put(name, toDict(value));
        return new Variables(m);
    }

    /** These variables with the collections of {@code updates} replacing ours. */
    public Variables merge(Variables updates) {
        LinkedHashMap<String, Object> m = new LinkedHashMap<>(this);
        m.putAll(updates);
        return new Variables(m);
    }
}
