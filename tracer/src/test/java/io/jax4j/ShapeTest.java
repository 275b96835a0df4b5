package io.jax4j;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShapeTest {
    @Test
    void anElementCountThatOverflowsALongIsRefusedNamingTheShape() {
        var e = assertThrows(IllegalArgumentException.class, () -> Array.zeros(65536, 65536, 65536, 65536));
        assertTrue(e.getMessage().contains("shape [65536,65536,65536,65536] has 18446744073709551616 elements"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Shape.of(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE));
    }

    @Test
    void aByteSizeThatOverflowsALongIsRefusedNamingTheDtypeAndShape() {
        Shape big = Shape.of(Integer.MAX_VALUE, Integer.MAX_VALUE, 2);  // 2^63 - 2^32 + 2 elements: countable
        assertEquals(2L * Integer.MAX_VALUE * Integer.MAX_VALUE, big.size());
        assertEquals(big, new ShapedArray(DType.BOOL, big).shape());
        var e = assertThrows(IllegalArgumentException.class, () -> new ShapedArray(DType.F32, big));
        assertTrue(e.getMessage().contains("f32[2147483647,2147483647,2]") && e.getMessage().contains("bytes"), e.getMessage());
    }

    @Test
    void sizesOfOrdinaryAndEmptyShapes() {
        assertEquals(1, Shape.scalar().size());
        assertEquals(0, Shape.of(0, 65536, 65536, 65536, 65536).size());
        assertEquals(1L << 48, Shape.of(65536, 65536, 65536).size());
    }
}
