package io.jax4j.xla.cpu;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Linalg;
import io.jax4j.Np;
import io.jax4j.Random;
import io.jax4j.autodiff.Jax;
import io.jax4j.spi.NativeLinalg;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The factorizations on LAPACK (the provider the cpu backend brings) against the Java reference
 * implementations, batched, float32 and float64: Cholesky, the 16 triangular solves, LU with its
 * pivots and permutation, and QR (both Householder as LAPACK computes it) element by element;
 * eigh and SVD values element by element and their vectors up to each one's sign (the only freedom
 * they have), with the reconstructions; NaN for a matrix that is not positive definite; a jitted
 * program equal to the eager one.
 */
class LapackTest {
    @BeforeEach
    void needsOpenBlas() { CpuAvailable.assume(); }

    private static Array random(int seed, DType dt, int... shape) { return Random.normal(Random.key(seed), shape, dt); }

    private static <T> T reference(Supplier<T> f) { return NativeLinalg.withReference(f); }

    private static void close(String what, Array want, Array got, double tol) {
        assertArrayEquals(want.shape(), got.shape(), what + ": shape");
        double[] w = want.astype(DType.F64).toDoubleArray(), g = got.astype(DType.F64).toDoubleArray();
        for (int i = 0; i < w.length; i++) assertEquals(w[i], g[i], tol * (1 + Math.abs(w[i])), what + " [" + i + "]");
    }

    private static double tol(DType dt) { return dt == DType.F32 ? 2e-4 : 1e-10; }

    private static Array spd(int seed, DType dt, int batch, int n) {
        Array a = random(seed, dt, batch, n, n);
        return Np.add(Np.matmul(a, Np.swapaxes(a, -1, -2)), Np.multiply(Np.eye(n, n, 0, dt), Array.scalar(n, dt)));
    }

    @Test
    void theProviderIsLapack() {
        assertNotNull(NativeLinalg.current());
        assertTrue(NativeLinalg.current().describe().contains("LAPACK"), NativeLinalg.current().describe());
    }

    @Test
    void choleskyTriangularSolveAndLuEqualTheReference() {
        for (DType dt : new DType[]{DType.F32, DType.F64}) {
            Array a = spd(1, dt, 3, 5);
            close("cholesky " + dt, reference(() -> Linalg.cholesky(a)), Linalg.cholesky(a), tol(dt));
            Array tri = Np.add(random(2, dt, 3, 5, 5), Np.multiply(Np.eye(5, 5, 0, dt), Array.scalar(4, dt)));
            for (int bits = 0; bits < 16; bits++) {
                boolean left = (bits & 1) != 0, lower = (bits & 2) != 0, trans = (bits & 4) != 0, unit = (bits & 8) != 0;
                Array b = random(3, dt, left ? new int[]{3, 5, 4} : new int[]{3, 4, 5});
                close("triangular_solve " + dt + " left=" + left + " lower=" + lower + " trans=" + trans + " unit=" + unit,
                        reference(() -> Linalg.triangularSolve(tri, b, left, lower, trans, unit)), Linalg.triangularSolve(tri, b, left, lower, trans, unit),
                        tol(dt) * 10);
            }
            Array g = random(4, dt, 2, 6, 6);
            Linalg.LuResult want = reference(() -> Linalg.lu(g)), got = Linalg.lu(g);
            close("lu " + dt, want.lu(), got.lu(), tol(dt) * 10);
            assertArrayEquals(want.pivots().toIntArray(), got.pivots().toIntArray(), "pivots " + dt);
            assertArrayEquals(want.permutation().toIntArray(), got.permutation().toIntArray(), "permutation " + dt);
        }
    }

    @Test
    void qrEqualsTheReferenceInEveryShapeAndMode() {
        for (DType dt : new DType[]{DType.F32, DType.F64}) {
            for (int[] shape : new int[][]{{2, 6, 4}, {2, 4, 6}, {5, 5}}) {
                for (String mode : new String[]{"reduced", "complete"}) {
                    Array a = random(5, dt, shape);
                    Linalg.QrResult want = reference(() -> Linalg.qr(a, mode)), got = Linalg.qr(a, mode);
                    String what = "qr " + mode + " " + dt + " " + java.util.Arrays.toString(shape);
                    close(what + " R", want.r(), got.r(), tol(dt) * 10);
                    close(what + " Q", want.q(), got.q(), tol(dt) * 10);
                    close(what + " Q R = A", a, Np.matmul(got.q(), got.r()), tol(dt) * 10);
                }
            }
        }
    }

