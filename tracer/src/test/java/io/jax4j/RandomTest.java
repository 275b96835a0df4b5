package io.jax4j;

import io.jax4j.core.ArrayImpl;
import io.jax4j.core.Jax4jException;
import io.jax4j.core.JitFunction;
import io.jax4j.core.Primitive;
import io.jax4j.core.StagingTrace;
import io.jax4j.core.Vmap;
import io.jax4j.prims.RandomPrimitives;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Random and Init under jit and vmap, f64, choice/categorical, errors, the key-reuse check, erf_inv's rules. */
class RandomTest {
    @AfterEach
    void reuseOff() { Random.checkKeyReuse(false); }

    /** Every sampler of the facade as a function of a key, for the jit/vmap equivalence tests. */
    static final List<java.util.Map.Entry<String, java.util.function.Function<Array, Array>>> DRAWS = List.of(
            java.util.Map.entry("bits", k -> Random.bits(k, 3, 5)),
            java.util.Map.entry("uniform", k -> Random.uniform(k, new int[]{4}, DType.F32, -2, 3)),
            java.util.Map.entry("uniform_f64", k -> Random.uniform(k, new int[]{4}, DType.F64, 0, 1)),
            java.util.Map.entry("normal", k -> Random.normal(k, 2, 3)),
            java.util.Map.entry("normal_f64", k -> Random.normal(k, new int[]{5}, DType.F64)),
            java.util.Map.entry("truncated_normal", k -> Random.truncatedNormal(k, -1, 2, 6)),
            java.util.Map.entry("bernoulli", k -> Random.bernoulli(k, 0.3, 7)),
            java.util.Map.entry("randint", k -> Random.randint(k, new int[]{6}, -5, 17)),
            java.util.Map.entry("permutation", k -> Random.permutation(k, 9)),
            java.util.Map.entry("permutation_2d", k -> Random.permutation(k, Array.arange(12).reshape(4, 3))),
            java.util.Map.entry("split", k -> Random.split(k, 3)),
            java.util.Map.entry("fold_in", k -> Random.foldIn(k, 77)),
            java.util.Map.entry("choice", k -> Random.choice(k, 10, new int[]{4}, false, null)),
            java.util.Map.entry("choice_p", k -> Random.choice(k, 4, new int[]{6}, true, Array.of(0.1f, 0.2f, 0.3f, 0.4f))),
            java.util.Map.entry("categorical", k -> Random.categorical(k, Array.of(new float[][]{{0, 1, 2}, {3, 1, 0}}))),
            java.util.Map.entry("glorot_uniform", k -> Init.glorotUniform().apply(k, 3, 4)),
            java.util.Map.entry("lecun_normal", k -> Init.lecunNormal().apply(k, 2, 2, 3)),
            java.util.Map.entry("wald", k -> Random.wald(k, Array.of(0.5f, 1f, 3f))),
            java.util.Map.entry("ball", k -> Random.ball(k, 3, 4)));

    @Test
    void jitEqualsEager() {
        Array key = Random.key(7);
        for (var d : DRAWS) {
            Array eager = d.getValue().apply(key);
            JitFunction f = new JitFunction(args -> d.getValue().apply((Array) args.get(0)), d.getKey(), Set.of());
            Array jitted = (Array) f.call(List.of(key));
            assertBitsEqual(d.getKey() + " under jit", eager, jitted);
        }
    }

    @Test
    void vmapOverSplitKeysEqualsPerKeyDraws() {
        Array keys = Random.split(Random.key(11), 3);
        for (var d : DRAWS) {
            Array batched = (Array) Vmap.apply(args -> d.getValue().apply((Array) args.get(0)), d.getKey(), List.of(0), 0, List.of(keys));
            for (int i = 0; i < 3; i++) {
                long[] k = keys.concrete("keys").toLongs();
                Array ki = ArrayImpl.ofLongs(ShapedArray.of(DType.U32, 2), new long[]{k[2 * i], k[2 * i + 1]});
                Array eager = d.getValue().apply(ki);
                assertBitsEqual(d.getKey() + " under vmap, key " + i, eager, row(batched, i));
            }
        }
    }

    @Test
    void foldInTracesAStepCounter() {
        Array key = Random.key(1);
        JitFunction f = new JitFunction(args -> Random.foldIn(key, (Array) args.get(0)), "fold", Set.of());
        for (int step : new int[]{0, 5, 123456}) {
            assertBitsEqual("foldIn " + step, Random.foldIn(key, step), (Array) f.call(List.of(Array.scalar(step))));
        }
        assertEquals(1, f.traceCount(), "one trace for every step value");
    }

