package io.jax4j.prims;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Lax;
import io.jax4j.Np;
import io.jax4j.Pooling;
import io.jax4j.core.Ints;
import io.jax4j.core.Jax4jException;
import io.jax4j.core.Primitive;
import io.jax4j.core.UndefinedPrimal;
import io.jax4j.core.Vmap;
import io.jax4j.prims.Windows.SelectParams;
import io.jax4j.prims.Windows.SelectPrim;
import io.jax4j.prims.Windows.WindowParams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static io.jax4j.prims.OpsFixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WindowsTest {

    /** The NHWC window of a fixture's flax pool: (1, window, 1), strides (1, strides, 1), padding from padtype_to_pads. */
    private static WindowParams poolWindow(Array x, int[] window, int[] strides, String padding) {
        int[] dims = {1, window[0], window[1], 1}, st = {1, strides[0], strides[1], 1};
        return WindowParams.of(dims, st, Convolution.padtypeToPads(x.shape(), dims, st, padding));
    }

    @ParameterizedTest
    @ValueSource(strings = {"avg_pool", "avg_pool_same"})
    void avgPoolFixture(String name) {
        OpsFixtures.Case c = OpsFixtures.get(name);
        Array x = c.inputs().getFirst();
        boolean same = name.equals("avg_pool_same");
        int[] window = same ? new int[]{3, 3} : new int[]{2, 2}, strides = same ? new int[]{1, 1} : new int[]{2, 2};
        String padding = same ? "SAME" : "VALID";
        assertClose(c.output(), Pooling.avgPool(x, window, strides, padding), name + " output");
        // avg_pool = reduce_window_sum / |window|: JVP and VJP through the rules of reduce_window_sum
        WindowParams p = poolWindow(x, window, strides, padding);
        double size = window[0] * window[1];
        Primitive.JvpResult jvp = Windows.REDUCE_WINDOW_SUM.jvpRule().apply(p, List.of(x), c.tangents());
        assertClose(c.jvp(), Lax.div(jvp.tangents().getFirst(), Lax.scalarLike(x, size)), name + " jvp");
        Array ct = Lax.div(c.cotangent(), Lax.scalarLike(x, size));
        Array vjp = Windows.REDUCE_WINDOW_SUM.transposeRule().apply(p, List.of(ct), List.of(new UndefinedPrimal(x.aval()))).getFirst();
        assertClose(c.vjp().getFirst(), vjp, name + " vjp");
    }

    @Test
    void maxPoolFixture() {
        OpsFixtures.Case c = OpsFixtures.get("max_pool");
        Array x = c.inputs().getFirst();
        assertClose(c.output(), Pooling.maxPool(x, new int[]{2, 2}, new int[]{2, 2}, "VALID"), "max_pool output");
        WindowParams p = poolWindow(x, new int[]{2, 2}, new int[]{2, 2}, "VALID");
        Primitive.JvpResult jvp = Windows.REDUCE_WINDOW_MAX.jvpRule().apply(p, List.of(x), c.tangents());
        assertClose(c.output(), jvp.primals().getFirst(), "max_pool jvp primal");
        assertClose(c.jvp(), jvp.tangents().getFirst(), "max_pool jvp");
        // the linear map of the JVP is select_and_gather_add(t, x); its transpose gives the VJP
        SelectParams sp = new SelectParams(SelectPrim.GE, p);
        List<Object> ops = Arrays.asList(new UndefinedPrimal(x.aval()), x);
        Array vjp = Windows.SELECT_AND_GATHER_ADD.transposeRule().apply(sp, List.of(c.cotangent()), ops).getFirst();
        assertClose(c.vjp().getFirst(), vjp, "max_pool vjp");
    }

    @Test
    void hardcodedWindowsWithDilationAndPadding() {
        Array x = Array.of(1f, 2f, 3f);
        // base dilation 2: [1,0,2,0,3]; windows of 2 -> [1,2,2,3]
        Array y = Lax.reduceWindowSum(x, new int[]{2}, new int[]{1}, new int[][]{{0, 0}}, new int[]{2}, null);
        assertArrayEquals(new float[]{1, 2, 2, 3}, y.toFloatArray());
        // window dilation 2 on [1..5]: [1+3, 2+4, 3+5]
        Array z = Lax.reduceWindowSum(Array.of(1f, 2f, 3f, 4f, 5f), new int[]{2}, new int[]{1}, new int[][]{{0, 0}}, null, new int[]{2});
        assertArrayEquals(new float[]{4, 6, 8}, z.toFloatArray());
        // max with padding (1, 1), stride 2: windows [-inf,1,2], [2,3,-inf]
        Array m = Lax.reduceWindowMax(x, new int[]{3}, new int[]{2}, new int[][]{{1, 1}}, null, null);
        assertArrayEquals(new float[]{2, 3}, m.toFloatArray());
        Array mn = Lax.reduceWindowMin(Array.of(4f, -1f, 3f, 7f), new int[]{2}, new int[]{2}, "VALID");
        assertArrayEquals(new float[]{-1, 3}, mn.toFloatArray());
        // SAME on 5 with window 2, stride 2: out 3, pad (0, 1)
        Array s = Lax.reduceWindowSum(Array.of(1f, 2f, 3f, 4f, 5f), new int[]{2}, new int[]{2}, "SAME");
        assertArrayEquals(new float[]{3, 7, 5}, s.toFloatArray());
    }

    /** <ct, RW(x)> = <RW^T(ct), x> for strided, padded (also negatively) and dilated windows. */
    @ParameterizedTest
    @ValueSource(strings = {"plain", "strided", "padded", "negativePad", "baseDilated", "windowDilated", "all"})
    void reduceWindowSumTransposePassesDotProductTest(String config) {
        Random rng = new Random(config.hashCode());
        Array x = TestArrays.normal(rng, DType.F64, 2, 7, 6);
        int[][] pads = switch (config) {
            case "padded", "all" -> new int[][]{{0, 0}, {1, 2}, {2, 0}};
            case "negativePad" -> new int[][]{{0, 0}, {-1, 1}, {1, -2}};
            default -> new int[][]{{0, 0}, {0, 0}, {0, 0}};
        };
        int[] strides = config.equals("strided") || config.equals("all") ? new int[]{1, 2, 3} : new int[]{1, 1, 1};
        int[] bd = config.equals("baseDilated") || config.equals("all") ? new int[]{1, 2, 3} : new int[]{1, 1, 1};
        int[] wd = config.equals("windowDilated") || config.equals("all") ? new int[]{1, 2, 1} : new int[]{1, 1, 1};
        WindowParams p = new WindowParams(Ints.of(1, 3, 2), Ints.of(strides), Convolution.flatPads(pads), Ints.of(bd), Ints.of(wd));
        Array y = Windows.REDUCE_WINDOW_SUM.bind1(p, x);
        Array ct = TestArrays.normal(rng, DType.F64, y.shape());
        Array xt = Windows.REDUCE_WINDOW_SUM.transposeRule().apply(p, List.of(ct), List.of(new UndefinedPrimal(x.aval()))).getFirst();
        assertArrayEquals(x.shape(), xt.shape());
        assertEquals(TestArrays.vdot(ct, y), TestArrays.vdot(xt, x), 1e-9, config);
    }

    /** select_and_gather_add and select_and_scatter_add are each other's transpose (dot-product test). */
    @ParameterizedTest
    @ValueSource(strings = {"GE", "LE"})
    void selectAndGatherAndScatterAreAdjoint(String sel) {
        Random rng = new Random(sel.hashCode());
        Array x = TestArrays.normal(rng, DType.F64, 7, 8);
        WindowParams p = new WindowParams(Ints.of(3, 2), Ints.of(2, 1), Convolution.flatPads(new int[][]{{1, 1}, {0, 2}}), Ints.of(1, 2),
                Ints.of(2, 1));
        SelectParams sp = new SelectParams(SelectPrim.valueOf(sel), p);
        Array t = TestArrays.normal(rng, DType.F64, 7, 8);
        Array g = Windows.SELECT_AND_GATHER_ADD.bind1(sp, t, x);
        Array ct = TestArrays.normal(rng, DType.F64, g.shape());
        Array back = Windows.SELECT_AND_GATHER_ADD.transposeRule().apply(sp, List.of(ct), Arrays.asList(new UndefinedPrimal(t.aval()), x))
                .getFirst();
        assertEquals(TestArrays.vdot(ct, g), TestArrays.vdot(back, t), 1e-9);
        Array fwd = Windows.SELECT_AND_SCATTER_ADD.bind1(sp, ct, x);
        Array ct2 = TestArrays.normal(rng, DType.F64, fwd.shape());
        Array back2 = Windows.SELECT_AND_SCATTER_ADD.transposeRule().apply(sp, List.of(ct2), Arrays.asList(new UndefinedPrimal(ct.aval()), x))
                .getFirst();
        assertEquals(TestArrays.vdot(ct2, fwd), TestArrays.vdot(back2, ct), 1e-9);
        // the gathered value is the tangent at the selected element: with t = x it reproduces the max (min) pool
        // (windows that hold only padding and dilation holes pool to the identity, ±inf, and gather a zero tangent)
        double[] pooled = (sel.equals("GE") ? Windows.REDUCE_WINDOW_MAX.bind1(p, x) : Windows.REDUCE_WINDOW_MIN.bind1(p, x)).toDoubleArray();
        double[] gathered = Windows.SELECT_AND_GATHER_ADD.bind1(sp, x, x).toDoubleArray();
        int empty = 0;
        for (int i = 0; i < pooled.length; i++) {
            if (Double.isInfinite(pooled[i])) empty++;
            assertEquals(Double.isInfinite(pooled[i]) ? 0 : pooled[i], gathered[i], 0, "gather(x, x) = pool(x) at " + i);
        }
        assertTrue(empty > 0 && empty < pooled.length, "the configuration has empty and non-empty windows");
    }

    /** The JVP of reduce_window_max / min matches central differences in float64 (distinct values: no ties). */
    @ParameterizedTest
    @ValueSource(strings = {"max", "min"})
    void chooserJvpMatchesFiniteDifferences(String which) {
        Random rng = new Random(which.hashCode());
        Array x = TestArrays.normal(rng, DType.F64, 2, 5, 6, 3);
        Array t = TestArrays.normal(rng, DType.F64, 2, 5, 6, 3);
        WindowParams p = new WindowParams(Ints.of(1, 3, 2, 1), Ints.of(1, 2, 2, 1), Convolution.flatPads(new int[][]{{0, 0}, {1, 1}, {0, 1}, {0, 0}}),
                Ints.of(1, 1, 1, 1), Ints.of(1, 1, 1, 1));
        Primitive prim = which.equals("max") ? Windows.REDUCE_WINDOW_MAX : Windows.REDUCE_WINDOW_MIN;
        Array tangent = prim.jvpRule().apply(p, List.of(x), List.of(t)).tangents().getFirst();
        double eps = 1e-6;
        Array plus = prim.bind1(p, Np.add(x, Np.multiply(t, Array.scalar(eps, DType.F64))));
        Array minus = prim.bind1(p, Np.subtract(x, Np.multiply(t, Array.scalar(eps, DType.F64))));
        Array fd = Np.divide(Np.subtract(plus, minus), Array.scalar(2 * eps, DType.F64));
        assertClose(fd.concrete("fd"), tangent, 1e-6, 1e-8, which + " jvp vs finite differences");
        assertTrue(prim.jvpRule().apply(p, List.of(x), Arrays.asList((Array) null)).tangents().getFirst() == null, "zero tangent stays zero");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sum", "max", "gather", "scatter"})
    void batchingMatchesPerExampleLoop(String which) {
        Random rng = new Random(which.hashCode());
        WindowParams p = new WindowParams(Ints.of(2, 3), Ints.of(2, 1), Convolution.flatPads(new int[][]{{1, 0}, {1, 1}}), Ints.of(1, 1),
                Ints.of(1, 2));
        SelectParams sp = new SelectParams(SelectPrim.GE, p);
        int b = 3;
        Array x = TestArrays.normal(rng, DType.F64, 5, b, 6);                      // mapped at axis 1
        Array other = which.equals("scatter") ? TestArrays.normal(rng, DType.F64, 3, 4) : TestArrays.normal(rng, DType.F64, 5, 6);
        Array batched = (Array) Vmap.apply(args -> {
            Array xi = (Array) args.get(0), oi = (Array) args.get(1);
            return switch (which) {
                case "sum" -> Windows.REDUCE_WINDOW_SUM.bind1(p, xi);
                case "max" -> Windows.REDUCE_WINDOW_MAX.bind1(p, xi);
                case "gather" -> Windows.SELECT_AND_GATHER_ADD.bind1(sp, oi, xi);
                default -> Windows.SELECT_AND_SCATTER_ADD.bind1(sp, oi, xi);
            };
        }, "windows", Arrays.asList(1, null), 0, List.of(x, other));
        for (int i = 0; i < b; i++) {
            Array xi = TestArrays.take(x, 1, i);
            Array expected = switch (which) {
                case "sum" -> Windows.REDUCE_WINDOW_SUM.bind1(p, xi);
                case "max" -> Windows.REDUCE_WINDOW_MAX.bind1(p, xi);
                case "gather" -> Windows.SELECT_AND_GATHER_ADD.bind1(sp, other, xi);
                default -> Windows.SELECT_AND_SCATTER_ADD.bind1(sp, other, xi);
            };
            assertClose(expected.concrete("e"), TestArrays.take(batched, 0, i), 0, 0, which + " example " + i);
        }
    }

    @Test
    void poolingVariants() {
        Random rng = new Random(7);
        Array x = TestArrays.normal(rng, DType.F32, 2, 5, 5, 3);
        // min_pool = -max_pool(-x)
        Array mn = Pooling.minPool(x, new int[]{2, 2}, new int[]{1, 1}, "SAME");
        Array mx = Pooling.maxPool(Np.negative(x), new int[]{2, 2}, new int[]{1, 1}, "SAME");
        assertClose(Np.negative(mx).concrete("n"), mn, 0, 0, "min_pool");
        // count_include_pad=false: divide by the number of real elements per window
        Array avg = Pooling.avgPool(x, new int[]{3, 3}, new int[]{2, 2}, "SAME", false);
        Array sum = Lax.reduceWindowSum(x, new int[]{1, 3, 3, 1}, new int[]{1, 2, 2, 1}, "SAME");
        assertArrayEquals(new int[]{2, 3, 3, 3}, avg.shape());
        double[] a = avg.toDoubleArray(), s = sum.toDoubleArray();
        // padding (1, 1) on each axis of 5 with stride 2: windows cover rows {0,1}, {1,2,3}, {3,4}
        int[] counts = {2, 3, 2};
        for (int n = 0; n < 2; n++) {
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    for (int c = 0; c < 3; c++) {
                        int k = ((n * 3 + i) * 3 + j) * 3 + c;
                        assertEquals(s[k] / (counts[i] * counts[j]), a[k], 1e-5, "avg at " + k);
                    }
                }
            }
        }
        // an input without batch dims (H, W, C) is pooled as one example
        Array single = Pooling.avgPool(TestArrays.take(x, 0, 1), new int[]{2, 2}, new int[]{2, 2}, "VALID");
        Array batched = Pooling.avgPool(x, new int[]{2, 2}, new int[]{2, 2}, "VALID");
        assertClose(TestArrays.take(batched, 0, 1).concrete("b"), single, 0, 0, "no batch dims");
        // explicit padding equals the SAME padding it spells out
        Array explicit = Pooling.maxPool(x, new int[]{2, 2}, new int[]{1, 1}, new int[][]{{0, 1}, {0, 1}});
        assertClose(Pooling.maxPool(x, new int[]{2, 2}, new int[]{1, 1}, "SAME").concrete("s"), explicit, 0, 0, "explicit = SAME");
    }

    @Test
    void errorsNameTheWindow() {
        Jax4jException e = assertThrows(Jax4jException.class,
                () -> Lax.reduceWindowSum(Array.zeros(2, 3), new int[]{2}, new int[]{1}, "VALID"));
        assertTrue(e.getMessage().contains("f32[2,3]"), e.getMessage());
        Jax4jException p = assertThrows(Jax4jException.class, () -> Pooling.maxPool(Array.zeros(4, 4), new int[]{2, 2}, null, "VALID"));
        assertTrue(p.getMessage().contains("at least 3 axes"), p.getMessage());
    }
}
