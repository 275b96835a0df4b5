package io.jax4j.prims;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Lax;
import io.jax4j.ShapedArray;
import io.jax4j.core.ArrayImpl;
import io.jax4j.core.Ints;
import io.jax4j.core.Jax4jException;
import io.jax4j.core.Params;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static io.jax4j.prims.RuleChecks.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IndexingTest {
    private final Random r = new Random(7);

    private static double[] naiveSlice(double[] x, int rows, int cols, int r0, int r1, int rs, int c0, int c1, int cs) {
        java.util.List<Double> out = new java.util.ArrayList<>();
        for (int i = r0; i < r1; i += rs) for (int j = c0; j < c1; j += cs) out.add(x[i * cols + j]);
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    @Test
    void sliceAllRules() {
        ArrayImpl x = randn(r, 5, 7);
        var p = new Indexing.SliceParams(Ints.of(1, 2), Ints.of(5, 7), Ints.of(2, 3));
        Array out = checkAvals(Indexing.SLICE, p, List.of(x)).getFirst();
        assertArrayEquals(new int[]{2, 2}, out.shape());
        assertArrayEquals(naiveSlice(x.toDoubles(), 5, 7, 1, 5, 2, 2, 7, 3), vals(out));
        checkJvp(r, Indexing.SLICE, p, List.of(x), 0);
        checkTranspose(r, Indexing.SLICE, p, List.of(x), 0);
        var empty = new Indexing.SliceParams(Ints.of(3, 0), Ints.of(3, 7), Ints.of(1, 1));
        checkTranspose(r, Indexing.SLICE, empty, List.of(x), 0);
        checkBatch(Indexing.SLICE, p, List.of(randn(r, 3, 5, 7)), 0);
        checkBatch(Indexing.SLICE, p, List.of(randn(r, 5, 3, 7)), 1);
        var e = assertThrows(Jax4jException.class, () -> Lax.slice(x, new int[]{0, 0}, new int[]{6, 7}));
        assertTrue(e.getMessage().contains("slice") && e.getMessage().contains("f64[5,7]"), e.getMessage());
    }

    @Test
    void dynamicSliceClampsAndHasAllRules() {
        ArrayImpl x = randn(r, 4, 6);
        var p = new Indexing.DynamicSliceParams(Ints.of(2, 3));
        // start (3, -2) is clamped to (2, 0) as in XLA
        Array out = checkAvals(Indexing.DYNAMIC_SLICE, p, List.of(x, scalarInt(3), scalarInt(-2))).getFirst();
        assertArrayEquals(naiveSlice(x.toDoubles(), 4, 6, 2, 4, 1, 0, 3, 1), vals(out));
        List<Array> ops = List.of(x, scalarInt(1), scalarInt(2));
        checkJvp(r, Indexing.DYNAMIC_SLICE, p, ops, 0);
        checkTranspose(r, Indexing.DYNAMIC_SLICE, p, ops, 0);
        checkBatch(Indexing.DYNAMIC_SLICE, p, List.of(randn(r, 3, 4, 6), scalarInt(1), scalarInt(2)), 0, null, null);
        checkBatch(Indexing.DYNAMIC_SLICE, p, List.of(x, ints(new int[]{0, 1, 5}, 3), scalarInt(2)), null, 0, null);
        checkBatch(Indexing.DYNAMIC_SLICE, p, List.of(randn(r, 4, 3, 6), ints(new int[]{0, 1, 5}, 3), ints(new int[]{-1, 2, 4}, 3)),
                1, 0, 0);
        var e = assertThrows(Jax4jException.class, () -> Lax.dynamicSlice(x, List.of(scalarInt(0)), new int[]{1, 1}));
        assertTrue(e.getMessage().contains("start index per axis"), e.getMessage());
    }

    @Test
    void dynamicUpdateSliceAllRules() {
        ArrayImpl x = randn(r, 4, 5);
        ArrayImpl u = randn(r, 2, 2);
        List<Array> ops = List.of(x, u, scalarInt(3), scalarInt(1));
        Array out = checkAvals(Indexing.DYNAMIC_UPDATE_SLICE, Params.NONE, ops).getFirst();
        double[] expected = x.toDoubles();
        double[] uv = u.toDoubles();
        for (int i = 0; i < 2; i++) for (int j = 0; j < 2; j++) expected[(2 + i) * 5 + 1 + j] = uv[i * 2 + j];   // row start 3 -> 2
        assertArrayEquals(expected, vals(out));
        checkJvp(r, Indexing.DYNAMIC_UPDATE_SLICE, Params.NONE, ops, 0, 1);
        checkTranspose(r, Indexing.DYNAMIC_UPDATE_SLICE, Params.NONE, ops, 0, 1);
        checkBatch(Indexing.DYNAMIC_UPDATE_SLICE, Params.NONE, List.of(randn(r, 3, 4, 5), u, scalarInt(1), scalarInt(2)),
                0, null, null, null);
        checkBatch(Indexing.DYNAMIC_UPDATE_SLICE, Params.NONE,
                List.of(randn(r, 3, 4, 5), randn(r, 2, 3, 2), ints(new int[]{0, 3, -1}, 3), scalarInt(2)), 0, 1, 0, null);
        checkBatch(Indexing.DYNAMIC_UPDATE_SLICE, Params.NONE, List.of(x, u, ints(new int[]{0, 1, 2}, 3), ints(new int[]{4, 0, 1}, 3)),
                null, null, 0, 0);
        var e = assertThrows(Jax4jException.class, () -> Lax.dynamicUpdateSlice(u, x, List.of(scalarInt(0), scalarInt(0))));
        assertTrue(e.getMessage().contains("fit inside"), e.getMessage());
    }

    @Test
    void padWithNegativeAndInteriorPaddingAllRules() {
        ArrayImpl x = randn(r, 3, 4);
        ArrayImpl pv = f64(new double[]{2.5});
        var p = new Indexing.PadParams(Ints.of(1, -1), Ints.of(2, 0), Ints.of(1, 2));
        Array out = checkAvals(Indexing.PAD, p, List.of(x, pv)).getFirst();
        // rows: 1 + 3 + 2 (interior) + 2 = 8; cols: -1 + 4 + 6 + 0 = 9
        assertArrayEquals(new int[]{8, 9}, out.shape());
        double[] expected = new double[72];
        java.util.Arrays.fill(expected, 2.5);
        double[] xv = x.toDoubles();
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 4; j++) {
                int oi = 1 + 2 * i, oj = -1 + 3 * j;
                if (oj >= 0) expected[oi * 9 + oj] = xv[i * 4 + j];
            }
        }
        assertArrayEquals(expected, vals(out));
        checkJvp(r, Indexing.PAD, p, List.of(x, pv), 0, 1);
        checkTranspose(r, Indexing.PAD, p, List.of(x, pv), 0, 1);
        checkTranspose(r, Indexing.PAD, p, List.of(x, f64(new double[]{0})), 0);   // linear in x alone when the value is 0
        checkBatch(Indexing.PAD, p, List.of(randn(r, 3, 2, 4), pv), 1, null);
        checkBatch(Indexing.PAD, p, List.of(randn(r, 2, 3, 4), randn(r, 2)), 0, 0);
        checkBatch(Indexing.PAD, p, List.of(x, randn(r, 2)), null, 0);
        var e = assertThrows(Jax4jException.class, () -> Lax.pad(x, pv, new int[][]{{0, 0, 0}}));
        assertTrue(e.getMessage().contains("one (lo, hi, interior) per axis"), e.getMessage());
        assertEquals("[padding_config=((1, 2, 1), (-1, 0, 2))]", p.print());
    }

    @Test
    void concatenateAllRules() {
        ArrayImpl a = randn(r, 2, 3), b = randn(r, 2, 1), c = randn(r, 2, 2);
        var p = new Indexing.ConcatenateParams(1);
        Array out = checkAvals(Indexing.CONCATENATE, p, List.of(a, b, c)).getFirst();
        double[] av = a.toDoubles(), bv = b.toDoubles(), cv = c.toDoubles();
        double[] expected = new double[12];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 6; j++) expected[i * 6 + j] = j < 3 ? av[i * 3 + j] : j < 4 ? bv[i] : cv[i * 2 + j - 4];
        }
        assertArrayEquals(expected, vals(out));
        checkJvp(r, Indexing.CONCATENATE, p, List.of(a, b, c), 0, 2);
        checkTranspose(r, Indexing.CONCATENATE, p, List.of(a, b, c), 0, 1, 2);
        checkTranspose(r, Indexing.CONCATENATE, p, List.of(Lax.zerosLike(a), b, Lax.zerosLike(c)), 1);
        checkBatch(Indexing.CONCATENATE, p, List.of(randn(r, 2, 3, 4), b, randn(r, 2, 2, 4)), 2, null, 2);
        var e = assertThrows(Jax4jException.class, () -> Lax.concatenate(List.of(a, randn(r, 3, 3)), 1));
        assertTrue(e.getMessage().contains("f64[2,3]") && e.getMessage().contains("f64[3,3]"), e.getMessage());
    }

    @Test
    void revAllRules() {
        ArrayImpl x = randn(r, 3, 4);
        var p = new Indexing.RevParams(Ints.of(1));
        Array out = checkAvals(Indexing.REV, p, List.of(x)).getFirst();
        double[] xv = x.toDoubles(), expected = new double[12];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) expected[i * 4 + j] = xv[i * 4 + 3 - j];
        assertArrayEquals(expected, vals(out));
        checkJvp(r, Indexing.REV, p, List.of(x), 0);
        checkTranspose(r, Indexing.REV, new Indexing.RevParams(Ints.of(0, 1)), List.of(x), 0);
        checkBatch(Indexing.REV, p, List.of(randn(r, 3, 2, 4)), 1);
        checkBatch(Indexing.REV, p, List.of(randn(r, 3, 2, 4)), 2);
        assertThrows(Jax4jException.class, () -> Lax.rev(x, 2));
    }

    @Test
    void iotaAndBroadcastedIota() {
        var p = new Indexing.IotaParams(DType.I32, Ints.of(2, 3), 1);
        Array out = checkAvals(Indexing.IOTA, p, List.of()).getFirst();
        assertArrayEquals(new double[]{0, 1, 2, 0, 1, 2}, vals(out));
        assertArrayEquals(new double[]{0, 0, 0, 1, 1, 1}, vals(Lax.broadcastedIota(DType.F32, new int[]{2, 3}, 0)));
        assertTrue(Indexing.IOTA.isZeroJvp());
        var e = assertThrows(Jax4jException.class, () -> Lax.broadcastedIota(DType.I32, new int[]{2}, 1));
        assertTrue(e.getMessage().contains("iota"), e.getMessage());
    }

    @Test
    void clampAllRules() {
        ArrayImpl x = randn(r, 3, 4);
        ArrayImpl lo = f64(new double[]{-0.5});
        double[] hv = randn(r, 3, 4).toDoubles();
        for (int i = 0; i < hv.length; i++) hv[i] = Math.abs(hv[i]) + 0.1;
        ArrayImpl hi = f64(hv, 3, 4);
        Array out = checkAvals(Indexing.CLAMP, Params.NONE, List.of(lo, x, hi)).getFirst();
        double[] xv = x.toDoubles(), expected = new double[12];
        for (int i = 0; i < 12; i++) expected[i] = Math.min(Math.max(xv[i], -0.5), hv[i]);
        assertArrayEquals(expected, vals(out));
        checkJvp(r, Indexing.CLAMP, Params.NONE, List.of(lo, x, hi), 0, 1, 2);
        checkBatch(Indexing.CLAMP, Params.NONE, List.of(randn(r, 2), randn(r, 2, 3, 4), hi), 0, 0, null);
        assertArrayEquals(new double[]{0, 1, 3}, vals(Lax.clamp(Array.weak(0), Array.of(-2, 1, 7), Array.weak(3))));
        assertThrows(Jax4jException.class, () -> Lax.clamp(randn(r, 2), x, hi));
    }

    @Test
    void movementWorksForIntAndBoolDtypes() {
        Array b = Array.of(true, false, true);
        assertArrayEquals(new double[]{1, 0, 1, 0, 0}, vals(Lax.pad(b, Lax.scalar(0, DType.BOOL), new int[][]{{0, 2, 0}})));
        Array i = Array.of(1, 2, 3);
        Array c = Lax.concatenate(List.of(i, Lax.rev(i, 0)), 0);
        assertEquals(new ShapedArray(DType.I32, io.jax4j.Shape.of(6)), c.aval());
        assertArrayEquals(new double[]{1, 2, 3, 3, 2, 1}, vals(c));
    }

    @Test
    void sliceTakesNullStridesAsJaxsNone() {
        Array x = Array.arange(12).reshape(3, 4);
        Array s = Lax.slice(x, new int[]{1, 1}, new int[]{3, 3}, null);
        assertArrayEquals(new int[]{2, 2}, s.shape());
        assertArrayEquals(new int[]{5, 6, 9, 10}, s.toIntArray());
        var e = assertThrows(IllegalArgumentException.class, () -> Lax.slice(x, null, new int[]{3, 3}, null));
        assertTrue(e.getMessage().contains("Lax.slice: start_indices is null") && e.getMessage().contains("i32[3,4]"), e.getMessage());
    }
}
