package io.jax4j.linen;

import io.jax4j.Array;
import io.jax4j.core.Jax4jException;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** Options of {@code apply}: which collections are mutable, and the rng streams. Combine with {@link #and}. */
public record Apply(Set<String> mutable, boolean allMutable, Map<String, Array> rngs) {

    /** {@code mutable=["batch_stats", ...]}. */
    public static Apply mutable(String... collections) { return new Apply(Set.of(collections), false, Map.of()); }

    /** {@code mutable=True}: every collection may change. */
    public static Apply mutableAll() { return new Apply(Set.of(), true, Map.of()); }

    /** {@code rngs={"dropout": key}}. */
    public static Apply rngs(String stream, Array key) { return new Apply(Set.of(), false, Map.of(stream, key)); }

    public static Apply rngs(Map<String, Array> streams) { return new Apply(Set.of(), false, Map.copyOf(streams)); }

    public Apply and(Apply other) {
        Set<String> m = new LinkedHashSet<>(mutable);
        m.addAll(other.mutable);
        Map<String, Array> r = new LinkedHashMap<>(rngs);
        r.putAll(other.rngs);
        return new Apply(Set.copyOf(m), allMutable || other.allMutable, Map.copyOf(r));
    }

    static Apply combine(Apply... options) {
        Apply a = new Apply(Set.of(), false, Map.of());
        for (Apply o : options) a = a.and(o);
        return a;
    }

    static Scope rootScope(LinenModule module, Variables variables, Map<String, Array> rngs, Set<String> mutable,
                           boolean allMutable, boolean initializing) {
        Map<String, RngStream> streams = new LinkedHashMap<>();
        for (var e : rngs.entrySet()) {
            Array key = e.getValue();
            if (key == null) throw new Jax4jException("rng stream '" + e.getKey() + "' is null");
            if (key.ndim() != 1 || key.dim(0) != 2 || key.dtype() != io.jax4j.DType.U32) {
                throw new Jax4jException("rng stream '" + e.getKey() + "' must be a PRNG key u32[2] (Random.key(seed)), got " + key.aval().str());
            }
            streams.put(e.getKey(), new RngStream(key, java.util.List.of()));
        }
        Scope.Root root = new Scope.Root(variables, mutable, allMutable, initializing);
        return new Scope(root, null, null, streams, module);
    }
}
