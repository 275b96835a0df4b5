package io.jax4j.autodiff;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Lax;
import io.jax4j.Np;
import io.vavr.Tuple;
import io.vavr.Tuple2;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** lax's control flow reached from {@link Lax}, as JAX users spell it (the autodiff module provides it). */
class LaxControlFlowTest {
    @Test
    void scanCondSwitchForiAndWhileFromLax() {
        Tuple2<Array, Array> cumsum = Lax.scan((Array c, Array x) -> Tuple.of(c.add(x), c.add(x)), Array.scalar(0f), Array.of(1f, 2f, 3f));
        assertArrayEquals(new float[]{1f, 3f, 6f}, cumsum._2().toFloatArray());
        assertEquals(6.0, cumsum._1().item());
        Tuple2<Array, Array> viaControlFlow = ControlFlow.scan((Array c, Array x) -> Tuple.of(c.add(x), c.add(x)), Array.scalar(0f), Array.of(1f, 2f, 3f));
        assertArrayEquals(viaControlFlow._2().toFloatArray(), cumsum._2().toFloatArray());

        Array x = Array.scalar(2f);
        assertEquals(4.0, Lax.<Array, Array>cond(x.gt(0), v -> v.mul(v), v -> v.neg(), x).item());
        assertEquals(-2.0, Lax.<Array, Array>switchCase(Array.scalar(1), List.of(v -> v.mul(v), v -> v.neg()), x).item());
        assertEquals(10.0, Lax.foriLoop(0, 5, (Array i, Array c) -> c.add(i.astype(DType.F32)), Array.scalar(0f)).item());
        assertEquals(16.0, Lax.whileLoop((Array c) -> c.lt(10f), (Array c) -> c.mul(2f), Array.scalar(1f)).item());
    }

    @Test
    void theyDifferentiateAsControlFlowDoes() {
        Array g = Jax.grad((Array w) -> Np.sum(Lax.scan((Array c, Array x) -> Tuple.of(c.mul(w), c.mul(x)), Array.scalar(1f), Array.of(1f, 1f, 1f))._2()))
                .apply(Array.scalar(2f));
        // y_t = w^t (t = 0, 1, 2): d/dw sum = 1 + 2w = 5
        assertEquals(5.0, g.item(), 1e-6);
    }
}
