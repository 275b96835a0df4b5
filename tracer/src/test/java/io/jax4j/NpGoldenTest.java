package io.jax4j;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The jnp functions jax4j composes from primitives against NumPy's outputs on random inputs and the
 * edge values each has rules for ({@code scripts/numpy_golden.py} writes {@code numpy/np_golden.json}).
 * Every case must be known to this test: a fixture case it cannot run fails it.
 */
class NpGoldenTest {

    @TestFactory
    Stream<DynamicTest> everyCaseMatchesNumpy() throws IOException {
        Map<String, Object> root = fixture();
        List<?> cases = (List<?>) root.get("cases");
        assertTrue(cases.size() >= 40, "the fixture holds " + cases.size() + " cases");
        return cases.stream().map(c -> (Map<?, ?>) c).map(c -> DynamicTest.dynamicTest((String) c.get("name"), () -> check(c)));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> fixture() throws IOException {
        try (InputStream in = NpGoldenTest.class.getResourceAsStream("/numpy/np_golden.json")) {
            return (Map<String, Object>) MiniJson.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    private static void check(Map<?, ?> c) {
        String name = (String) c.get("name");
        List<Array> in = ((List<?>) c.get("inputs")).stream().map(i -> decode((Map<?, ?>) i)).toList();
        Map<?, ?> args = (Map<?, ?>) c.get("args");
        List<Array> got = run(name, in, args);
        List<?> expected = (List<?>) c.get("expected");
        assertEquals(expected.size(), got.size(), name + ": number of outputs");
        // NumPy interpolates quantiles in float64 as lo + (hi - lo) * t; JAX (and jax4j) in float32 as
        // lo * (1 - t) + hi * t: they agree to a few ulp of the neighbours (inputs here are of order 1).
        double absolute = name.startsWith("quantile") || name.startsWith("percentile") || name.startsWith("median") ? 1e-6 : 0;
        // lgamma is XLA's Lanczos sum in float32: a few ulp of its terms (gammaln(1) is 5e-7, not 0)
        if (name.startsWith("special")) absolute = 2e-6;
        // linalg: NumPy factorizes in float64; jax4j's products, sums and powers round in float32 on the way
        // (einsum: float32 sums of products, in another order than NumPy's)
        double relative = name.startsWith("linalg") || name.startsWith("einsum") ? 2e-5 : 0;
        // floor_divide: JAX computes (x - x % y) / y, which is -0.0 where NumPy's copysign gives +0.0.
        boolean signOfZero = !name.equals("floor_divide_float");
        for (int i = 0; i < got.size(); i++) {
            assertMatches(name + " output " + i, decode((Map<?, ?>) expected.get(i)), got.get(i), absolute, relative, signOfZero);
        }
    }

    private static List<Array> run(String name, List<Array> in, Map<?, ?> args) {
        Array x = in.getFirst();
        Array y = in.size() > 1 ? in.get(1) : null;
        return switch (name) {
            case "round" -> List.of(Np.round(x));
            case "round_decimals", "round_decimals_neg" -> List.of(Np.round(x, integer(args, "decimals")));
            case "trunc" -> List.of(Np.trunc(x));
            case "isnan" -> List.of(Np.isnan(x));
            case "isinf" -> List.of(Np.isinf(x));
            case "log2" -> List.of(Np.log2(x));
            case "log10" -> List.of(Np.log10(x));
            case "floor_divide_float", "floor_divide_int" -> List.of(Np.floorDivide(x, y));
            case "any_axis1" -> List.of(Np.any(x, ints(args, "axes")));
            case "all_axis2_keep" -> List.of(Np.all(x, ints(args, "axes"), true));
            case "count_nonzero_axis0" -> List.of(Np.countNonzero(x, ints(args, "axes"), false));
            case "isclose" -> List.of(Np.isclose(x, y));
            case "isclose_equal_nan" -> List.of(Np.isclose(x, y, number(args, "rtol"), number(args, "atol"), true));
            case "nan_to_num" -> List.of(Np.nanToNum(x));
            case "nan_to_num_values" -> List.of(Np.nanToNum(x, number(args, "nan"), number(args, "posinf"), number(args, "neginf")));
            case "cross3", "cross2" -> List.of(Np.cross(x, y));
            case "roll_flat" -> List.of(Np.roll(x, ints(args, "shift")[0]));
            case "roll_axis1", "roll_negative_axis0", "roll_two_axes" -> List.of(Np.roll(x, ints(args, "shift"), ints(args, "axis")));
            case "diag_vector_k1", "diag_vector_km2", "diag_matrix_k0", "diag_matrix_k2", "diag_matrix_km1" -> List.of(Np.diag(x, integer(args, "k")));
            case "trace" -> List.of(Np.trace(x));
            case "meshgrid_xy", "meshgrid_ij" -> Np.meshgrid((String) args.get("indexing"), in.toArray(new Array[0]));
            case "hstack_vectors", "hstack_matrices" -> List.of(Np.hstack(in));
            case "vstack" -> List.of(Np.vstack(in));
            case "column_stack" -> List.of(Np.columnStack(in));
            case "quantile_axis1", "quantile_many_axis0", "quantile_nan" ->
                    List.of(Np.quantile(x, doubles(args, "q"), integer(args, "axis"), false));
            case "percentile_keepdims" -> List.of(Np.percentile(x, doubles(args, "p"), integer(args, "axis"), true));
            case "median_axis0" -> List.of(Np.median(x, integer(args, "axis")));
            case "searchsorted_left", "searchsorted_right" -> List.of(Np.searchsorted(x, y, (String) args.get("side")));
            case "unique_padded", "unique_cut" -> List.of(Np.unique(x, integer(args, "size")));
            case "unique_fill" -> List.of(Np.unique(x, integer(args, "size"), number(args, "fill_value")));
            case "argmax_flat" -> List.of(Np.argmax(x));
            case "argmin_flat" -> List.of(Np.argmin(x));
            case "linalg_norm" -> List.of(Linalg.norm(x));
            case "linalg_norm_vec_ord", "linalg_norm_vec_inf", "linalg_norm_vec_1" -> List.of(Linalg.norm(x, ord(args), integer(args, "axis")));
            case "linalg_matrix_norm_1", "linalg_matrix_norm_inf", "linalg_matrix_norm_fro", "linalg_matrix_norm_2", "linalg_matrix_norm_nuc" ->
                    List.of(Linalg.matrixNorm(x, args.get("ord") instanceof String str && !str.contains("inf") ? str : ord(args), -2, -1, false));
            case "linalg_qr_tall", "linalg_qr_wide" -> {
                Linalg.QrResult r = Linalg.qr(x);
                yield List.of(r.q(), r.r());
            }
            case "linalg_qr_complete" -> {
                Linalg.QrResult r = Linalg.qr(x, "complete");
                yield List.of(r.q(), r.r());
            }
            case "linalg_eigvalsh" -> List.of(Linalg.eigvalsh(x));
            case "linalg_svdvals_tall", "linalg_svdvals_wide" -> List.of(Linalg.svdvals(x));
            case "linalg_pinv" -> List.of(Linalg.pinv(x));
            case "linalg_matrix_rank" -> List.of(Linalg.matrixRank(x));
            case "linalg_lstsq_tall", "linalg_lstsq_wide" -> {
                Linalg.LstsqResult r = Linalg.lstsq(x, y);
                yield List.of(r.x(), r.residuals(), r.rank(), r.s());
            }
            case "linalg_lu_solve" -> List.of(Linalg.luSolve(Linalg.luFactor(x), y));
            case "special_gammaln" -> List.of(Special.gammaln(x));
            case "pad_edge", "pad_reflect", "pad_symmetric", "pad_wrap" -> List.of(Np.pad(x, new int[][]{{1, 2}, {2, 1}}, (String) args.get("mode")));
            case "einsum_ellipsis_matmul", "einsum_ellipsis_broadcast", "einsum_ellipsis_dot", "einsum_ellipsis_implicit", "einsum_chain",
                 "einsum_chain_implicit" ->
                    List.of(Np.einsum((String) args.get("spec"), in.toArray(new Array[0])));
            case "linalg_cho_solve_lower", "linalg_cho_solve_upper" -> {
                boolean lower = (Boolean) args.get("lower");
                Array c = Linalg.cholesky(x);
                yield List.of(Linalg.choSolve(lower ? c : Np.swapaxes(c, -1, -2), lower, y));
            }
            case "linalg_cholesky" -> List.of(Linalg.cholesky(x));
            case "linalg_solve_matrix", "linalg_solve_vector" -> List.of(Linalg.solve(x, y));
            case "linalg_inv", "linalg_inv_pivoting" -> List.of(Linalg.inv(x));
            case "linalg_det" -> List.of(Linalg.det(x));
            case "linalg_slogdet" -> {
                Linalg.SlogdetResult r = Linalg.slogdet(x);
                yield List.of(r.sign(), r.logabsdet());
            }
            case "linalg_matrix_power", "linalg_matrix_power_neg" -> List.of(Linalg.matrixPower(x, integer(args, "n")));
            case "linalg_solve_triangular_lower", "linalg_solve_triangular_upper_trans" ->
                    List.of(Linalg.solveTriangular(x, y, (Boolean) args.get("trans"), (Boolean) args.get("lower"), false));
            default -> fail("the fixture has a case this test does not know: " + name);
        };
    }

    /** Same dtype and shape; floats within 2 ulp of float32 or {@code absolute} (NaN where NaN, the signs of infinities and zeros kept). */
    private static void assertMatches(String what, Array expected, Array got, double absolute, double relative, boolean signOfZero) {
        assertEquals(expected.dtype(), got.dtype(), what + ": dtype");
        assertArrayEquals(expected.shape(), got.shape(), what + ": shape " + Arrays.toString(got.shape()));
        if (!expected.dtype().isFloating()) {
            assertArrayEquals(expected.toDoubleArray(), got.toDoubleArray(), 0, what);
            return;
        }
        double[] e = expected.toDoubleArray(), g = got.toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            String at = what + " at " + i + ": expected " + e[i] + ", got " + g[i];
            if (Double.isNaN(e[i]) || Double.isInfinite(e[i]) || e[i] == 0 && absolute == 0) {
                assertEquals(e[i], g[i], 0, at);
                if (e[i] == 0 && signOfZero) assertEquals(Math.copySign(1, e[i]), Math.copySign(1, g[i]), at + " (the sign of zero)");
            } else {
                double scale = relative == 0 ? 0 : relative * Arrays.stream(e).map(Math::abs).max().orElse(1);
                double own = what.startsWith("special") ? 8 * Math.ulp((float) e[i]) : 2 * Math.ulp((float) e[i]);
                assertEquals(e[i], g[i], Math.max(Math.max(absolute, scale), own), at);
            }
        }
    }

    private static Array decode(Map<?, ?> m) {
        int[] shape = ((List<?>) m.get("shape")).stream().mapToInt(v -> ((Number) v).intValue()).toArray();
        List<?> data = (List<?>) m.get("data");
        return switch ((String) m.get("dtype")) {
            case "bool" -> {
                boolean[] b = new boolean[data.size()];
                for (int i = 0; i < b.length; i++) b[i] = (Boolean) data.get(i);
                yield Np.reshape(Array.of(b), shape);
            }
            case "int32" -> Array.fromInts(data.stream().mapToInt(v -> ((Number) v).intValue()).toArray(), shape);
            default -> {
                double[] d = new double[data.size()];
                for (int i = 0; i < d.length; i++) d[i] = floatOf(data.get(i));
                yield Array.fromDoubles(DType.F32, d, shape);
            }
        };
    }

    private static double floatOf(Object v) {
        if (v instanceof Number n) return n.doubleValue();
        return switch ((String) v) {
            case "nan" -> Double.NaN;
            case "inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            case "-0" -> -0.0;
            default -> throw new IllegalArgumentException("not a float: " + v);
        };
    }

    private static Double ord(Map<?, ?> args) {
        Object o = args.get("ord");
        return o instanceof String str ? (str.equals("inf") ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY) : ((Number) o).doubleValue();
    }

    private static int integer(Map<?, ?> args, String key) { return ((Number) args.get(key)).intValue(); }

    private static double number(Map<?, ?> args, String key) { return ((Number) args.get(key)).doubleValue(); }

    private static int[] ints(Map<?, ?> args, String key) {
        return ((List<?>) args.get(key)).stream().mapToInt(v -> ((Number) v).intValue()).toArray();
    }

    private static double[] doubles(Map<?, ?> args, String key) {
        return ((List<?>) args.get(key)).stream().mapToDouble(v -> ((Number) v).doubleValue()).toArray();
    }

    // ---------------------------------------------------------------- rules NumPy's outputs do not show

    @Test
    void reductionsOverAnEmptyAxisHaveTheirIdentity() {
        Array empty = Array.zeros(3, 0);
        assertArrayEquals(new double[]{0, 0, 0}, Np.any(empty, 1).toDoubleArray());
        assertArrayEquals(new double[]{1, 1, 1}, Np.all(empty, 1).toDoubleArray());
        assertEquals(DType.BOOL, Np.all(empty, 1).dtype());
    }

    @Test
    void badArgumentsSayWhatIsWrong() {
        assertTrue(assertThrows(RuntimeException.class, () -> Np.cross(Array.zeros(4), Array.zeros(4))).getMessage().contains("length 2 or 3"));
        assertTrue(assertThrows(RuntimeException.class, () -> Np.quantile(Array.zeros(4), 1.5)).getMessage().contains("[0, 1]"));
        assertTrue(assertThrows(RuntimeException.class, () -> Np.percentile(Array.zeros(4), 101)).getMessage().contains("[0, 100]"));
        assertTrue(assertThrows(RuntimeException.class, () -> Np.searchsorted(Array.zeros(2, 2), Array.zeros(1))).getMessage().contains("one-dimensional"));
        assertTrue(assertThrows(RuntimeException.class, () -> Np.meshgrid("yx", Array.zeros(2))).getMessage().contains("\"xy\" or \"ij\""));
        assertTrue(assertThrows(RuntimeException.class, () -> Np.roll(Array.zeros(2), new int[]{1, 2}, new int[]{0})).getMessage().contains("one shift per axis"));
        assertTrue(assertThrows(RuntimeException.class, () -> Np.diag(Array.zeros(2, 2, 2), 0)).getMessage().contains("one- or two-dimensional"));
        assertTrue(assertThrows(RuntimeException.class, () -> Np.floorDivide(Array.of(true), Array.of(true))).getMessage().contains("bool"));
    }

    @Test
    void creationFunctionsHaveJnpsDtypes() {
        assertEquals(DType.F32, Np.zeros(2, 3).dtype());
        assertEquals(DType.I32, Np.ones(DType.I32, 2).dtype());
        assertArrayEquals(new double[]{7, 7}, Np.full(7, 2).toDoubleArray());
        assertArrayEquals(new double[]{0, 0.25, 0.5, 0.75, 1}, Np.linspace(0, 1, 5).toDoubleArray());
        assertArrayEquals(new double[]{2, 5, 8}, Np.arange(2, 10, 3).toDoubleArray());
        assertArrayEquals(new int[]{2, 2}, Np.array(new float[][]{{1, 2}, {3, 4}}).shape());
        assertFalse(Np.allclose(Array.of(1f, 2f), Array.of(1f, 2.1f)).toDoubleArray()[0] != 0);
        assertTrue(Np.allclose(Array.of(1f, 2f), Array.of(1f, 2.0000001f)).toDoubleArray()[0] != 0);
    }

    @Test
    void everyFixtureCaseIsRun() throws IOException {
        List<String> names = new ArrayList<>();
        for (Object c : (List<?>) fixture().get("cases")) names.add((String) ((Map<?, ?>) c).get("name"));
        assertEquals(names.size(), names.stream().distinct().count(), "case names are unique: " + names);
    }
}
