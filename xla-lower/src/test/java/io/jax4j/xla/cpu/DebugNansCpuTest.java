package io.jax4j.xla.cpu;

import io.jax4j.Array;
import io.jax4j.Np;
import io.jax4j.autodiff.Jax;
import io.jax4j.autodiff.JitOptions;
import io.jax4j.core.DebugNans;
import io.jax4j.spi.Backends;
import io.vavr.Function1;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code JAX4J_DEBUG_NANS} with a compiled program: the NaN of generated code is traced back to its equation and line. */
class DebugNansCpuTest {
    @Test
    void aCompiledCallsNaNIsTracedToItsEquationEvenWithDonation() {
        CpuAvailable.assume();
        assertEquals("cpu", Backends.current().name());
        DebugNans.enable(true);
        try {
            Function1<Array, Array> f = Jax.jit((Array x) -> Np.log(x.mul(x).sub(1f)).add(x), JitOptions.donate(0));
            var e = assertThrows(DebugNans.FloatingPointError.class, () -> f.apply(Array.of(0.5f, 3f)));
            assertTrue(e.getMessage().contains("the first NaN comes from log -> f32[2] at DebugNansCpuTest.java:"), e.getMessage());
            assertArrayEquals(new float[]{(float) (Math.log(8) + 3)}, new float[]{f.apply(Array.of(3f)).toFloatArray()[0]}, 1e-5f);
        } finally {
            DebugNans.enable(false);
        }
    }
}
