package io.jax4j;

import io.jax4j.core.ArrayImpl;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * JAX's PRNG, bit for bit: every entry of every seed of the prng fixtures (written by JAX 0.11 with
 * jax_threefry_partitionable=True), and Flax's initializers. Integers, bools and keys must be equal.
 * Floats must have the same float32 bits, with one exception allowed: one ulp, because XLA's
 * float32 log (inside erf_inv's log1p) and erf are polynomial approximations that our reference
 * reproduces only where they round like the correctly rounded value (on the public fixtures every
 * float is bit-exact; the test prints any value that needed the ulp).
 *
 * <p>The test iterates over whatever seeds and entries the file holds, parsing each entry's name
 * (e.g. {@code bernoulli_0.1_3x4}); an unknown entry fails rather than being skipped.
 */
class RandomFixtureTest {
    static final String[] FILES = {"/fixtures/prng_public.json"};

    @SuppressWarnings("unchecked")
    static Map<String, Object> load(String resource) throws IOException {
        try (InputStream in = RandomFixtureTest.class.getResourceAsStream(resource)) {
            if (in == null) throw new IOException("missing test resource " + resource);
            return (Map<String, Object>) MiniJson.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @TestFactory
    @SuppressWarnings("unchecked")
    List<DynamicTest> everyEntryOfEverySeed() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (String file : FILES) {
            Map<String, Object> root = load(file);
            assertEquals(Boolean.TRUE, root.get("jax_threefry_partitionable"));
            for (Object o : (List<Object>) root.get("keys")) {
                Map<String, Object> seedEntry = (Map<String, Object>) o;
                long seed = ((Double) seedEntry.get("seed")).longValue();
                for (var e : seedEntry.entrySet()) {
                    if (e.getKey().equals("seed")) continue;
                    tests.add(DynamicTest.dynamicTest("seed " + seed + ": " + e.getKey(), () -> checkEntry(seed, e.getKey(), e.getValue())));
                }
            }
            Map<String, Object> inits = (Map<String, Object>) root.get("initializers");
            for (var e : inits.entrySet()) {
                tests.add(DynamicTest.dynamicTest("initializer " + e.getKey(),
                        () -> checkInitializer(e.getKey(), (Map<String, Object>) e.getValue())));
            }
        }
        assertTrue(tests.size() > 10, "the fixture file holds entries");
        return tests;
    }

    @SuppressWarnings("unchecked")
    static void checkEntry(long seed, String name, Object expected) {
        Array key = Random.key(seed);
        if (name.equals("fold_in")) {
            for (var e : ((Map<String, Object>) expected).entrySet()) {
                int data = (int) Long.parseLong(e.getKey());
                assertSame("fold_in " + data, (Map<String, Object>) e.getValue(), Random.foldIn(key, data));
            }
            return;
        }
        Map<String, Object> arr = (Map<String, Object>) expected;
        assertSame(name, arr, draw(key, name, shapeOf(arr)));
    }

    /** The draw an entry name stands for (as jax_fixtures.py defines them). */
    static Array draw(Array key, String name, int[] shape) {
        String[] parts = name.split("_");
        if (name.equals("key_data")) return key;
        if (name.startsWith("split")) return Random.split(key, Integer.parseInt(name.substring(5)));
        if (name.startsWith("bits32_")) return Random.bits(key, shape);
        if (name.startsWith("uniform_")) return Random.uniform(key, shape);
        if (name.startsWith("normal_")) return Random.normal(key, shape);
        if (name.startsWith("truncated_normal_")) return Random.truncatedNormal(key, -2, 2, shape);
        if (name.startsWith("bernoulli_")) return Random.bernoulli(key, Double.parseDouble(parts[1]), shape);
        if (name.startsWith("randint_")) {
            return Random.randint(key, shape, Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
        }
        if (name.startsWith("permutation_")) return Random.permutation(key, Integer.parseInt(parts[1]));
        return fail("unknown fixture entry '" + name + "': teach RandomFixtureTest.draw what it computes");
    }

    static void checkInitializer(String name, Map<String, Object> expected) {
        Init.Initializer init = initializer(name);
        assertSame(name, expected, init.apply(Random.key(0), shapeOf(expected), DType.F32));
    }

    static Init.Initializer initializer(String name) {
        String[] known = {"lecun_normal", "lecun_uniform", "glorot_normal", "glorot_uniform", "he_normal", "he_uniform"};
        List<Function<Void, Init.Initializer>> make = List.of(v -> Init.lecunNormal(), v -> Init.lecunUniform(),
                v -> Init.glorotNormal(), v -> Init.glorotUniform(), v -> Init.heNormal(), v -> Init.heUniform());
        for (int i = 0; i < known.length; i++) if (name.startsWith(known[i] + "_")) return make.get(i).apply(null);
        String[] parts = name.split("_");
        if (parts[0].equals("normal")) return Init.normal(Double.parseDouble(parts[1]));
        if (parts[0].equals("uniform")) return Init.uniform(Double.parseDouble(parts[1]));
        return fail("unknown initializer entry '" + name + "'");
    }

    // ---------------------------------------------------------------- comparison

    @SuppressWarnings("unchecked")
    static int[] shapeOf(Map<String, Object> arr) {
        return ((List<Object>) arr.get("shape")).stream().mapToInt(o -> ((Double) o).intValue()).toArray();
    }

    /** Integers and bools exactly; float32 bit-exactly or within one ulp (see the class comment). */
    @SuppressWarnings("unchecked")
    static void assertSame(String what, Map<String, Object> expected, Array actual) {
        assertArrayEquals(shapeOf(expected), actual.shape(), what + ": shape");
        String dtype = (String) expected.get("dtype");
        assertEquals(dtype, actual.dtype().jaxName(), what + ": dtype");
        List<Object> data = (List<Object>) expected.get("data");
        ArrayImpl a = actual.concrete(what);
        for (int i = 0; i < data.size(); i++) {
            Object e = data.get(i);
            switch (dtype) {
                case "bool" -> assertEquals((Boolean) e ? 1L : 0L, a.getLong(i), what + "[" + i + "]");
                case "float32" -> {
                    float want = ((Double) e).floatValue(), got = (float) a.getDouble(i);
                    int ulps = Math.abs(Float.floatToIntBits(want) - Float.floatToIntBits(got));
                    if (ulps != 0) ULP_DIFFS.add(what + "[" + i + "]: want " + want + " got " + got);
                    assertTrue(ulps <= 1, what + "[" + i + "]: want " + want + " got " + got + " (" + ulps + " ulps)");
                }
                default -> assertEquals(((Double) e).longValue(), a.getLong(i), what + "[" + i + "]");
            }
        }
    }

    static final List<String> ULP_DIFFS = java.util.Collections.synchronizedList(new ArrayList<>());

    @org.junit.jupiter.api.AfterAll
    static void report() {
        if (!ULP_DIFFS.isEmpty()) System.out.println("RandomFixtureTest: " + ULP_DIFFS.size() + " float(s) 1 ulp off: " + ULP_DIFFS);
    }
}
