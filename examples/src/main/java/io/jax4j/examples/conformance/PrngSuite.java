package io.jax4j.examples.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Random;
import io.jax4j.linen.Dense;

import java.util.Iterator;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code prng_*.json}: JAX's threefry2x32 PRNG (partitionable) bit for bit. For every seed of
 * {@code keys}, every entry (case {@code seed_<seed>}, field = entry name, parsed by
 * {@link PrngEntries}); {@code fold_in} gives one check per integer ({@code fold_in[7]}). Then the
 * {@code initializers} (called with {@code PRNGKey(0)}) and {@code flax_dense_init}
 * ({@code nn.Dense(4).init(PRNGKey(0), ones((1, 3)))}, the features read from the bias shape).
 *
 * <p>Tolerance: keys, bits and integers exactly; float32 draws within 1 ulp ({@link #FLOATS}),
 * because XLA's float32 log (inside erf_inv's log1p) and erf are polynomial approximations that the
 * reference reproduces only where they round like the correctly rounded value; {@code flax_dense_init}
 * (a lecun-normal kernel scaled after the draw) with the module-init bound {@link FlaxSuite#INIT}.
 */
public final class PrngSuite implements CheckSuite {
    static final Tolerance FLOATS = Tolerance.ulps(1);

    @Override
    public String prefix() { return "prng_"; }

    @Override
    public void run(FixtureFile file, RunOptions options, Report report) {
        JsonNode root = file.root();
        String f = file.name();
        Checks.skipUnknownFields(report, f, "-", root, java.util.Set.of("jax_threefry_partitionable", "keys", "initializers", "flax_dense_init"));
        boolean partitionable = root.path("jax_threefry_partitionable").asBoolean(true);
        for (JsonNode seedEntry : root.path("keys")) {
            if (!seedEntry.isObject() || !seedEntry.has("seed")) {
                report.fail(f, "keys", "", "a seed entry must be an object with a seed: " + FixtureArrays.abbreviate(seedEntry));
                continue;
            }
            String caseName = "seed_" + seedEntry.path("seed").asText("?");
            for (Iterator<Map.Entry<String, JsonNode>> it = seedEntry.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("seed")) continue;
                if (!partitionable) {
                    report.skip(f, caseName, e.getKey(), "the file was written with jax_threefry_partitionable=false; jax4j implements the partitionable threefry");
                } else if (e.getKey().equals("fold_in")) {
                    for (Iterator<Map.Entry<String, JsonNode>> fi = e.getValue().fields(); fi.hasNext(); ) {
                        Map.Entry<String, JsonNode> d = fi.next();
                        Checks.array(report, f, caseName, "fold_in[" + d.getKey() + "]", d.getValue(), FLOATS, () -> {
                            int data = (int) Long.parseLong(d.getKey());
                            return Checks.call(options, (Array k) -> Random.foldIn(k, data), key(seedEntry));
                        });
                    }
                } else {
                    Checks.array(report, f, caseName, e.getKey(), e.getValue(), FLOATS, () -> {
                        Function<Array, Array> draw = PrngEntries.draw(e.getKey());
                        return Checks.call(options, draw::apply, key(seedEntry));
                    });
                }
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("initializers").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Checks.array(report, f, "initializers", e.getKey(), e.getValue(), FLOATS, () -> {
                PrngEntries.InitializerEntry init = PrngEntries.initializer(e.getKey());
                return Checks.call(options, (Array k) -> init.init().apply(k, init.shape(), DType.F32), Random.key(0));
            });
        }
        if (root.has("flax_dense_init")) {
            JsonNode expected = root.get("flax_dense_init");
            Checks.tree(report, f, "flax_dense_init", "variables", expected, FlaxSuite.INIT, () -> {
                int features = FixtureArrays.shape(expected.path("params").path("bias"))[0];
                Dense d = new Dense(features);
                int in = FixtureArrays.shape(expected.path("params").path("kernel"))[0];
                return Checks.call(options, (Array k) -> d.init(k, () -> d.call(Array.ones(1, in))), Random.key(0));
            });
        }
    }

    private static Array key(JsonNode seedEntry) {
        return Random.key(seedEntry.get("seed").asLong());
    }
}
