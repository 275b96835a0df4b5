package io.jax4j.tests;

import io.jax4j.Array;
import io.jax4j.Np;
import io.jax4j.autodiff.Jax;
import io.jax4j.autodiff.ValueAndGrad;
import io.vavr.Function1;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The README's example, line for line, so that the README stays true. */
class ReadmeExampleTest {
    @Test
    void jittedValueAndGrad() {
        // ---- README example begins
        Function1<Array, Array> f = x -> Np.sum(Np.tanh(x.mul(1.5f).add(0.5f)).mul(Np.exp(x.mul(x).neg())));
        var df = Jax.jit(Jax.valueAndGrad(f));          // traced once, then cached per shape
        ValueAndGrad<Array> r = df.apply(Array.of(-1.2f, 0.3f, 2.0f));
        System.out.println(r.value());                  // Array(0.49022692, dtype=float32)
        System.out.println(r.grad());                   // Array([..., ..., ...], dtype=float32)
        System.out.println(Jax.makeJaxpr(f).apply(Array.of(1f, 2f, 3f)));
        // ---- README example ends
        double value = 0;
        double[] xs = {-1.2f, 0.3f, 2.0f};
        for (double x : xs) value += Math.tanh(1.5 * x + 0.5) * Math.exp(-x * x);
        assertEquals(value, r.value().item(), 1e-6);
        for (int i = 0; i < 3; i++) {
            double x = xs[i], t = Math.tanh(1.5 * x + 0.5), e = Math.exp(-x * x);
            assertEquals(1.5 * (1 - t * t) * e - 2 * x * t * e, r.grad().toDoubleArray()[i], 1e-5);
        }
    }
}
