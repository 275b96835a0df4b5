package io.jax4j.prims;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Lax;
import io.jax4j.core.ArrayImpl;
import io.jax4j.core.Ints;
import io.jax4j.core.Jax4jException;
import io.jax4j.core.Primitive;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;
import java.util.function.DoubleBinaryOperator;

import static io.jax4j.prims.RuleChecks.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SortingTest {
    private final Random r = new Random(5);

    /** Naive scan of a [3, n] array along axis 1. */
    private static double[] naiveScan(double[] x, int n, boolean reverse, DoubleBinaryOperator f) {
        double[] out = new double[x.length];
        for (int row = 0; row < x.length / n; row++) {
            for (int k = 0; k < n; k++) {
                int i = reverse ? n - 1 - k : k;
                out[row * n + i] = k == 0 ? x[row * n + i] : f.applyAsDouble(out[row * n + i + (reverse ? 1 : -1)], x[row * n + i]);
            }
        }
        return out;
    }

    @Test
    void cumulativeScansAllRules() {
        ArrayImpl x = randn(r, 3, 5);
        double[] xv = x.toDoubles();
        xv[6] = 0;                                     // a zero inside: cumprod's JVP must not divide
        xv[12] = 0;
        x = f64(xv, 3, 5);
        Object[][] table = {
                {Sorting.CUMSUM, (DoubleBinaryOperator) Double::sum},
                {Sorting.CUMPROD, (DoubleBinaryOperator) (a, b) -> a * b},
                {Sorting.CUMMAX, (DoubleBinaryOperator) Math::max},
                {Sorting.CUMMIN, (DoubleBinaryOperator) Math::min}};
        for (Object[] row : table) {
            Primitive p = (Primitive) row[0];
            for (boolean reverse : new boolean[]{false, true}) {
                var params = new Sorting.CumulativeParams(1, reverse);
                Array out = checkAvals(p, params, List.of(x)).getFirst();
                assertClose(naiveScan(xv, 5, reverse, (DoubleBinaryOperator) row[1]), vals(out), 1e-12, p + " reverse=" + reverse);
                checkJvp(r, p, params, List.of(x), 0);
                checkBatch(p, params, List.of(randn(r, 3, 2, 5)), 1);
            }
        }
        checkTranspose(r, Sorting.CUMSUM, new Sorting.CumulativeParams(1, false), List.of(x), 0);
        checkTranspose(r, Sorting.CUMSUM, new Sorting.CumulativeParams(0, true), List.of(x), 0);
        checkJvp(r, Sorting.CUMPROD, new Sorting.CumulativeParams(0, false), List.of(randn(r, 9, 2)), 0);
        assertArrayEquals(new double[]{1, 3, 6}, vals(Lax.cumsum(Array.of(1, 2, 3), 0, false)));
        var e = assertThrows(Jax4jException.class, () -> Lax.cumsum(Array.of(1f, 2f), 1, false));
        assertTrue(e.getMessage().contains("cumsum") && e.getMessage().contains("f32[2]"), e.getMessage());
    }

    @Test
    void sortMultipleOperandsAndKeys() {
        ArrayImpl keys = f64(new double[]{3, 1, 2, 1, Double.NaN, -0.0, 0.0, -1}, 2, 4);
        ArrayImpl second = f64(new double[]{0, 9, 0, 8, 1, 2, 3, 4}, 2, 4);
        ArrayImpl ints = ints(new int[]{10, 11, 12, 13, 14, 15, 16, 17}, 2, 4);
        var one = new Sorting.SortParams(1, true, 1);
        List<Array> out = checkAvals(Sorting.SORT, one, List.of(keys, second, ints));
        assertArrayEquals(new double[]{1, 1, 2, 3, -1, -0.0, 0.0, Double.NaN}, vals(out.get(0)));
        assertArrayEquals(new double[]{9, 8, 0, 0, 4, 2, 3, 1}, vals(out.get(1)));   // stable: 9 before 8
        assertArrayEquals(new double[]{11, 13, 12, 10, 17, 15, 16, 14}, vals(out.get(2)));
        var two = new Sorting.SortParams(1, true, 2);
        assertArrayEquals(new double[]{8, 9, 0, 0, 4, 2, 3, 1}, vals(Sorting.SORT.bind(two, List.of(keys, second)).get(1)));
        var axis0 = new Sorting.SortParams(0, true, 1);
        ArrayImpl x = randn(r, 4, 3), y = randn(r, 4, 3);
        checkJvp(r, Sorting.SORT, axis0, List.of(x, y), 0, 1);
        checkJvp(r, Sorting.SORT, one, List.of(x, y), 1);
        checkBatch(Sorting.SORT, one, List.of(randn(r, 4, 2, 3), y), 1, null);
        var e = assertThrows(Jax4jException.class, () -> Lax.sort(List.of(x, randn(r, 3)), 0, true, 1));
        assertTrue(e.getMessage().contains("f64[4,3]") && e.getMessage().contains("f64[3]"), e.getMessage());
    }

    @Test
    void reduceProdWithZerosDifferentiatesWithoutDivision() {
        ArrayImpl x = randn(r, 3, 4, 2);
        double[] xv = x.toDoubles();
        xv[0] = 0;                // one zero in the first reduced group
        xv[8] = 0;                // two zeros in another
        xv[10] = 0;
        x = f64(xv, 3, 4, 2);
        var p = new Reductions.AxesParams(Ints.of(0, 2));
        Array out = checkAvals(Sorting.REDUCE_PROD, p, List.of(x)).getFirst();
        double[] expected = {1, 1, 1, 1};
        for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) for (int k = 0; k < 2; k++) expected[j] *= xv[(i * 4 + j) * 2 + k];
        assertClose(expected, vals(out), 1e-12, "reduce_prod");
        checkJvp(r, Sorting.REDUCE_PROD, p, List.of(x), 0);
        checkJvp(r, Sorting.REDUCE_PROD, new Reductions.AxesParams(Ints.of(1)), List.of(x), 0);
        checkBatch(Sorting.REDUCE_PROD, p, List.of(randn(r, 3, 4, 2, 2)), 2);
        assertArrayEquals(new double[]{6}, vals(Lax.reduceProd(Array.of(1, 2, 3), 0)));
        assertTrue(vals(Lax.reduceProd(Array.of(2f, 3f), 0))[0] == 6 && Lax.reduceProd(Array.of(2f, 3f), 0).dtype() == DType.F32);
    }
}
