package io.jax4j.autodiff;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Linalg;
import io.jax4j.Np;
import io.jax4j.Random;
import io.vavr.Function1;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * jax.scipy.linalg.expm against closed forms (rotations, a nilpotent matrix, exp of a symmetric matrix's
 * eigenvalues) on every Padé degree and through the squarings, batched, float32 and float64, its
 * NaN beyond max_squarings, its gradient against finite differences, and jit.
 */
class ExpmTest {
    private static void close(String what, double[] want, double[] got, double tol) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], tol * (1 + Math.abs(want[i])), what + " [" + i + "]");
    }

    @Test
    void rotationsThroughEveryDegreeAndTheSquarings() {
        for (double t : new double[]{0.001, 0.1, 0.5, 1.2, 2.0, 7.0, 30.0}) {
            Array a = Array.fromDoubles(DType.F64, new double[]{0, t, -t, 0}, 2, 2);
            double[] want = {Math.cos(t), Math.sin(t), -Math.sin(t), Math.cos(t)};
            close("expm rotation f64, t = " + t, want, Linalg.expm(a).toDoubleArray(), 1e-12 * Math.max(1, t));
            // JAX scales by 2^floor(log2(‖a‖/θ)), leaving norms up to 2θ for a float32 Padé-7 (~4e-4 relative at t = 7)
            if (t <= 7) close("expm rotation f32, t = " + t, want, Linalg.expm(a.astype(DType.F32)).astype(DType.F64).toDoubleArray(), 1e-3);
        }
    }

    @Test
    void nilpotentAndUpperTriangular() {
        Array n = Array.fromDoubles(DType.F64, new double[]{0, 1, 0, 0, 0, 1, 0, 0, 0}, 3, 3);
        double[] want = {1, 1, 0.5, 0, 1, 1, 0, 0, 1};
        close("expm nilpotent", want, Linalg.expm(n).toDoubleArray(), 1e-15);
        close("expm nilpotent, upper_triangular", want, Linalg.expm(n, true, 16).toDoubleArray(), 1e-15);
        Array zero = Np.zeros(DType.F64, 3, 3);
        close("expm 0 = I", Np.eye(3, 3, 0, DType.F64).toDoubleArray(), Linalg.expm(zero).toDoubleArray(), 0);
        for (double g : Jax.grad((Array x) -> Np.sum(Linalg.expm(x))).apply(zero).toDoubleArray()) assertTrue(Double.isFinite(g), "grad at 0");
    }

    @Test
    void symmetricMatricesBatchedAgainstTheirEigenvalues() {
        for (DType dt : new DType[]{DType.F64, DType.F32}) {
            Array b = Random.normal(Random.key(4), new int[]{3, 4, 4}, dt);
            Array s = Np.multiply(Np.add(b, Np.swapaxes(b, -1, -2)), Array.weak(1.5));
            Linalg.EighResult e = Linalg.eigh(s);
            Array v = e.eigenvectors();
            Array want = Np.matmul(Np.multiply(v, Np.expandDims(Np.exp(e.eigenvalues()), -2)), Np.swapaxes(v, -1, -2));
            close("expm symmetric " + dt, want.astype(DType.F64).toDoubleArray(), Linalg.expm(s).astype(DType.F64).toDoubleArray(),
                    dt == DType.F64 ? 1e-10 : 1e-3);
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(Linalg.expm(s.get(i)).toDoubleArray(), Linalg.expm(s).get(i).toDoubleArray(), 1e-12, "batch row " + i);
            }
        }
    }

    @Test
    void tooManySquaringsGiveNaNAndJitEqualsEager() {
        Array big = Np.multiply(Np.eye(2, 2, 0, DType.F64), Array.scalar(100.0, DType.F64));
        for (double v : Linalg.expm(big, false, 2).toDoubleArray()) assertTrue(Double.isNaN(v), "beyond max_squarings: NaN");
        Array a = Random.normal(Random.key(9), new int[]{4, 4}, DType.F64);
        assertArrayEquals(Linalg.expm(a).toDoubleArray(), Jax.jit((Array x) -> Linalg.expm(x)).apply(a).toDoubleArray(), 1e-12);
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        for (double scale : new double[]{0.3, 6.0}) {
            Array a = Np.multiply(Random.normal(Random.key(5), new int[]{3, 3}, DType.F64), Array.scalar(scale, DType.F64));
            Array w = Random.normal(Random.key(6), new int[]{3, 3}, DType.F64);
            Function1<Array, Array> f = x -> Np.sum(Np.multiply(Linalg.expm(x), w));
            double[] g = Jax.grad(f).apply(a).toDoubleArray(), base = a.toDoubleArray();
            double h = 1e-6;
            for (int i = 0; i < 9; i++) {
                double[] p = base.clone(), m = base.clone();
                p[i] += h;
                m[i] -= h;
                double fd = (f.apply(Array.fromDoubles(DType.F64, p, 3, 3)).item() - f.apply(Array.fromDoubles(DType.F64, m, 3, 3)).item()) / (2 * h);
                assertEquals(fd, g[i], 1e-5 * (1 + Math.abs(fd)), "d expm, scale " + scale + ", entry " + i);
            }
        }
    }
}
