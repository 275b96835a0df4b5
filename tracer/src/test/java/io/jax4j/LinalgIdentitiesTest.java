package io.jax4j;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The factorizations by their defining identities, batched and in the corner cases NumPy's outputs do not show. */
class LinalgIdentitiesTest {
    private static Array random(long seed, int... shape) { return Random.normal(Random.key(seed), shape, DType.F64); }

    private static void assertClose(String what, Array expected, Array actual, double tol) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        assertArrayEquals(expected.toDoubleArray(), actual.toDoubleArray(), tol, what);
    }

    private static Array t(Array x) { return Np.swapaxes(x, -1, -2); }

    private static Array eyeLike(int n, int... batch) {
        int[] shape = java.util.Arrays.copyOf(batch, batch.length + 2);
        shape[batch.length] = n;
        shape[batch.length + 1] = n;
        return Np.broadcastTo(Np.eye(n, n, 0, DType.F64), shape);
    }

    @Test
    void fullSvdCompletesUAndVhToOrthonormalBases() {
        for (int[] shape : new int[][]{{2, 5, 3}, {2, 3, 5}, {4, 4}}) {
            Array a = random(11, shape);
            Linalg.SvdResult full = Linalg.svd(a, true), reduced = Linalg.svd(a);
            int m = shape[shape.length - 2], n = shape[shape.length - 1], k = Math.min(m, n);
            int[] batch = java.util.Arrays.copyOf(shape, shape.length - 2);
            String what = "svd full " + java.util.Arrays.toString(shape);
            assertArrayEquals(new int[]{m, m}, java.util.Arrays.copyOfRange(full.u().shape(), batch.length, batch.length + 2), what + ": U is m × m");
            assertArrayEquals(new int[]{n, n}, java.util.Arrays.copyOfRange(full.vh().shape(), batch.length, batch.length + 2), what + ": Vᵀ is n × n");
            assertClose(what + ": UᵀU = I", eyeLike(m, batch), Np.matmul(t(full.u()), full.u()), 1e-12);
            assertClose(what + ": VᵀV = I", eyeLike(n, batch), Np.matmul(full.vh(), t(full.vh())), 1e-12);
            assertClose(what + ": s", reduced.s(), full.s(), 1e-12);
            Array uk = Lax.sliceInDim(full.u(), 0, k, 1, full.u().ndim() - 1), vk = Lax.sliceInDim(full.vh(), 0, k, 1, full.vh().ndim() - 2);
            assertClose(what + ": U[:, :k] diag(s) Vᵀ[:k] = A", a, Np.matmul(Np.multiply(uk, Np.expandDims(full.s(), -2)), vk), 1e-12);
        }
    }

    @Test
    void qrReconstructsWithOrthonormalQAndUpperR() {
        for (int[] shape : new int[][]{{3, 5, 3}, {3, 3, 5}, {2, 4, 4}}) {
            Array a = random(1, shape);
            for (String mode : new String[]{"reduced", "complete"}) {
                Linalg.QrResult qr = Linalg.qr(a, mode);
                String what = "qr " + mode + " " + java.util.Arrays.toString(shape);
                assertClose(what + ": QR = A", a, Np.matmul(qr.q(), qr.r()), 1e-12);
                int k = qr.q().dim(-1);
                assertClose(what + ": QᵀQ = I", eyeLike(k, shape[0]), Np.matmul(t(qr.q()), qr.q()), 1e-12);
                assertClose(what + ": R upper", Np.triu(qr.r(), 0), qr.r(), 0);
            }
        }
    }

    @Test
    void eighDiagonalisesWithOrthonormalVectors() {
        Array m = random(2, 3, 5, 5);
        Array a = Np.add(m, t(m));
        Linalg.EighResult e = Linalg.eigh(a);
        assertClose("A V = V diag(w)", Np.matmul(a, e.eigenvectors()), Np.multiply(e.eigenvectors(), Np.expandDims(e.eigenvalues(), -2)), 1e-10);
        assertClose("VᵀV = I", eyeLike(5, 3), Np.matmul(t(e.eigenvectors()), e.eigenvectors()), 1e-12);
        double[] w = e.eigenvalues().toDoubleArray();
        for (int b = 0; b < 3; b++) for (int i = 1; i < 5; i++) assertTrue(w[b * 5 + i - 1] <= w[b * 5 + i], "ascending");
    }

    @Test
    void svdReconstructsEvenWhenRankDeficient() {
        Array lowRank = Np.matmul(random(3, 6, 2), random(4, 2, 4));           // rank 2: two zero singular values
        for (Array a : new Array[]{random(5, 2, 6, 4), random(6, 4, 7), lowRank, Np.zeros(DType.F64, 3, 2)}) {
            Linalg.SvdResult d = Linalg.svd(a);
            Array us = Np.multiply(d.u(), Np.expandDims(d.s(), -2));
            assertClose("U diag(s) Vh = A " + java.util.Arrays.toString(a.shape()), a, Np.matmul(us, d.vh()), 1e-10);
            int k = d.s().dim(-1);
            int[] batch = java.util.Arrays.copyOf(a.shape(), a.ndim() - 2);
            assertClose("UᵀU = I", eyeLike(k, batch), Np.matmul(t(d.u()), d.u()), 1e-10);
            assertClose("Vh Vhᵀ = I", eyeLike(k, batch), Np.matmul(d.vh(), t(d.vh())), 1e-10);
        }
        assertEquals(2.0, Linalg.matrixRank(lowRank).item());
        // the pseudo-inverse's Penrose identities on the rank-deficient matrix
        Array p = Linalg.pinv(lowRank);
        assertClose("A A⁺ A = A", lowRank, Np.matmul(Np.matmul(lowRank, p), lowRank), 1e-10);
        assertClose("A⁺ A A⁺ = A⁺", p, Np.matmul(Np.matmul(p, lowRank), p), 1e-10);
    }

    @Test
    void orthogonalMatricesFromRandom() {
        Array q = Random.orthogonal(Random.key(8), 4, new int[]{2}, DType.F64);
        assertArrayEquals(new int[]{2, 4, 4}, q.shape());
        assertClose("QᵀQ = I", eyeLike(4, 2), Np.matmul(t(q), q), 1e-12);
    }

    @Test
    void badInputsAreNamed() {
        assertTrue(assertThrows(RuntimeException.class, () -> Linalg.qr(random(1, 3, 3), "full")).getMessage().contains("mode"));
        assertTrue(assertThrows(RuntimeException.class, () -> Linalg.eigh(random(1, 3, 4))).getMessage().contains("square"));
        assertTrue(assertThrows(RuntimeException.class, () -> Linalg.svd(random(1, 3))).getMessage().contains("matrices"));
        assertTrue(assertThrows(RuntimeException.class, () -> Linalg.matrixNorm(random(1, 3, 3), "spectral", -2, -1, false))
                .getMessage().contains("\"nuc\""));
    }
}