    @Test
    void keysAreValues() {
        Array k = Random.key(3);
        assertBitsEqual("same key, same numbers", Random.normal(k, 4), Random.normal(k, 4));
        assertNotEquals(Arrays.toString(Random.normal(Random.key(4), 4).toFloatArray()), Arrays.toString(Random.normal(k, 4).toFloatArray()));
        assertArrayEquals(new long[]{0, 42}, Random.key(42).concrete("k").toLongs());
    }

    @Test
    void waldAndBallHaveTheirMomentsAndSupport() {
        int n = 20_000;
        for (double mu : new double[]{0.5, 2.0}) {
            double[] w = Random.wald(Random.key(21), Array.scalar(mu, DType.F64), new int[]{n}, DType.F64).toDoubleArray();
            double mean = Arrays.stream(w).average().orElseThrow();
            double var = Arrays.stream(w).map(v -> (v - mean) * (v - mean)).sum() / (n - 1);
            assertTrue(Arrays.stream(w).allMatch(v -> v > 0), "Wald samples are positive");
            assertEquals(mu, mean, 0.03 * mu * Math.sqrt(mu), "Wald mean");
            assertEquals(mu * mu * mu, var, 0.1 * mu * mu * mu, "Wald variance mu^3 (lambda = 1)");
        }
        for (double p : new double[]{1, 2, 4}) {
            float[] b = Random.ball(Random.key(22), 2, p, new int[]{n}, DType.F32).toFloatArray();
            double r2 = 0;
            for (int i = 0; i < n; i++) {
                double x = b[2 * i], y = b[2 * i + 1];
                assertTrue(Math.pow(Math.abs(x), p) + Math.pow(Math.abs(y), p) <= 1 + 1e-6, "inside the unit L" + p + " ball");
                r2 += x * x + y * y;
            }
            if (p == 2) assertEquals(0.5, r2 / n, 0.01, "uniform in the disk: E[r^2] = 1/2");
        }
        assertArrayEquals(new int[]{5, 7, 3}, Random.ball(Random.key(1), 3, 5, 7).shape());
    }

    @Test
    void distributionsLookRight() {
        Array k = Random.key(0);
        double[] u = Random.uniform(k, new int[]{4000}, DType.F64, 2, 4).toDoubleArray();
        assertTrue(Arrays.stream(u).allMatch(v -> v >= 2 && v < 4));
        assertEquals(3, Arrays.stream(u).average().orElseThrow(), 0.05);
        double[] n = Random.normal(k, new int[]{4000}, DType.F64).toDoubleArray();
        double mean = Arrays.stream(n).average().orElseThrow(), var = Arrays.stream(n).map(v -> v * v).average().orElseThrow();
        assertEquals(0, mean, 0.06);
        assertEquals(1, var, 0.08);
        float[] t = Random.truncatedNormal(k, -0.5, 1.5, 2000).toFloatArray();
        for (float v : t) assertTrue(v > -0.5f && v < 1.5f, "truncated normal in the open interval: " + v);
        int[] perm = Random.permutation(k, 50).toIntArray();
        int[] sorted = perm.clone();
        Arrays.sort(sorted);
        assertArrayEquals(Array.arange(50).toIntArray(), sorted, "a permutation");
        int[] noRepeat = Random.choice(k, 20, new int[]{20}, false, null).toIntArray();
        assertEquals(20, Arrays.stream(noRepeat).distinct().count(), "choice without replacement repeats nothing");
        int[] weighted = Random.choice(k, 3, new int[]{3000}, true, Array.of(0f, 0.25f, 0.75f)).toIntArray();
        assertEquals(0, Arrays.stream(weighted).filter(v -> v == 0).count(), "p=0 is never drawn");
        assertEquals(0.75, Arrays.stream(weighted).filter(v -> v == 2).count() / 3000.0, 0.04);
        int[] cat = Random.categorical(k, Np.log(Array.of(new float[][]{{0.2f, 0.8f}})).reshape(1, 2).add(Array.zeros(500, 2)), -1).toIntArray();
        assertEquals(0.8, Arrays.stream(cat).sum() / 500.0, 0.06);
        int[] r = Random.randint(k, new int[]{1000}, -3, 4).toIntArray();
        assertTrue(Arrays.stream(r).allMatch(v -> v >= -3 && v < 4));
        assertEquals(7, Arrays.stream(r).distinct().count());
    }

