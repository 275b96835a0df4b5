package io.jax4j;

import org.junit.jupiter.api.Test;

import static io.jax4j.DType.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** JAX's promotion lattice (x64 disabled) and weak types, as jnp.promote_types and jnp ops give them. */
class PromotionTest {
    @Test
    void strongDtypes() {
        assertEquals(F32, DType.promote(BOOL, F32));
        assertEquals(I32, DType.promote(BOOL, I32));
        assertEquals(I32, DType.promote(I32, U32));
        assertEquals(F32, DType.promote(I32, F32));
        assertEquals(F16, DType.promote(I32, F16));
        assertEquals(F32, DType.promote(F16, BF16));
        assertEquals(F32, DType.promote(BF16, F32));
        assertEquals(F64, DType.promote(F32, F64));
        assertEquals(BF16, DType.promote(BF16, BF16));
    }

    @Test
    void weakScalarsDoNotWiden() {
        Array h = Array.zeros(F16, 3);
        assertEquals(F16, h.add(1.5).dtype());                       // f16 + python float -> f16
        assertEquals(I32, Array.of(1, 2).mul(3).dtype());           // i32 * python int -> i32
        Array f = Array.of(1, 2).add(1.5);                          // i32 + python float -> weak f32
        assertEquals(F32, f.dtype());
        assertTrue(f.aval().weakType());
        assertFalse(Array.of(1f).add(2).aval().weakType());
        assertEquals(F32, Array.of(true, false).add(Array.of(1f, 2f)).dtype());
        assertEquals(F32, Np.divide(Array.of(1, 2), Array.of(2, 4)).dtype()); // true division of ints
        assertEquals("Array(2.5, dtype=float32, weak_type=True)", Array.weak(2).add(0.5).toString());
    }
}
