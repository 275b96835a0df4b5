package io.jax4j.core;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Every primitive, by name, in definition order; the coverage test walks it. */
public final class PrimitiveRegistry {
    private static final Map<String, Primitive> ALL = new LinkedHashMap<>();

    private PrimitiveRegistry() {}

    static synchronized void register(Primitive p) {
        if (ALL.containsKey(p.name())) throw new IllegalStateException("primitive '" + p.name() + "' defined twice");
        ALL.put(p.name(), p);
    }

    /** All primitives (loads the standard families first). */
    public static synchronized Collection<Primitive> all() {
        io.jax4j.prims.Primitives.load();
        return Collections.unmodifiableCollection(ALL.values());
    }

    public static synchronized Primitive byName(String name) {
        io.jax4j.prims.Primitives.load();
        Primitive p = ALL.get(name);
        if (p == null) throw new Jax4jException("unknown primitive '" + name + "'");
        return p;
    }
}
