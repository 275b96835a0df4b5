package io.jax4j.examples.conformance;

import io.jax4j.Array;
import io.jax4j.Init;
import io.jax4j.Random;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The names of {@code prng_*.json} entries parsed into the draws they stand for (as
 * {@code generate/jax_fixtures.py} writes them): {@code key_data}, {@code split<n>},
 * {@code bits32_<shape>}, {@code uniform_<shape>}, {@code normal_<shape>},
 * {@code truncated_normal_<shape>} (bounds -2, 2) or {@code truncated_normal_<lo>_<hi>_<shape>},
 * {@code bernoulli_<p>_<shape>}, {@code randint_<lo>_<hi>_<shape>}, {@code permutation_<n>}; a shape
 * is {@code 8} or {@code 3x5}. Initializer entries are {@code <initializer>_<shape>} with the
 * initializer {@code lecun_normal}, {@code glorot_uniform}, ... or {@code normal_<stddev>},
 * {@code uniform_<scale>}. A name that does not parse is a {@link Checks.Skip}.
 */
public final class PrngEntries {
    private PrngEntries() {}

    /** The draw an entry name stands for, as a function of the key. */
    public static java.util.function.Function<Array, Array> draw(String name) {
        if (name.equals("key_data")) return k -> k;
        if (name.matches("split\\d+")) {
            int n = Integer.parseInt(name.substring(5));
            return k -> Random.split(k, n);
        }
        String[] p = name.split("_");
        try {
            if (name.startsWith("bits32_") && p.length == 2) return k -> Random.bits(k, shape(p[1]));
            if (name.startsWith("uniform_") && p.length == 2) return k -> Random.uniform(k, shape(p[1]));
            if (name.startsWith("normal_") && p.length == 2) return k -> Random.normal(k, shape(p[1]));
            if (name.startsWith("truncated_normal_") && p.length == 3) return k -> Random.truncatedNormal(k, -2, 2, shape(p[2]));
            if (name.startsWith("truncated_normal_") && p.length == 5) {
                double lo = Double.parseDouble(p[2]), hi = Double.parseDouble(p[3]);
                return k -> Random.truncatedNormal(k, lo, hi, shape(p[4]));
            }
            if (name.startsWith("bernoulli_") && p.length == 3) {
                double prob = Double.parseDouble(p[1]);
                return k -> Random.bernoulli(k, prob, shape(p[2]));
            }
            if (name.startsWith("randint_") && p.length == 4) {
                int lo = Integer.parseInt(p[1]), hi = Integer.parseInt(p[2]);
                return k -> Random.randint(k, shape(p[3]), lo, hi);
            }
            if (name.startsWith("permutation_") && p.length == 2) {
                int n = Integer.parseInt(p[1]);
                return k -> Random.permutation(k, n);
            }
        } catch (NumberFormatException e) {
            throw new Checks.Skip("not implemented: cannot parse entry name '" + name + "': " + e.getMessage());
        }
        throw new Checks.Skip("not implemented: unknown PRNG entry '" + name + "'");
    }

    /** Initializers without parameters, by Flax name. */
    private static final Map<String, Supplier<Init.Initializer>> INITIALIZERS = Map.of(
            "lecun_normal", Init::lecunNormal, "lecun_uniform", Init::lecunUniform,
            "glorot_normal", Init::glorotNormal, "glorot_uniform", Init::glorotUniform,
            "he_normal", Init::heNormal, "he_uniform", Init::heUniform);

    /** An initializer entry {@code <initializer>_<shape>}: the initializer and the shape. */
    public record InitializerEntry(Init.Initializer init, int[] shape) {}

    public static InitializerEntry initializer(String name) {
        int cut = name.lastIndexOf('_');
        if (cut < 0) throw new Checks.Skip("not implemented: initializer entry '" + name + "' is not <initializer>_<shape>");
        String init = name.substring(0, cut);
        int[] shape;
        try {
            shape = shape(name.substring(cut + 1));
        } catch (NumberFormatException e) {
            throw new Checks.Skip("not implemented: initializer entry '" + name + "' does not end in a shape");
        }
        Supplier<Init.Initializer> plain = INITIALIZERS.get(init);
        if (plain != null) return new InitializerEntry(plain.get(), shape);
        String[] p = init.split("_");
        try {
            if (p.length == 2 && p[0].equals("normal")) return new InitializerEntry(Init.normal(Double.parseDouble(p[1])), shape);
            if (p.length == 2 && p[0].equals("uniform")) return new InitializerEntry(Init.uniform(Double.parseDouble(p[1])), shape);
        } catch (NumberFormatException e) {
            // falls through to the skip
        }
        throw new Checks.Skip("not implemented: unknown initializer '" + init + "'");
    }

    /** {@code 8} → [8], {@code 3x5} → [3, 5]. */
    static int[] shape(String s) {
        return Arrays.stream(s.split("x")).mapToInt(Integer::parseInt).toArray();
    }
}
