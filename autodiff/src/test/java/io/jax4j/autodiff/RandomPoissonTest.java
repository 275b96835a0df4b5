package io.jax4j.autodiff;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Np;
import io.jax4j.Random;
import io.jax4j.Special;
import io.vavr.Function1;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Random.poisson (Knuth below 10, transformed rejection above, Lax.whileLoop) by its moments; gammaln's derivative. */
class RandomPoissonTest {
    @Test
    void poissonHasMeanAndVarianceLam() {
        int n = 4000;
        for (double lam : new double[]{0.5, 3, 9.5, 12, 60}) {
            double[] k = Random.poisson(Random.key(5), Array.scalar((float) lam), new int[]{n}).toDoubleArray();
            assertTrue(Arrays.stream(k).allMatch(v -> v >= 0 && v == Math.rint(v)), "non-negative integers");
            double mean = Arrays.stream(k).average().orElseThrow(), var = 0;
            for (double v : k) var += (v - mean) * (v - mean);
            var /= n - 1;
            assertEquals(lam, mean, 5 * Math.sqrt(lam / n), "poisson(" + lam + "): mean");
            assertEquals(lam, var, 0.12 * lam, "poisson(" + lam + "): variance");
        }
        Array mixed = Random.poisson(Random.key(6), Array.of(0f, 2f, 40f));
        assertEquals(DType.I32, mixed.dtype());
        assertEquals(0.0, mixed.toDoubleArray()[0], "lam 0 gives 0");
        Function1<Array, Array> jitted = Jax.jit((Array key) -> Random.poisson(key, Array.of(2f, 40f)));
        assertArrayEquals(Random.poisson(Random.key(7), Array.of(2f, 40f)).toFloatArray(), jitted.apply(Random.key(7)).toFloatArray(), "jit = eager");
    }

    @Test
    void gammalnDifferentiatesToTheDigamma() {
        // digamma(1) = -γ, digamma(5) = 1 + 1/2 + 1/3 + 1/4 - γ
        double euler = 0.5772156649015329;
        Array g = Jax.grad((Array x) -> Np.sum(Special.gammaln(x))).apply(Array.of(1f, 5f));
        assertArrayEquals(new float[]{(float) -euler, (float) (1 + 0.5 + 1.0 / 3 + 0.25 - euler)}, g.toFloatArray(), 2e-5f);
    }
}
