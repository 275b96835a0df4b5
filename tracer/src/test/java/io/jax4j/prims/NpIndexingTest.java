package io.jax4j.prims;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Np;
import io.jax4j.Shape;
import io.jax4j.ShapedArray;
import io.jax4j.core.ArrayImpl;
import io.jax4j.core.Jax4jException;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static io.jax4j.Np.NONE;
import static io.jax4j.prims.RuleChecks.assertClose;
import static io.jax4j.prims.RuleChecks.vals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The jnp-level functions, against JAX's outputs (fixtures) and hand-computed values. */
class NpIndexingTest {

    /** case -> field -> array, from fixtures/indexing_ops.txt (copied from the shared JAX fixtures). */
    private static Map<String, Map<String, Array>> fixtures() throws Exception {
        Map<String, Map<String, Array>> out = new HashMap<>();
        try (var in = NpIndexingTest.class.getResourceAsStream("/fixtures/indexing_ops.txt");
             var reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                if (line.startsWith("#") || line.isBlank()) continue;
                String[] f = line.split(" ");
                int[] shape = f[3].equals("-") ? new int[0] : Arrays.stream(f[3].split(",")).mapToInt(Integer::parseInt).toArray();
                double[] v = Arrays.stream(f, 4, f.length).mapToDouble(Double::parseDouble).toArray();
                out.computeIfAbsent(f[0], k -> new HashMap<>()).put(f[1],
                        ArrayImpl.ofDoubles(new ShapedArray(DType.of(f[2]), Shape.of(shape)), v));
            }
        }
        return out;
    }

    @Test
    void matchesJaxFixtures() throws Exception {
        Map<String, Map<String, Array>> fx = fixtures();
        Map<String, Function<List<Array>, Array>> fns = Map.of(
                "prod1", a -> Np.prod(a.get(0), 1),
                "cumsum1", a -> Np.cumsum(a.get(0), 1),
                "slice", a -> Np.slice(a.get(0), new int[]{1, NONE}, new int[]{NONE, NONE}, new int[]{1, 2}),
                "flip", a -> Np.flip(a.get(0), 1),
                "pad", a -> Np.pad(a.get(0), new int[][]{{1, 0}, {0, 2}}),
                "concat", a -> Np.concatenate(List.of(a.get(0), a.get(0).mul(2)), 0),
                "stack", a -> Np.stack(List.of(a.get(0), a.get(0).mul(a.get(0))), -1),
                "take_along", a -> Np.takeAlongAxis(a.get(0), Np.expandDims(a.get(1).astype(DType.I32), 1), 1),
                "gather_rows", a -> Np.getRows(a.get(0), a.get(1).astype(DType.I32)));
        assertEquals(fns.keySet(), fx.keySet());
        for (var e : fns.entrySet()) {
            Map<String, Array> c = fx.get(e.getKey());
            List<Array> in = c.containsKey("input1") ? List.of(c.get("input0"), c.get("input1")) : List.of(c.get("input0"));
            Array out = e.getValue().apply(in);
            assertArrayEquals(c.get("output").shape(), out.shape(), e.getKey());
            assertClose(vals(c.get("output")), vals(out), 1e-6, e.getKey());
        }
        // prod's JVP (through the rule, no autodiff needed) against JAX's
        var prod = fx.get("prod1");
        var res = Sorting.REDUCE_PROD.jvpRule().apply(new Reductions.AxesParams(io.jax4j.core.Ints.of(1)),
                List.of(prod.get("input0")), List.of(prod.get("tangent0")));
        assertClose(vals(prod.get("jvp")), vals(res.tangents().getFirst()), 1e-5, "prod1 jvp");
    }

    @Test
    void takeFillsOutOfBoundsAndWrapsNegatives() {
        Array x = Array.of(new float[][]{{1, 2, 3}, {4, 5, 6}});
        Array t = Np.take(x, Array.of(2, -1, 3), 1);
        assertArrayEquals(new int[]{2, 3}, t.shape());
        assertClose(new double[]{3, 3, Double.NaN, 6, 6, Double.NaN}, vals(t), 0, "take axis 1");
        assertClose(new double[]{4, 5, 6, 1, 2, 3}, vals(Np.take(x, Array.of(1, 0), 0)), 0, "take axis 0");
        assertClose(new double[]{6, 1}, vals(Np.take(x, Array.of(5, 0))), 0, "take flattened");
        assertClose(new double[]{4, 5, 6, 4, 5, 6}, vals(Np.getRows(x, Array.of(-1, 7))), 0, "x[y] clamps");
        assertArrayEquals(new int[]{2, 2, 2}, Np.take(x, Array.fromInts(new int[]{0, 1, 1, 0}, 2, 2), 1).shape());
        assertClose(new double[]{1, 2, 3}, vals(x.take(Array.of(0), 0)), 0, "fluent take");
        var e = assertThrows(Jax4jException.class, () -> Np.take(x, Array.of(1f), 0));
        assertTrue(e.getMessage().contains("integers"), e.getMessage());
    }

    @Test
    void sortArgsortSplitTileRepeat() {
        Array x = Array.of(new float[][]{{3, 1, 2}, {0, 5, -1}});
        assertClose(new double[]{1, 2, 3, -1, 0, 5}, vals(Np.sort(x, -1)), 0, "sort");
        assertClose(new double[]{1, 2, 0, 2, 0, 1}, vals(Np.argsort(x, 1)), 0, "argsort");
        assertEquals(DType.I32, Np.argsort(x, 1).dtype());
        assertClose(new double[]{0, 1, -1, 3, 5, 2}, vals(Np.sort(x, 0)), 0, "sort axis 0");
        List<Array> parts = Np.split(Array.of(0f, 1f, 2f, 3f, 4f, 5f), 3, 0);
        assertEquals(3, parts.size());
        assertClose(new double[]{2, 3}, vals(parts.get(1)), 0, "split");
        List<Array> cuts = Np.split(Array.of(0f, 1f, 2f, 3f, 4f), new int[]{1, 3}, 0);
        assertClose(new double[]{1, 2}, vals(cuts.get(1)), 0, "split at indices");
        assertClose(new double[]{3, 4}, vals(cuts.get(2)), 0, "split tail");
        assertThrows(Jax4jException.class, () -> Np.split(Array.of(0f, 1f, 2f), 2, 0));
        assertClose(new double[]{1, 2, 1, 2, 1, 2, 1, 2}, vals(Np.tile(Array.of(1f, 2f), 2, 2)), 0, "tile");
        assertArrayEquals(new int[]{2, 4}, Np.tile(Array.of(1f, 2f), 2, 2).shape());
        assertClose(new double[]{3, 3, 1, 1, 2, 2, 0, 0, 5, 5, -1, -1}, vals(Np.repeat(x, 2, 1)), 0, "repeat");
        assertClose(new double[]{6, 0}, vals(Np.prod(x, 1)), 0, "prod");
        assertClose(new double[]{3, 4, 6, 0, 5, 4}, vals(Np.cumsum(x, 1)), 0, "cumsum");
        assertClose(new double[]{3, 3, 6, 0, 0, 0}, vals(Np.cumprod(x, 1)), 0, "cumprod");
        assertEquals(DType.I32, Np.cumsum(Array.of(true, false, true), 0).dtype());
    }

    @Test
    void pythonSlicingIncludingNegativeSteps() {
        Array x = Array.fromFloats(new float[]{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 3, 4);
        assertClose(new double[]{11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0},
                vals(Np.slice(x, new int[]{}, new int[]{}, new int[]{-1, -1})), 0, "x[::-1, ::-1]");
        assertClose(new double[]{7, 5, 3, 1}, vals(Np.slice(x, new int[]{-2, -1}, new int[]{NONE, 0}, new int[]{-1, -2})), 0,
                "x[-2::-1, -1:0:-2]");
        assertArrayEquals(new int[]{0, 4}, Np.slice(x, new int[]{2}, new int[]{1}, new int[]{1}).shape());
        assertClose(new double[]{2, 3, 6, 7}, vals(x.slice(new int[]{0, 2}, new int[]{2, 100}, new int[]{1, 1})), 0, "x[0:2, 2:100]");
        assertThrows(Jax4jException.class, () -> Np.slice(x, new int[]{0}, new int[]{1}, new int[]{0}));
        assertClose(new double[]{3, 2, 1, 0}, vals(x.flip(0, 1).slice(new int[]{2}, new int[]{3}, new int[]{1})), 0, "flip");
    }

    @Test
    void eyeTriangleStackConcatenatePad() {
        assertClose(new double[]{0, 1, 0, 0, 0, 1}, vals(Np.eye(2, 3, 1, DType.F32)), 0, "eye k=1");
        assertClose(new double[]{1, 0, 0, 1}, vals(Np.eye(2)), 0, "eye");
        Array m = Array.fromFloats(new float[]{1, 2, 3, 4, 5, 6, 7, 8, 9}, 3, 3);
        assertClose(new double[]{1, 2, 3, 0, 5, 6, 0, 0, 9}, vals(Np.triu(m, 0)), 0, "triu");
        assertClose(new double[]{0, 0, 0, 4, 0, 0, 7, 8, 0}, vals(Np.tril(m, -1)), 0, "tril");
        Array c = Np.concatenate(List.of(Array.of(1, 2), Array.of(0.5f)), 0);
        assertEquals(DType.F32, c.dtype());
        assertClose(new double[]{1, 2, 0.5}, vals(c), 0, "concatenate promotes");
        assertArrayEquals(new int[]{2, 3}, Np.stack(List.of(Array.of(1f, 2f, 3f), Array.of(4f, 5f, 6f)), 0).shape());
        assertClose(new double[]{7, 1, 2, 7}, vals(Np.pad(Array.of(1f, 2f), new int[][]{{1, 1}}, 7)), 0, "pad constant");
        var e = assertThrows(Jax4jException.class, () -> Np.stack(List.of(Array.of(1f), Array.of(1f, 2f)), 0));
        assertTrue(e.getMessage().contains("f32[1]") && e.getMessage().contains("f32[2]"), e.getMessage());
        assertClose(new double[]{0, 1, 2}, vals(Np.iota(3)), 0, "iota");
    }
}
