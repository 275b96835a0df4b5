package io.jax4j.autodiff;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Np;
import io.jax4j.core.Jax4jException;
import io.vavr.Function1;
import io.vavr.Function2;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code x.get(...)} and {@code x.at(...)} under grad, jit and vmap, and what they lower to. */
class IndexingTransformsTest {
    private static final Array X = Array.of(0.5f, -1f, 2f, 3f, -0.25f, 1.5f);

    @Test
    void gradientOfAGatherAccumulatesOverRepeatedIndices() {
        Array idx = Array.of(1, 4, 1, -1);
        Function1<Array, Array> f = x -> Np.sum(Np.square(x.get(idx)));
        float[] x = X.toFloatArray();
        float[] want = {0, 2 * 2 * x[1], 0, 0, 2 * x[4], 2 * x[5]};
        assertArrayEquals(want, Jax.grad(f).apply(X).toFloatArray(), 1e-6f);
        assertArrayEquals(want, Jax.jit(Jax.grad(f)).apply(X).toFloatArray(), 1e-6f);
    }

    @Test
    void gradientsOfIndexedUpdates() {
        Array w = Array.of(1f, 2f, 3f, 4f, 5f, 6f);
        Array idx = Array.of(0, 3, 9);   // 9 is out of range: dropped
        Function2<Array, Array, Array> setLoss = (x, v) -> Np.sum(x.at(idx).set(v).mul(w));
        Function2<Array, Array, Array> addLoss = (x, v) -> Np.sum(Np.square(x.at(idx).add(v)));
        Array v = Array.of(10f, 20f, 30f);
        // d/dx: w where x survives; d/dv: w at the written positions, 0 for the dropped update
        assertArrayEquals(new float[]{0, 2, 3, 0, 5, 6}, Jax.grad(setLoss).apply(X, v).toFloatArray(), 0);
        assertArrayEquals(new float[]{1, 4, 0},
                Jax.grad((Array vv, Array x) -> setLoss.apply(x, vv)).apply(v, X).toFloatArray(), 0);
        float[] x = X.toFloatArray();
        float[] y = {x[0] + 10, x[1], x[2], x[3] + 20, x[4], x[5]};
        assertArrayEquals(new float[]{2 * y[0], 2 * y[3], 0},
                Jax.grad((Array vv, Array xx) -> addLoss.apply(xx, vv)).apply(v, X).toFloatArray(), 1e-5f);
        assertArrayEquals(Jax.grad(addLoss).apply(X, v).toFloatArray(), Jax.jit(Jax.grad(addLoss)).apply(X, v).toFloatArray(), 1e-6f);
    }

    @Test
    void tracedScalarIndicesUnderJitAndVmap() {
        Array m = Np.reshape(Array.arange(12).astype(DType.F32), 3, 4);
        Function2<Array, Array, Array> row = (x, i) -> x.get(i);
        Function2<Array, Array, Array> bump = (x, i) -> x.at(i, "1:3").add(100f);
        for (int i : new int[]{0, 2, -1, 7}) {   // 7 clamps on reads and is dropped on updates, as in JAX
            Array k = Array.scalar(i);
            assertArrayEquals(m.get(i).toFloatArray(), Jax.jit(row).apply(m, k).toFloatArray(), 0, "row " + i);
            assertArrayEquals(m.at(i, "1:3").add(100f).toFloatArray(), Jax.jit(bump).apply(m, k).toFloatArray(), 0, "bump " + i);
        }
        assertArrayEquals(m.toFloatArray(), Jax.jit(bump).apply(m, Array.scalar(7)).toFloatArray(), 0);
        Array picks = Array.of(3, 0, -1);   // one column per row: x[b, picks[b]]
        Array picked = Jax.vmap((Array r, Array j) -> r.get(j), InAxes.of(0, 0)).apply(m, picks);
        assertArrayEquals(new float[]{3, 4, 11}, picked.toFloatArray(), 0);
        Array zeroed = Jax.vmap((Array r, Array j) -> r.at(j).set(0f), InAxes.of(0, 0)).apply(m, picks);
        assertArrayEquals(new float[]{0, 1, 2, 0, 0, 5, 6, 7, 8, 9, 10, 0}, zeroed.toFloatArray(), 0);
        Array rows = Jax.vmap((Array j) -> m.get(Array.of(0, 2), j), InAxes.of(0)).apply(Array.of(1, 3));
        assertArrayEquals(new float[]{1, 9, 3, 11}, rows.toFloatArray(), 0);
    }

    @Test
    void staticSlicesLowerToSliceAndIndexArraysToOneGather() {
        String slice = Jax.makeJaxpr((Array x) -> x.get("1:3, ::-1")).apply(Array.zeros(4, 5)).toString();
        assertTrue(slice.contains("slice") && slice.contains("rev"), slice);
        assertFalse(slice.contains("gather"), slice);
        String gather = Jax.makeJaxpr((Array x) -> x.get(":", Array.of(1, 2))).apply(Array.zeros(4, 5)).toString();
        assertTrue(gather.contains("gather"), gather);
        String update = Jax.makeJaxpr((Array x) -> x.at("1:3").set(1f)).apply(Array.zeros(4, 5)).toString();
        assertTrue(update.contains("dynamic_update_slice"), update);
        assertFalse(update.contains("scatter"), update);
    }

    @Test
    void aTracedBooleanMaskSaysWhatToDoInstead() {
        Function2<Array, Array, Array> masked = (x, mask) -> x.get(mask);
        Jax4jException e = assertThrows(Jax4jException.class,
                () -> Jax.jit(masked).apply(X, Array.of(true, false, true, false, true, false)));
        assertTrue(e.getMessage().contains("NonConcreteBooleanIndexError") && e.getMessage().contains("Np.where"), e.getMessage());
        assertArrayEquals(new float[]{0.5f, 2f, -0.25f}, masked.apply(X, Array.of(true, false, true, false, true, false)).toFloatArray());
    }
}