    /** Each column of v (last axis) times the sign of its largest-magnitude entry. */
    private static Array signFixedColumns(Array v) {
        Array idx = Np.argmax(Np.abs(v), -2);
        Array pick = Np.takeAlongAxis(v, Np.expandDims(idx, -2), -2);
        return Np.multiply(v, Np.sign(pick));
    }

    @Test
    void eighAndSvdEqualTheReferenceUpToSigns() {
        for (DType dt : new DType[]{DType.F32, DType.F64}) {
            Array s = spd(6, dt, 2, 6);
            Linalg.EighResult we = reference(() -> Linalg.eigh(s)), ge = Linalg.eigh(s);
            close("eigh values " + dt, we.eigenvalues(), ge.eigenvalues(), tol(dt) * 10);
            close("eigh vectors " + dt, signFixedColumns(we.eigenvectors()), signFixedColumns(ge.eigenvectors()), tol(dt) * 100);
            Array v = ge.eigenvectors();
            close("V diag(w) Vᵀ = A " + dt, s, Np.matmul(Np.multiply(v, Np.expandDims(ge.eigenvalues(), -2)), Np.swapaxes(v, -1, -2)), tol(dt) * 10);
            for (int[] shape : new int[][]{{2, 7, 4}, {2, 4, 7}}) {
                Array a = random(7, dt, shape);
                Linalg.SvdResult ws = reference(() -> Linalg.svd(a)), gs = Linalg.svd(a);
                String what = "svd " + dt + " " + java.util.Arrays.toString(shape);
                close(what + " s", ws.s(), gs.s(), tol(dt) * 10);
                close(what + " U", signFixedColumns(ws.u()), signFixedColumns(gs.u()), tol(dt) * 100);
                close(what + " U diag(s) Vᵀ = A", a, Np.matmul(Np.multiply(gs.u(), Np.expandDims(gs.s(), -2)), gs.vh()), tol(dt) * 10);
            }
        }
    }

    @Test
    void fullSvdOnLapackCompletesTheBasesAndItsDerivativeIsRefusedAsInJax() {
        for (int[] shape : new int[][]{{2, 6, 3}, {3, 5}}) {
            Array a = random(9, DType.F64, shape);
            Linalg.SvdResult full = Linalg.svd(a, true), ref = reference(() -> Linalg.svd(a, true));
            int m = shape[shape.length - 2], n = shape[shape.length - 1];
            close("svd full s", ref.s(), full.s(), 1e-10);
            Array eyeM = Np.broadcastTo(Np.eye(m, m, 0, DType.F64), Np.matmul(Np.swapaxes(full.u(), -1, -2), full.u()).shape());
            Array eyeN = Np.broadcastTo(Np.eye(n, n, 0, DType.F64), Np.matmul(full.vh(), Np.swapaxes(full.vh(), -1, -2)).shape());
            close("UᵀU = I", eyeM, Np.matmul(Np.swapaxes(full.u(), -1, -2), full.u()), 1e-10);
            close("VᵀV = I", eyeN, Np.matmul(full.vh(), Np.swapaxes(full.vh(), -1, -2)), 1e-10);
        }
        Array tall = random(10, DType.F64, 4, 2);
        var e = org.junit.jupiter.api.Assertions.assertThrows(io.jax4j.core.Jax4jException.class,
                () -> Jax.grad((Array x) -> Np.sum(Linalg.svd(x, true).u())).apply(tall));
        assertTrue(e.getMessage().contains("full U"), e.getMessage());
    }

    @Test
    void notPositiveDefiniteGivesNaNsAndJitEqualsEager() {
        Array bad = Array.of(new float[][]{{1, 2}, {2, 1}});
        for (float v : Linalg.cholesky(bad).toFloatArray()) assertTrue(Float.isNaN(v), "NaN where the matrix is not positive definite");
        Array s = spd(8, DType.F32, 1, 4).reshape(4, 4);
        var f = Jax.jit((Array x) -> Np.add(Linalg.cholesky(x), Linalg.eigh(x).eigenvectors()));
        assertArrayEquals(Np.add(Linalg.cholesky(s), Linalg.eigh(s).eigenvectors()).toFloatArray(), f.apply(s).toFloatArray(), 0f,
                "a jitted program's host ops run the same LAPACK calls as eager ones");
    }
}