    @Test
    void initializersUseJaxsFans() {
        // conv kernel 3x3x2x4: fan_in = 2·9, fan_out = 4·9; zeros/ones/constant are exact
        assertArrayEquals(new double[]{18, 36}, Init.computeFans(new int[]{3, 3, 2, 4}, new int[]{-2}, new int[]{-1}));
        Array w = Init.heUniform().apply(Random.key(0), 3, 3, 2, 4);
        double bound = Math.sqrt(3 * 2.0 / 18);
        for (float v : w.toFloatArray()) assertTrue(Math.abs(v) < bound + 1e-6);
        assertArrayEquals(new float[]{0, 0, 0}, Init.zeros().apply(Random.key(0), 3).toFloatArray());
        assertArrayEquals(new float[]{2.5f, 2.5f}, Init.constant(2.5).apply(Random.key(0), 2).toFloatArray());
        Array u = Init.varianceScaling(1.0, "fan_out", "uniform", 0, 1).apply(Random.key(2), new int[]{5, 8}, DType.F64);
        assertEquals(DType.F64, u.dtype());
        assertThrows(Jax4jException.class, () -> Init.lecunNormal().apply(Random.key(0), 5));
    }

    // ---------------------------------------------------------------- errors

    @Test
    void badInputsSayWhatIsWrong() {
        Array k = Random.key(0);
        assertMessage(() -> Random.normal(k, 3, -1), "Random.normal", "[3, -1]", "negative");
        assertMessage(() -> Random.bernoulli(k, 1.5, 3), "Random.bernoulli", "[0, 1]", "1.5");
        assertMessage(() -> Random.bernoulli(k, Array.of(0.5f, -0.1f), 2), "[0, 1]", "-0.1");
        assertMessage(() -> Random.randint(k, new int[]{2}, 5, 5), "Random.randint", "maxval", "minval=5");
        assertMessage(() -> Random.randint(k, new int[]{2}, Array.scalar(4), Array.scalar(1)), "Random.randint", "maxval=1");
        assertMessage(() -> Random.uniform(Array.of(1f, 2f), 3), "Random.uniform", "u32[2]", "f32[2]");
        assertMessage(() -> Random.split(ArrayImpl.ofLongs(ShapedArray.of(DType.U32, 3), new long[3])), "u32[2]", "u32[3]");
        assertMessage(() -> Random.normal(Random.split(k, 4), 2), "u32[4,2]", "vmap");
        assertMessage(() -> Random.uniform(k, new int[]{2}, DType.I32, 0, 1), "float dtype", "int32");
        assertMessage(() -> Random.choice(k, 3, new int[]{5}, false, null), "larger sample");
        assertMessage(() -> Random.bernoulli(k, Array.of(0.5f, 0.1f), 3), "Random.bernoulli", "broadcast", "[3]");
        assertArrayEquals(new int[]{2}, Random.bernoulli(k, Array.of(0.5f, 0.1f)).shape(), "shape defaults to p's");
    }

    // ---------------------------------------------------------------- key reuse

    @Test
    void keyReuseInOneTracedFunctionNamesBothUses() {
        Random.checkKeyReuse(true);
        JitFunction reuse = new JitFunction(args -> {
            Array key = (Array) args.get(0);
            Array a = Random.normal(key, 3);
            Array b = Random.uniform(key, 3);
            return a.add(b);
        }, "reuse", Set.of());
        Jax4jException e = assertThrows(Random.KeyReuseError.class, () -> reuse.call(List.of(Random.key(0))));
        assertTrue(e.getMessage().contains("Random.normal") && e.getMessage().contains("Random.uniform"), e.getMessage());
        assertTrue(e.getMessage().contains("RandomTest.java"), "names the call sites: " + e.getMessage());

        JitFunction splitThenUse = new JitFunction(args -> {
            Array key = (Array) args.get(0);
            Array sub = Random.split(key);
            return Random.normal(key, 2);
        }, "splitThenUse", Set.of());
        assertThrows(Random.KeyReuseError.class, () -> splitThenUse.call(List.of(Random.key(0))), "split consumes the key");

        JitFunction fine = new JitFunction(args -> {
            Array k1 = Random.foldIn((Array) args.get(0), 1);
            return Random.normal(k1, 2).add(Random.uniform(Random.key(9), 2));
        }, "fine", Set.of());
        fine.call(List.of(Random.key(0)));

        // eager use is not checked (only inside one traced function), nor is it after turning the check off
        Array k = Random.key(5);
        Random.normal(k, 2);
        Random.normal(k, 2);
        Random.checkKeyReuse(false);
        JitFunction off = new JitFunction(args -> Random.normal((Array) args.get(0), 2).add(Random.normal((Array) args.get(0), 2)), "off", Set.of());
        off.call(List.of(Random.key(0)));
    }

