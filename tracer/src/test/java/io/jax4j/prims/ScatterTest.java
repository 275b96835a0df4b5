package io.jax4j.prims;

import io.jax4j.Array;
import io.jax4j.Lax;
import io.jax4j.core.ArrayImpl;
import io.jax4j.core.Ints;
import io.jax4j.core.Jax4jException;
import io.jax4j.prims.Scatter.GatherDimensionNumbers;
import io.jax4j.prims.Scatter.GatherParams;
import io.jax4j.prims.Scatter.ScatterDimensionNumbers;
import io.jax4j.prims.Scatter.ScatterParams;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static io.jax4j.prims.RuleChecks.*;
import static io.jax4j.prims.Scatter.GatherScatterMode.CLIP;
import static io.jax4j.prims.Scatter.GatherScatterMode.FILL_OR_DROP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScatterTest {
    private final Random r = new Random(11);

    /** x[4,5,6] at indices [2,3,2] -> (axis 0, axis 2); axis 0 collapsed; out[b0, w1, b1, w2], windows (1, 2, 3). */
    private static final GatherParams GENERAL = new GatherParams(
            new GatherDimensionNumbers(Ints.of(1, 3), Ints.of(0), Ints.of(0, 2)), Ints.of(1, 2, 3), CLIP, null);

    private static double[] naiveGeneral(double[] x, long[] idx, boolean fill) {
        double[] out = new double[2 * 2 * 3 * 3];
        for (int b0 = 0; b0 < 2; b0++) for (int b1 = 0; b1 < 3; b1++) {
            long s0 = idx[(b0 * 3 + b1) * 2], s2 = idx[(b0 * 3 + b1) * 2 + 1];
            boolean oob = s0 < 0 || s0 > 3 || s2 < 0 || s2 > 3;
            s0 = Math.max(0, Math.min(s0, 3));
            s2 = Math.max(0, Math.min(s2, 3));
            for (int w1 = 0; w1 < 2; w1++) for (int w2 = 0; w2 < 3; w2++) {
                int o = ((b0 * 2 + w1) * 3 + b1) * 3 + w2;
                out[o] = fill && oob ? Double.NaN : x[(int) ((s0 * 5 + w1) * 6 + s2 + w2)];
            }
        }
        return out;
    }

    @Test
    void gatherGeneralDimensionNumbersBothModes() {
        ArrayImpl x = randn(r, 4, 5, 6);
        ArrayImpl idx = ints(new int[]{0, 3, 3, 1, 2, 2, -1, 0, 9, 4, 1, 5}, 2, 3, 2);
        Array out = checkAvals(Scatter.GATHER, GENERAL, List.of(x, idx)).getFirst();
        assertArrayEquals(new int[]{2, 2, 3, 3}, out.shape());
        assertArrayEquals(naiveGeneral(x.toDoubles(), idx.toLongs(), false), vals(out));
        var fill = new GatherParams(GENERAL.dimensionNumbers(), GENERAL.sliceSizes(), FILL_OR_DROP, null);
        assertClose(naiveGeneral(x.toDoubles(), idx.toLongs(), true), vals(Scatter.GATHER.bind1(fill, x, idx)), 0, "fill mode");
        var fillHalf = new GatherParams(GENERAL.dimensionNumbers(), GENERAL.sliceSizes(), FILL_OR_DROP, 0.5);   // finite: FD defined
        var fillZero = new GatherParams(GENERAL.dimensionNumbers(), GENERAL.sliceSizes(), FILL_OR_DROP, 0.0);   // the linear (tangent) gather
        checkJvp(r, Scatter.GATHER, GENERAL, List.of(x, idx), 0);
        checkJvp(r, Scatter.GATHER, fillHalf, List.of(x, idx), 0);
        checkTranspose(r, Scatter.GATHER, GENERAL, List.of(x, idx), 0);
        checkTranspose(r, Scatter.GATHER, fillZero, List.of(x, idx), 0);
    }

    @Test
    void gatherBatchingAllThreeCases() {
        ArrayImpl idx = randInts(r, -1, 5, 2, 3, 2);
        checkBatch(Scatter.GATHER, GENERAL, List.of(randn(r, 4, 3, 5, 6), idx), 1, null);
        checkBatch(Scatter.GATHER, GENERAL, List.of(randn(r, 4, 5, 6), randInts(r, -1, 5, 2, 3, 4, 2)), null, 2);
        var fill = new GatherParams(GENERAL.dimensionNumbers(), GENERAL.sliceSizes(), FILL_OR_DROP, 0.5);
        checkBatch(Scatter.GATHER, fill, List.of(randn(r, 3, 4, 5, 6), randInts(r, -1, 5, 2, 3, 2, 3)), 0, 3);
    }

    @Test
    void gatherErrorsNameTheShapes() {
        ArrayImpl x = randn(r, 4, 5, 6);
        var e = assertThrows(Jax4jException.class, () -> Scatter.GATHER.bind1(GENERAL, x, ints(new int[]{0, 1, 2}, 1, 3)));
        assertTrue(e.getMessage().contains("f64[4,5,6]") && e.getMessage().contains("i32[1,3]"), e.getMessage());
        var bad = new GatherParams(GENERAL.dimensionNumbers(), Ints.of(2, 2, 3), CLIP, null);
        e = assertThrows(Jax4jException.class, () -> Scatter.GATHER.bind1(bad, x, ints(new int[]{0, 1}, 1, 2)));
        assertTrue(e.getMessage().contains("collapsed"), e.getMessage());
    }

    private static final ScatterParams ROWS = new ScatterParams(
            new ScatterDimensionNumbers(Ints.of(1), Ints.of(0), Ints.of(0)), CLIP);

    @Test
    void scatterAddAccumulatesDuplicatesAndHandlesOutOfBounds() {
        ArrayImpl x = randn(r, 5, 3);
        ArrayImpl idx = ints(new int[]{1, 4, 1, 7}, 4, 1);
        ArrayImpl u = randn(r, 4, 3);
        Array out = checkAvals(Scatter.SCATTER_ADD, ROWS, List.of(x, idx, u)).getFirst();
        double[] expected = x.toDoubles(), uv = u.toDoubles();
        int[] rowsClip = {1, 4, 1, 4}, rowsDrop = {1, 4, 1, -1};
        for (int k = 0; k < 4; k++) for (int j = 0; j < 3; j++) expected[rowsClip[k] * 3 + j] += uv[k * 3 + j];
        assertClose(expected, vals(out), 1e-12, "clip");
        var drop = new ScatterParams(ROWS.dimensionNumbers(), FILL_OR_DROP);
        expected = x.toDoubles();
        for (int k = 0; k < 4; k++) for (int j = 0; j < 3 && rowsDrop[k] >= 0; j++) expected[rowsDrop[k] * 3 + j] += uv[k * 3 + j];
        assertClose(expected, vals(Scatter.SCATTER_ADD.bind(drop, List.of(x, idx, u)).getFirst()), 1e-12, "drop");
        for (ScatterParams p : List.of(ROWS, drop)) {
            checkJvp(r, Scatter.SCATTER_ADD, p, List.of(x, idx, u), 0, 2);
            checkTranspose(r, Scatter.SCATTER_ADD, p, List.of(x, idx, u), 0, 2);
        }
        var e = assertThrows(Jax4jException.class, () -> Scatter.SCATTER_ADD.bind(ROWS, List.of(x, idx, randn(r, 3, 3))));
        assertTrue(e.getMessage().contains("f64[3,3]"), e.getMessage());
    }

    @Test
    void scatterAddBatching() {
        ArrayImpl idx = randInts(r, 0, 5, 4, 1);
        checkBatch(Scatter.SCATTER_ADD, ROWS, List.of(randn(r, 2, 5, 3), idx, randn(r, 4, 3)), 0, null, null);
        checkBatch(Scatter.SCATTER_ADD, ROWS, List.of(randn(r, 5, 3), randInts(r, 0, 5, 4, 2, 1), randn(r, 4, 3)), null, 1, null);
        checkBatch(Scatter.SCATTER_ADD, ROWS, List.of(randn(r, 5, 2, 3), randInts(r, 0, 5, 2, 4, 1), randn(r, 4, 3, 2)), 1, 0, 2);
    }

    @Test
    void takeAlongAxisHelperIsAGather() {
        ArrayImpl x = randn(r, 3, 4);
        ArrayImpl idx = ints(new int[]{3, 0, 1, 1, 2, 2}, 3, 2);
        Array out = Scatter.takeAlongAxis(x, idx, 1, CLIP, null);
        double[] xv = x.toDoubles();
        long[] iv = idx.toLongs();
        double[] expected = new double[6];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 2; j++) expected[i * 2 + j] = xv[i * 4 + (int) iv[i * 2 + j]];
        assertArrayEquals(expected, vals(out));
        // FILL_OR_DROP's default fill for int32 is the lowest int32 (as JAX's)
        Array ints = Lax.gather(Array.of(1, 2), ints(new int[]{5, -1, 1}, 3, 1),
                new GatherDimensionNumbers(Ints.of(), Ints.of(0), Ints.of(0)), new int[]{1}, FILL_OR_DROP, null);
        assertArrayEquals(new double[]{Integer.MIN_VALUE, Integer.MIN_VALUE, 2}, vals(ints));
    }

    /** The scatter family against a plain loop: rows of x[5,3] at indices (1, 4, 1, 7), clip and drop. */
    private static double[] naiveRows(double[] x, double[] u, int[] rows, java.util.function.DoubleBinaryOperator f) {
        double[] out = x.clone();
        for (int k = 0; k < rows.length; k++) {
            if (rows[k] < 0) continue;
            for (int j = 0; j < 3; j++) out[rows[k] * 3 + j] = f.applyAsDouble(out[rows[k] * 3 + j], u[k * 3 + j]);
        }
        return out;
    }

    @Test
    void scatterSetMulMinMaxCombineDuplicatesAndHandleOutOfBounds() {
        ArrayImpl x = randn(r, 5, 3);
        ArrayImpl idx = ints(new int[]{1, 4, 1, 7}, 4, 1);
        ArrayImpl u = randn(r, 4, 3);
        var drop = new ScatterParams(ROWS.dimensionNumbers(), FILL_OR_DROP);
        int[] clipRows = {1, 4, 1, 4}, dropRows = {1, 4, 1, -1};
        record Case(io.jax4j.core.Primitive p, java.util.function.DoubleBinaryOperator f) {}
        for (Case c : List.of(new Case(Scatter.SCATTER, (a, b) -> b), new Case(Scatter.SCATTER_MUL, (a, b) -> a * b),
                new Case(Scatter.SCATTER_MIN, Math::min), new Case(Scatter.SCATTER_MAX, Math::max))) {
            Array clipped = checkAvals(c.p(), ROWS, List.of(x, idx, u)).getFirst();
            assertClose(naiveRows(x.toDoubles(), u.toDoubles(), clipRows, c.f()), vals(clipped), 1e-12, c.p() + " clip");
            assertClose(naiveRows(x.toDoubles(), u.toDoubles(), dropRows, c.f()), vals(c.p().bind(drop, List.of(x, idx, u)).getFirst()),
                    1e-12, c.p() + " drop");
        }
        // integer and boolean operands: min/max/mul on the integers, and/or on booleans
        Array xi = Array.of(5, -2, 7), ii = ints(new int[]{0, 2, 0}, 3, 1), ui = Array.of(3, 9, -4);
        var scalarRows = new ScatterParams(new ScatterDimensionNumbers(Ints.of(), Ints.of(0), Ints.of(0)), FILL_OR_DROP);
        assertArrayEquals(new double[]{-4, -2, 7}, vals(Scatter.SCATTER_MIN.bind(scalarRows, List.of(xi, ii, ui)).getFirst()));
        assertArrayEquals(new double[]{5, -2, 9}, vals(Scatter.SCATTER_MAX.bind(scalarRows, List.of(xi, ii, ui)).getFirst()));
        assertArrayEquals(new double[]{-60, -2, 63}, vals(Scatter.SCATTER_MUL.bind(scalarRows, List.of(xi, ii, ui)).getFirst()));
        assertArrayEquals(new double[]{-4, -2, 9}, vals(Scatter.SCATTER.bind(scalarRows, List.of(xi, ii, ui)).getFirst()), "last wins");
        Array xb = Array.of(true, false, true), ub = Array.of(false, true, true);
        assertArrayEquals(new double[]{0, 0, 1}, vals(Scatter.SCATTER_MIN.bind(scalarRows, List.of(xb, ii, ub)).getFirst()));
        assertArrayEquals(new double[]{1, 0, 1}, vals(Scatter.SCATTER_MAX.bind(scalarRows, List.of(xb, ii, ub)).getFirst()));
        var e = assertThrows(Jax4jException.class, () -> Scatter.SCATTER_MAX.bind(ROWS, List.of(x, idx, randn(r, 3, 3))));
        assertTrue(e.getMessage().startsWith("scatter-max into f64[5,3]") && e.getMessage().contains("f64[3,3]"), e.getMessage());
    }

    @Test
    void scatterJvpFollowsTheWinningUpdate() {
        ArrayImpl x = randn(r, 5, 3);
        ArrayImpl u = randn(r, 4, 3);
        for (ArrayImpl idx : List.of(ints(new int[]{1, 4, 1, 7}, 4, 1), ints(new int[]{3, 0, 3, 3}, 4, 1))) {
            for (ScatterParams p : List.of(ROWS, new ScatterParams(ROWS.dimensionNumbers(), FILL_OR_DROP))) {
                checkJvp(r, Scatter.SCATTER, p, List.of(x, idx, u), 0, 2);
                checkJvp(r, Scatter.SCATTER_MIN, p, List.of(x, idx, u), 0, 2);
                checkJvp(r, Scatter.SCATTER_MAX, p, List.of(x, idx, u), 0, 2);
                checkJvp(r, Scatter.SCATTER_MUL, p, List.of(x, idx, u), 0);
            }
        }
        // tied winners share the tangent: max(x=1, u=1, u=1) at one element gets (tx + tu0 + tu1) / 3
        Array one = f64(new double[]{1}, 1), ones = f64(new double[]{1, 1}, 2);
        var scalarRows = new ScatterParams(new ScatterDimensionNumbers(Ints.of(), Ints.of(0), Ints.of(0)), FILL_OR_DROP);
        var res = Scatter.SCATTER_MAX.jvpRule().apply(scalarRows, List.of(one, ints(new int[]{0, 0}, 2, 1), ones),
                java.util.Arrays.asList(f64(new double[]{3}, 1), null, f64(new double[]{6, 9}, 2)));
        assertClose(new double[]{6}, vals(res.tangents().getFirst()), 1e-12, "ties share the tangent");
        // scatter-mul in the updates: only with unique indices, as in JAX
        var unique = new ScatterParams(ROWS.dimensionNumbers(), FILL_OR_DROP, true);
        ArrayImpl distinct = ints(new int[]{2, 0, 4, 9}, 4, 1);
        checkJvp(r, Scatter.SCATTER_MUL, unique, List.of(x, distinct, u), 0, 2);
        var e = assertThrows(Jax4jException.class, () -> checkJvp(r, Scatter.SCATTER_MUL, ROWS, List.of(x, distinct, u), 2));
        assertTrue(e.getMessage().contains("unique indices") && e.getMessage().contains("unique_indices=true"), e.getMessage());
    }

    @Test
    void scatterTransposesWithUniqueIndices() {
        ArrayImpl x = randn(r, 5, 3), u = randn(r, 4, 3);
        ArrayImpl distinct = ints(new int[]{2, 0, 4, 9}, 4, 1);
        var unique = new ScatterParams(ROWS.dimensionNumbers(), FILL_OR_DROP, true);
        checkTranspose(r, Scatter.SCATTER, unique, List.of(x, distinct, u), 0, 2);
        checkTranspose(r, Scatter.SCATTER_MUL, unique, List.of(x, distinct, u), 0);
        checkTranspose(r, Scatter.SCATTER_MUL, ROWS, List.of(x, ints(new int[]{1, 1, 3, 3}, 4, 1), u), 0);
        var e = assertThrows(Jax4jException.class, () -> checkTranspose(r, Scatter.SCATTER, ROWS, List.of(x, distinct, u), 0, 2));
        assertTrue(e.getMessage().startsWith("scatter: the transpose is only defined for unique indices"), e.getMessage());
    }

    @Test
    void scatterFamilyBatching() {
        for (var p : List.of(Scatter.SCATTER, Scatter.SCATTER_MUL, Scatter.SCATTER_MIN, Scatter.SCATTER_MAX)) {
            checkBatch(p, ROWS, List.of(randn(r, 2, 5, 3), randInts(r, 0, 5, 4, 1), randn(r, 4, 3)), 0, null, null);
            checkBatch(p, ROWS, List.of(randn(r, 5, 3), randInts(r, 0, 5, 4, 2, 1), randn(r, 4, 3)), null, 1, null);
            checkBatch(p, ROWS, List.of(randn(r, 5, 2, 3), randInts(r, 0, 5, 2, 4, 1), randn(r, 4, 3, 2)), 1, 0, 2);
        }
    }
}
