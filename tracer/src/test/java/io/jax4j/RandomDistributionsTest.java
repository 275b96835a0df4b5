package io.jax4j;

import io.jax4j.core.Jax4jException;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The distributions of {@code jax.random} beyond uniform and normal: each sample's moments against the
 * distribution's (within five standard errors, fixed keys), the support, JAX's formula in terms of
 * the uniform draw where there is one, shapes and dtypes, and the errors.
 */
class RandomDistributionsTest {
    private static final int N = 20_000;

    private static double mean(double[] x) { return Arrays.stream(x).average().orElseThrow(); }

    private static double variance(double[] x) {
        double m = mean(x), s = 0;
        for (double v : x) s += (v - m) * (v - m);
        return s / (x.length - 1);
    }

    /** The sample mean within five standard errors of {@code mu} (and the variance within 10 %). */
    private static void assertMoments(String what, double[] x, double mu, double var) {
        double se = Math.sqrt(var / x.length);
        assertEquals(mu, mean(x), 5 * se, what + ": mean");
        assertEquals(var, variance(x), 0.1 * var, what + ": variance");
    }

    @Test
    void exponentialLaplaceLogisticFollowJaxsFormulas() {
        Array key = Random.key(11);
        double[] e = Random.exponential(key, N).toDoubleArray();
        assertMoments("exponential", e, 1, 1);
        assertTrue(Arrays.stream(e).allMatch(v -> v >= 0 && Double.isFinite(v)), "exponential samples are finite and >= 0");
        Array u = Random.uniform(key, N);
        assertArrayEquals(Np.negative(Np.log1p(Np.negative(u))).toDoubleArray(), e, 0, "exponential = -log1p(-u) of the same key's uniform");

        double[] l = Random.laplace(Random.key(12), N).toDoubleArray();
        assertMoments("laplace", l, 0, 2);
        // Cauchy has no moments: its median is 0 and its quartiles are -1 and 1
        double[] c = Random.cauchy(Random.key(14), N).toDoubleArray();
        Arrays.sort(c);
        assertEquals(0, c[N / 2], 0.05, "cauchy median");
        assertEquals(-1, c[N / 4], 0.08, "cauchy first quartile");
        assertEquals(1, c[3 * N / 4], 0.08, "cauchy third quartile");
        double[] g = Random.logistic(Random.key(13), N).toDoubleArray();
        assertMoments("logistic", g, 0, Math.PI * Math.PI / 3);
        assertTrue(Arrays.stream(g).allMatch(Double::isFinite), "logistic samples are finite (u >= tiny)");
    }

    @Test
    void discreteAndDerivedDistributions() {
        double[] r = Random.rademacher(Random.key(14), N).toDoubleArray();
        assertTrue(Arrays.stream(r).allMatch(v -> v == 1 || v == -1), "rademacher gives -1 or 1");
        assertMoments("rademacher", r, 0, 1);
        assertEquals(DType.I32, Random.rademacher(Random.key(14), 3).dtype());

        double[] p = Random.pareto(Random.key(15), Array.scalar(3f), new int[]{N}, DType.F32).toDoubleArray();
        assertTrue(Arrays.stream(p).allMatch(v -> v >= 1), "pareto samples are >= 1");
        assertEquals(1.5, mean(p), 0.05, "pareto(3): mean b / (b - 1)");

        double[] w = Random.weibullMin(Random.key(16), Array.scalar(2f), Array.scalar(2f), new int[]{N}, DType.F32).toDoubleArray();
        assertMoments("weibull(scale 2, c 2)", w, 2 * 0.886226925, 4 * (1 - Math.PI / 4));

        double[] m = Random.maxwell(Random.key(17), N).toDoubleArray();
        assertMoments("maxwell", m, 2 * Math.sqrt(2 / Math.PI), 3 - 8 / Math.PI);
        Array ds = Random.doubleSidedMaxwell(Random.key(18), Array.scalar(1f), Array.scalar(2f), new int[]{N}, DType.F32);
        assertMoments("double-sided maxwell (loc 1, scale 2)", ds.toDoubleArray(), 1, 4 * 3);
    }

    @Test
    void multivariateNormalHasTheCovariance() {
        Array mean = Array.of(1f, -2f);
        Array cov = Array.of(new float[][]{{2f, 0.6f}, {0.6f, 1f}});
        Array x = Random.multivariateNormal(Random.key(19), mean, cov, new int[]{N}, DType.F32);
        assertArrayEquals(new int[]{N, 2}, x.shape());
        double[] a = Np.take(x, Array.of(0), 1).toDoubleArray(), b = Np.take(x, Array.of(1), 1).toDoubleArray();
        assertMoments("mvn x0", a, 1, 2);
        assertMoments("mvn x1", b, -2, 1);
        double ma = mean(a), mb = mean(b), c = 0;
        for (int i = 0; i < N; i++) c += (a[i] - ma) * (b[i] - mb);
        assertEquals(0.6, c / (N - 1), 0.05, "mvn covariance");
    }

