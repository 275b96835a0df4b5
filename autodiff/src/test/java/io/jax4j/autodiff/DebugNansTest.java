package io.jax4j.autodiff;

import io.jax4j.Array;
import io.jax4j.Np;
import io.jax4j.core.DebugNans;
import io.vavr.Function1;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code JAX4J_DEBUG_NANS} as {@code jax_debug_nans}: the first primitive that makes a NaN is named, with its line. */
class DebugNansTest {
    @BeforeEach
    void on() { DebugNans.enable(true); }

    @AfterEach
    void off() { DebugNans.enable(false); }

    @Test
    void anEagerPrimitiveThatMakesANaNIsNamedWithTheUsersLine() {
        var e = assertThrows(DebugNans.FloatingPointError.class, () -> Np.log(Array.of(1f, -1f)));
        assertTrue(e.getMessage().startsWith("invalid value (nan) encountered in log at DebugNansTest.java:"), e.getMessage());
        Np.log(Array.of(Float.NaN));  // a NaN that came in is not this primitive's doing
    }

    @Test
    void aJittedCallNamesTheFirstEquationThatMadeANaN() {
        Function1<Array, Array> f = Jax.jit((Array x) -> Np.sqrt(x.sub(2f)).mul(3f).add(x));
        var e = assertThrows(DebugNans.FloatingPointError.class, () -> f.apply(Array.of(1f, 4f)));
        assertTrue(e.getMessage().contains("encountered in jit("), e.getMessage());
        assertTrue(e.getMessage().contains("the first NaN comes from sqrt -> f32[2] at DebugNansTest.java:"), e.getMessage());
        var in = assertThrows(DebugNans.FloatingPointError.class, () -> f.apply(Array.of(Float.NaN, 4f)));
        assertTrue(in.getMessage().contains("argument 0 (f32[2]) already holds a NaN"), in.getMessage());
    }

    @Test
    void offNaNsPassSilentlyAsInJax() {
        DebugNans.enable(false);
        Function1<Array, Array> f = Jax.jit((Array x) -> Np.sqrt(x));
        assertTrue(Float.isNaN(f.apply(Array.of(-1f)).toFloatArray()[0]));
    }
}
