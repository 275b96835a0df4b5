package io.jax4j.linen;

import io.jax4j.Array;
import io.jax4j.core.Jax4jException;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code flax.traverse_util} behaviour: flatten (tuple paths, separators, empty nodes), unflatten, path_aware_map, freeze. */
class TraverseTest {
    static final Array K = Array.ones(2, 2), B = Array.zeros(2), S = Array.ones(3);

    static Dict params() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("backbone", Map.of("Dense_0", Dict.of("kernel", K, "bias", B)));
        m.put("head", Map.of("scale", S));
        m.put("empty", Map.of());
        return Dict.copyOf(m);
    }

    @Test
    void flattenAndUnflattenRoundTrip() {
        Map<List<String>, Object> flat = Traverse.flattenDict(params());
        assertEquals(List.of(List.of("backbone", "Dense_0", "kernel"), List.of("backbone", "Dense_0", "bias"), List.of("head", "scale")),
                List.copyOf(flat.keySet()));
        assertSame(K, flat.get(List.of("backbone", "Dense_0", "kernel")));
        Dict back = Traverse.unflattenDict(flat);
        assertEquals(params().without("empty"), back, "empty nodes are dropped by default");
        Map<List<String>, Object> keep = Traverse.flattenDict(params(), true);
        assertSame(Traverse.EMPTY_NODE, keep.get(List.of("empty")));
        assertEquals(params(), Traverse.unflattenDict(keep), "kept empty nodes come back as {}");
        Map<String, Object> sep = Traverse.flattenDict(params(), "/");
        assertEquals(List.of("backbone/Dense_0/kernel", "backbone/Dense_0/bias", "head/scale"), List.copyOf(sep.keySet()));
        assertEquals(params().without("empty"), Traverse.unflattenDict(sep, "/"));
        var err = assertThrows(Jax4jException.class, () -> Traverse.unflattenDict(Map.of("a", 1, "a/b", 2), "/"));
        assertTrue(err.getMessage().contains("leaf"), err.getMessage());
    }

    @Test
    void pathAwareMapSeesTuplePaths() {
        Dict labels = Traverse.pathAwareMap((path, x) -> path.contains("backbone") ? "frozen" : "trainable", params());
        assertEquals("frozen", labels.at("backbone", "Dense_0", "kernel"));
        assertEquals("frozen", labels.at("backbone", "Dense_0", "bias"));
        assertEquals("trainable", labels.at("head", "scale"));
        assertEquals(Dict.of(), labels.get("empty"), "empty sub-dicts are kept, as Flax's path_aware_map keeps them");
        Dict shapes = Traverse.pathAwareMap((path, x) -> String.join(".", path) + ((Array) x).aval().str(), params());
        assertEquals("head.scalef32[3]", shapes.at("head", "scale"));
    }

    @Test
    void freezeAndUnfreeze() {
        Map<String, Object> plain = Traverse.unfreeze(params());
        assertInstanceOf(LinkedHashMap.class, plain.get("backbone"));
        ((Map<String, Object>) plain.get("head")).put("extra", S);
        Dict frozen = Traverse.freeze(plain);
        assertSame(S, frozen.at("head", "extra"));
        assertInstanceOf(Dict.class, frozen.get("head"));
        assertThrows(UnsupportedOperationException.class, () -> frozen.put("x", 1));
        assertSame(frozen, Traverse.freeze(frozen));
    }
}
