package io.jax4j.xla.internal;

import io.jax4j.Lax;
import io.jax4j.core.Jax4jException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Pattern;

import static io.jax4j.xla.Traced.f32;
import static io.jax4j.xla.Traced.trace;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Arrays of more than 2^31 elements can exist (the buffers are native, indexed by long): the C
 * kernels index them with 64-bit integers, and a GEMM too large for BLAS's 32-bit dimensions is
 * refused at compile time. Lowering only: nothing this size is allocated.
 */
class LargeArrayCodegenTest {
    private static final Pattern INT_INDEX = Pattern.compile("\\b(int|int32_t|unsigned)\\s+[a-z]\\w*\\s*=");

    @Test
    void kernelsOverMoreThan2To31ElementsUse64BitIndices() {
        String flat = Lowering.lower(trace(xs -> List.of(Lax.exp(xs.get(0))), f32(1 << 16, 1 << 16)), null, "big", CDialect.INSTANCE).source();
        assertTrue(flat.contains("for (long o = 0; o < 65536; o++)") && flat.contains("const long i = o * 65536 + j;"), flat);
        String reduce = Lowering.lower(trace(xs -> List.of(Lax.reduceSum(Lax.exp(xs.get(0)), 1, 2)), f32(3, Integer.MAX_VALUE, 2)), null,
                "bigsum", CDialect.INSTANCE).source();
        assertTrue(reduce.contains("for (long r = 0; r < 4294967294; r++)"), reduce);
        for (String src : List.of(flat, reduce)) {
            String kernels = src.substring(CDialect.INSTANCE.prelude().length());
            assertFalse(INT_INDEX.matcher(kernels).find(), "a 32-bit index in\n" + kernels);
        }
    }

    @Test
    void aGemmBeyondBlasDimensionsIsRefusedAtCompileTime() {
        var e = assertThrows(Jax4jException.class, () -> Lowering.lower(trace(xs -> List.of(Lax.dotGeneral(xs.get(0), xs.get(1),
                new int[]{2}, new int[]{0}, new int[0], new int[0])), f32(1 << 16, 1 << 16, 2), f32(2, 3)), null, "biggemm", CDialect.INSTANCE));
        assertTrue(e.getMessage().contains("dot_general of [65536,65536,2] and [2,3] is a GEMM with m = 4294967296"), e.getMessage());
    }
}
