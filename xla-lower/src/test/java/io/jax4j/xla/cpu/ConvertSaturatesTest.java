package io.jax4j.xla.cpu;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Lax;
import io.jax4j.ShapedArray;
import io.jax4j.core.ArrayImpl;
import io.jax4j.core.ReferenceBackend;
import io.jax4j.ir.Jaxpr;
import io.jax4j.spi.Backend;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.jax4j.xla.Traced.trace;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Float to integer conversion saturates as XLA's convert does: NaN to 0, out of range to the type's bounds. */
class ConvertSaturatesTest {
    static final double[] IN = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 3e9, -3e9, 2.5, -2.5,
            4294967296.0, -1, 2147483647.0, -2147483648.0, 4294967295.0, 1e30, -0.5};
    static final long[] TO_I32 = {0, Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE, Integer.MIN_VALUE, 2, -2,
            Integer.MAX_VALUE, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, 0};
    static final long[] TO_U32 = {0, 0xFFFF_FFFFL, 0, 3_000_000_000L, 0, 2, 0, 0xFFFF_FFFFL, 0, 2147483647L, 0,
            0xFFFF_FFFFL, 0xFFFF_FFFFL, 0};

    @Test
    void eagerConversionSaturates() {
        for (DType from : List.of(DType.F64, DType.F32)) {
            Array x = Array.fromDoubles(from, IN, IN.length);
            assertArrayEquals(expected(from, TO_I32), Lax.convertElementType(x, DType.I32).concrete("test").toLongs(), "eager " + from + "->i32");
            assertArrayEquals(expected(from, TO_U32), Lax.convertElementType(x, DType.U32).concrete("test").toLongs(), "eager " + from + "->u32");
        }
    }

    @Test
    void jittedConversionSaturatesOnCpuAndReference() {
        CpuAvailable.assume();
        for (Backend b : List.of(CpuAvailable.BACKEND, ReferenceBackend.INSTANCE)) {
            for (DType from : List.of(DType.F64, DType.F32)) {
                ShapedArray aval = ShapedArray.of(from, IN.length);
                Jaxpr j = trace(xs -> List.of(Lax.convertElementType(xs.get(0), DType.I32), Lax.convertElementType(xs.get(0), DType.U32)), aval);
                List<Array> out = b.compile(j, new boolean[1], "convert").execute(List.of(ArrayImpl.ofDoubles(aval, IN)));
                assertArrayEquals(expected(from, TO_I32), ((ArrayImpl) out.get(0)).toLongs(), b.name() + " " + from + "->i32");
                assertArrayEquals(expected(from, TO_U32), ((ArrayImpl) out.get(1)).toLongs(), b.name() + " " + from + "->u32");
            }
        }
    }

    /** f32 cannot hold 2147483647 or 4294967295: they round up to 2^31 and 2^32, which saturate. */
    private static long[] expected(DType from, long[] values) {
        long[] e = values.clone();
        if (from == DType.F32 && values == TO_U32) e[9] = 2147483648L;
        return e;
    }
}
