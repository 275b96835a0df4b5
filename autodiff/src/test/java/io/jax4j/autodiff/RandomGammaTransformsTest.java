package io.jax4j.autodiff;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Lax;
import io.jax4j.Np;
import io.jax4j.Random;
import io.jax4j.core.Jax4jException;
import io.vavr.Function1;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** random_gamma under vmap and jit, its gradient with respect to alpha (implicit reparameterization), and a second derivative refused. */
class RandomGammaTransformsTest {
    private static final Array ALPHA = Array.of(0.4f, 1.5f, 3f);

    @Test
    void vmapOverKeysEqualsALoop() {
        Array keys = Random.split(Random.key(7), 4);
        Function1<Array, Array> draw = k -> Random.gamma(k, ALPHA);
        Array batched = Jax.vmap(draw).apply(keys);
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(draw.apply(keys.get(i)).toFloatArray(), batched.get(i).toFloatArray(), 0, "example " + i);
        }
        Array jitted = Jax.jit(draw).apply(keys.get(2));
        assertArrayEquals(draw.apply(keys.get(2)).toFloatArray(), jitted.toFloatArray(), 0, "jit");
    }

    /**
     * Implicit reparameterization is unbiased: the mean of dx/da over many samples estimates
     * d E[f(x)]/da, which is known for Gamma(a): E[x] = a (so 1), E[x²] = a(a + 1) (so 2a + 1),
     * E[log x] = ψ(a) (so the trigamma function, through loggamma).
     */
    @Test
    void gradientsWithRespectToAlphaAreUnbiased() {
        int n = 20_000;
        for (double alpha : new double[]{0.3, 1.0, 4.5}) {
            Array a = Array.scalar(alpha, DType.F32);
            Function1<Array, Array> draws = x -> Random.gamma(Random.key(11), Np.broadcastTo(x, new int[]{n}), new int[]{n}, DType.F32);
            double dMean = Jax.grad((Array x) -> Np.mean(draws.apply(x))).apply(a).item();
            double dSecond = Jax.grad((Array x) -> Np.mean(Np.square(draws.apply(x)))).apply(a).item();
            double dLogMean = Jax.grad((Array x) -> Np.mean(Random.loggamma(Random.key(12), Np.broadcastTo(x, new int[]{n}), new int[]{n}, DType.F32)))
                    .apply(a).item();
            assertEquals(1.0, dMean, 0.03, "d E[x]/da at a = " + alpha);
            assertEquals(2 * alpha + 1, dSecond, 0.05 * (2 * alpha + 1), "d E[x²]/da at a = " + alpha);
            assertEquals(trigamma(alpha), dLogMean, 0.03 * trigamma(alpha), "d E[log x]/da at a = " + alpha);
        }
    }

    private static double trigamma(double a) {
        double r = 0;
        while (a < 20) { r += 1 / (a * a); a += 1; }
        return r + 1 / a + 1 / (2 * a * a) + 1 / (6 * a * a * a) - 1 / (30 * Math.pow(a, 5));
    }

    @Test
    void gradientUnderJitAndVmapEqualsEager() {
        Function1<Array, Array> loss = a -> Np.sum(Np.multiply(Random.gamma(Random.key(3), a), Array.of(1f, 2f, 3f)));
        Array eager = Jax.grad(loss).apply(ALPHA);
        assertArrayEquals(eager.toFloatArray(), Jax.jit(Jax.grad(loss)).apply(ALPHA).toFloatArray(), 1e-6f, "jit(grad)");
        Array alphas = Np.stack(java.util.List.of(ALPHA, Np.multiply(ALPHA, Array.weak(2))), 0);
        Array batched = Jax.vmap(Jax.grad(loss)).apply(alphas);
        for (int i = 0; i < 2; i++) {
            assertArrayEquals(Jax.grad(loss).apply(alphas.get(i)).toFloatArray(), batched.get(i).toFloatArray(), 1e-6f, "vmap(grad), row " + i);
        }
        for (float g : eager.toFloatArray()) assertTrue(g > 0, "a larger alpha moves every sample up: " + g);
    }

    @Test
    void aSecondDerivativeIsRefusedAsInJax() {
        Function1<Array, Array> loss = a -> Np.sum(Random.gamma(Random.key(1), a));
        Jax4jException e = assertThrows(Jax4jException.class, () -> Jax.grad((Array a) -> Np.sum(Jax.grad(loss).apply(a))).apply(ALPHA));
        assertTrue(e.getMessage().contains("random_gamma_grad has no derivative"), e.getMessage());
        // with alpha held constant the samples are constants, so a loss through them differentiates in its other inputs
        Array g = Jax.grad((Array w) -> Np.sum(Np.multiply(w, Random.gamma(Random.key(1), Lax.stopGradient(ALPHA))))).apply(Array.ones(3));
        assertArrayEquals(Random.gamma(Random.key(1), ALPHA).toFloatArray(), g.toFloatArray(), 0);
        assertTrue(g.dtype() == DType.F32);
    }
}