    @Test
    void gammaFamilyHasItsMoments() {
        int n = 4000;
        for (double alpha : new double[]{0.3, 1.0, 4.5}) {
            double[] g = Random.gamma(Random.key(20), Array.scalar((float) alpha), new int[]{n}, DType.F32).toDoubleArray();
            assertTrue(Arrays.stream(g).allMatch(v -> v >= 0 && Double.isFinite(v)), "gamma samples are finite and >= 0");
            assertMoments("gamma(" + alpha + ")", g, alpha, alpha);
            double[] lg = Random.loggamma(Random.key(20), Array.scalar((float) alpha), new int[]{n}, DType.F32).toDoubleArray();
            for (int i = 0; i < n; i++) {
                if (g[i] > 1e-30) assertEquals(Math.log(g[i]), lg[i], 1e-4 * (1 + Math.abs(lg[i])), "loggamma = log(gamma) for the same key, " + i);
            }
        }
        double[] b = Random.beta(Random.key(21), Array.scalar(2f), Array.scalar(5f), new int[]{n}, DType.F32).toDoubleArray();
        assertMoments("beta(2, 5)", b, 2.0 / 7, 10.0 / (49 * 8));
        double[] chi = Random.chisquare(Random.key(22), Array.scalar(3f), new int[]{n}, DType.F32).toDoubleArray();
        assertMoments("chisquare(3)", chi, 3, 6);
        double[] t = Random.t(Random.key(23), Array.scalar(6f), new int[]{n}, DType.F32).toDoubleArray();
        assertEquals(0, mean(t), 5 * Math.sqrt(1.5 / n), "t(6): mean");
        double[] fs = Random.f(Random.key(27), Array.scalar(5f), Array.scalar(10f), new int[]{n}, DType.F32).toDoubleArray();
        assertMoments("f(5, 10)", fs, 10.0 / 8, 2 * 100 * 13.0 / (5 * 64 * 6));
        double[] gn = Random.generalizedNormal(Random.key(28), 2.0, new int[]{n}, DType.F32).toDoubleArray();
        assertMoments("generalized normal, p = 2", gn, 0, 0.5);
        Array d = Random.dirichlet(Random.key(24), Array.of(1f, 2f, 3f), new int[]{n}, DType.F32);
        assertArrayEquals(new int[]{n, 3}, d.shape());
        double[] sums = Np.sum(d, 1).toDoubleArray();
        assertTrue(Arrays.stream(sums).allMatch(v -> Math.abs(v - 1) < 1e-5), "dirichlet rows sum to 1");
        assertEquals(1.0 / 6, mean(Np.take(d, Array.of(0), 1).toDoubleArray()), 0.01, "dirichlet mean alpha_i / sum");
    }

    @Test
    void gammaPerElementAlphasAndBatchedKeys() {
        Array a = Array.of(0.5f, 2f, 9f);
        Array g = Random.gamma(Random.key(25), a);
        assertArrayEquals(new int[]{3}, g.shape());
        // each element draws from its own key of split(key, 3): element 1 does not depend on the other alphas
        Array other = Random.gamma(Random.key(25), Array.of(7f, 2f, 0.1f));
        assertEquals(g.toDoubleArray()[1], other.toDoubleArray()[1], 0, "element 1 draws from split(key, 3)[1] alone");
    }

    @Test
    void errorsNameTheFunctionAndTheFix() {
        Jax4jException e = assertThrows(Jax4jException.class, () -> Random.gamma(Random.key(0), Array.of(1f, 2f), new int[]{3}, DType.F32));
        assertTrue(e.getMessage().contains("Random.gamma") && e.getMessage().contains("broadcast"), e.getMessage());
        e = assertThrows(Jax4jException.class, () -> Random.multivariateNormal(Random.key(0), Array.of(1f), Array.zeros(2, 2), null, DType.F32));
        assertTrue(e.getMessage().contains("mean (..., n) and cov (..., n, n)"), e.getMessage());
        e = assertThrows(Jax4jException.class, () -> Random.exponential(Random.key(0), new int[]{2}, DType.I32));
        assertTrue(e.getMessage().contains("float dtype"), e.getMessage());
    }
}
