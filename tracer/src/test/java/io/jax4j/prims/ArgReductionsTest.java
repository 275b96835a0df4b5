package io.jax4j.prims;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Np;
import io.jax4j.ShapedArray;
import io.jax4j.core.Jax4jException;
import io.jax4j.core.StagingTrace;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArgReductionsTest {
    @Test
    void argmaxAndArgminOfAnEmptyAxisRaiseNamingFunctionAxisAndShape() {
        for (var e : List.<Object[]>of(new Object[]{"argmax", (BiFunction<Array, Integer, Array>) Np::argmax},
                new Object[]{"argmin", (BiFunction<Array, Integer, Array>) Np::argmin})) {
            @SuppressWarnings("unchecked") BiFunction<Array, Integer, Array> f = (BiFunction<Array, Integer, Array>) e[1];
            var eager = assertThrows(Jax4jException.class, () -> f.apply(Array.zeros(3, 0), 1));
            assertTrue(eager.getMessage().contains(e[0] + ": axis 1 of f32[3,0] is empty"), eager.getMessage());
            StagingTrace t = new StagingTrace("test");
            Array x = t.newArg(ShapedArray.of(DType.F32, 0, 4));
            var traced = assertThrows(Jax4jException.class, () -> t.run(() -> List.of(f.apply(x, 0))));
            assertTrue(traced.getMessage().contains(e[0] + ": axis 0 of f32[0,4] is empty"), traced.getMessage());
        }
    }

    @Test
    void anEmptyOtherAxisIsFine() {
        assertArrayEquals(new int[0], Np.argmax(Array.zeros(0, 4), 1).toIntArray());
        assertArrayEquals(new int[]{0, 0, 0, 0}, Np.argmin(Array.zeros(3, 4), 0).toIntArray());
    }
}