    // ---------------------------------------------------------------- primitive rules

    @Test
    void erfInvInvertsErfAndHasTheRightDerivative() {
        double[] xs = {-0.999, -0.6, -0.1, 0, 0.3, 0.77, 0.9999};
        Array x = Array.fromDoubles(DType.F64, xs, xs.length);
        double[] y = Lax.erfInv(x).toDoubleArray();
        double[] back = Lax.erf(Array.fromDoubles(DType.F64, y, y.length)).toDoubleArray();
        for (int i = 0; i < xs.length; i++) assertEquals(xs[i], back[i], 1e-13, "erf(erf_inv x) = x");
        Array t = Array.fromDoubles(DType.F64, new double[]{1, 1, 1, 1, 1, 1, 1}, xs.length);
        Primitive.JvpResult r = RandomPrimitives.ERF_INV.jvpRule().apply(io.jax4j.core.Params.NONE, List.of(x), List.of(t));
        double[] tangent = r.tangents().getFirst().toDoubleArray();
        for (int i = 0; i < xs.length; i++) {
            if (Math.abs(xs[i]) > 0.99) continue; // finite differences are too noisy this close to the pole
            double h = 1e-6;
            double fd = (erfInvD(xs[i] + h) - erfInvD(xs[i] - h)) / (2 * h);
            assertEquals(fd, tangent[i], 1e-5 * Math.max(1, Math.abs(fd)), "d erf_inv at " + xs[i]);
        }
        assertEquals(Float.POSITIVE_INFINITY, Lax.erfInv(Array.of(1f)).toFloatArray()[0]);
    }

    @Test
    void threefryMatchesTheKnownAnswerAndBatches() {
        // Random123's known-answer test for threefry2x32_20: key (0x13198a2e, 0x03707344), counter (0x243f6a88, 0x85a308d3)
        List<Array> out = Lax.threefry2x32(u32(0x13198a2eL), u32(0x03707344L), u32(0x243f6a88L), u32(0x85a308d3L));
        assertEquals(0xc4923a9cL, out.get(0).concrete("y0").getLong(0));
        assertEquals(0x483df7a0L, out.get(1).concrete("y1").getLong(0));
        StagingTrace t = new StagingTrace("threefry");
        Array k = t.newArg(ShapedArray.of(DType.U32, 2));
        Array bits = t.run(() -> Random.bits(k, 4));
        String jaxpr = t.build(List.of(bits)).toString();
        assertTrue(jaxpr.contains("threefry2x32"), jaxpr);
    }

    // ---------------------------------------------------------------- helpers

    static double erfInvD(double v) { return Lax.erfInv(Array.scalar(v, DType.F64)).item(); }

    static Array u32(long v) { return ArrayImpl.ofLongs(ShapedArray.of(DType.U32), new long[]{v}); }

    static Array row(Array batched, int i) {
        ArrayImpl b = batched.concrete("batched");
        int[] s = b.shape();
        int[] rest = Arrays.copyOfRange(s, 1, s.length);
        int n = (int) (b.size() / s[0]);
        long[] longs = new long[n];
        double[] doubles = new double[n];
        for (int j = 0; j < n; j++) {
            longs[j] = b.getLong((long) i * n + j);
            doubles[j] = b.getDouble((long) i * n + j);
        }
        ShapedArray aval = ShapedArray.of(b.dtype(), rest);
        return b.dtype().isFloating() ? ArrayImpl.ofDoubles(aval, doubles) : ArrayImpl.ofLongs(aval, longs);
    }

    static void assertBitsEqual(String what, Array want, Array got) {
        assertEquals(want.aval().strong(), got.aval().strong(), what + ": aval");
        ArrayImpl a = want.concrete(what), b = got.concrete(what);
        for (long i = 0; i < a.size(); i++) {
            if (a.dtype().isFloating()) {
                assertEquals(Double.doubleToRawLongBits(a.getDouble(i)), Double.doubleToRawLongBits(b.getDouble(i)), what + "[" + i + "]");
            } else assertEquals(a.getLong(i), b.getLong(i), what + "[" + i + "]");
        }
    }

    static void assertMessage(org.junit.jupiter.api.function.Executable call, String... phrases) {
        Jax4jException e = assertThrows(Jax4jException.class, call);
        for (String p : phrases) assertTrue(e.getMessage().contains(p), "'" + p + "' in: " + e.getMessage());
    }
}
