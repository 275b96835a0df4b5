package io.jax4j.prims;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Np;
import io.jax4j.Shape;
import io.jax4j.ShapedArray;
import io.jax4j.core.ArrayImpl;
import io.jax4j.core.Batching;
import io.jax4j.core.Jax4jException;
import io.jax4j.core.Params;
import io.jax4j.core.Primitive;

import java.util.Arrays;
import java.util.List;

/**
 * {@code lax.linalg}'s factorizations and the triangular solve: {@code cholesky}, {@code lu} and
 * {@code triangular_solve}, over the last two axes with any leading batch axes (as in JAX). The
 * reference implementations work in double per matrix; the JVP rules are JAX's (Murray's forward
 * rule for Cholesky, De Hoog et al. for LU); {@code triangular_solve} is linear in its right-hand
 * side, whose transpose is the solve with the transposed matrix. Backends without a kernel for
 * them run the reference implementation as a host op.
 */
public final class Decompositions {
    private Decompositions() {}

    /** {@code lax.linalg.triangular_solve}'s parameters (no complex dtypes, so no {@code conjugate_a}). */
    public record TriangularSolveParams(boolean leftSide, boolean lower, boolean transposeA, boolean unitDiagonal) implements Params {
        /** The same solve with {@code op(a)} transposed. */
        TriangularSolveParams transposed() { return new TriangularSolveParams(leftSide, lower, !transposeA, unitDiagonal); }
    }

    /**
     * The lower Cholesky factor {@code L} of a symmetric positive-definite matrix ({@code L Lᵀ = a}),
     * reading only the lower triangle; a matrix that is not positive definite gives NaNs, as in JAX.
     */
    public static final Primitive CHOLESKY = new Primitive("cholesky")
            .abstractEval((p, in) -> List.of(squareFloat("cholesky", in.getFirst())))
            .impl((p, in) -> List.of(perMatrix(in.getFirst(), Decompositions::cholesky)))
            .jvp((p, primals, tangents) -> {
                Array l = Decompositions.CHOLESKY.bind1(Params.NONE, primals.getFirst());
                Array sigmaDot = tangents.getFirst();
                if (sigmaDot == null) return new Primitive.JvpResult(List.of(l), Arrays.asList((Array) null));
                // Murray, "Differentiation of the Cholesky decomposition": L̇ = L Φ(L⁻¹ Σ̇ L⁻ᵀ), Φ = lower half, diagonal halved
                Array tmp = triangularSolve(l, sigmaDot, new TriangularSolveParams(false, true, true, false));
                Array inner = triangularSolve(l, tmp, new TriangularSolveParams(true, true, false, false));
                Array phi = Np.subtract(Np.tril(inner, 0), Np.multiply(halfDiagonal(inner), Np.eye(inner.dim(-1), inner.dim(-1), 0, inner.dtype())));
                return new Primitive.JvpResult(List.of(l), List.of(Np.matmul(l, phi)));
            })
            .batch((p, xs, dims) -> atFront(Decompositions.CHOLESKY, p, xs, dims));

    /**
     * Solves {@code op(a) x = b} ({@code leftSide}) or {@code x op(a) = b} for triangular {@code a}
     * ({@code op} transposes when {@code transposeA}); only {@code a}'s {@code lower} (or upper)
     * triangle is read, its diagonal taken as ones when {@code unitDiagonal}.
     */
    public static final Primitive TRIANGULAR_SOLVE = new Primitive("triangular_solve")
            .abstractEval((p, in) -> List.of(solveAval((TriangularSolveParams) p, in.get(0), in.get(1))))
            .impl((p, in) -> List.of(solveImpl((TriangularSolveParams) p, in.get(0), in.get(1))))
            .jvp((p, primals, tangents) -> {
                TriangularSolveParams t = (TriangularSolveParams) p;
                Array a = primals.get(0), b = primals.get(1);
                Array ans = triangularSolve(a, b, t);
                Array out = tangents.get(1) == null ? null : triangularSolve(a, tangents.get(1), t);
                if (tangents.get(0) != null) {
                    Array fromA = solveTangentOfA(t, tangents.get(0), ans, a);
                    out = out == null ? fromA : Np.add(out, fromA);
                }
                return new Primitive.JvpResult(List.of(ans), Arrays.asList(out));
            })
            .transpose((p, ct, ops) -> {
                if (Defs.isUndefined(ops.get(0))) {
                    throw new Jax4jException("triangular_solve is linear in its right-hand side only, not in the matrix");
                }
                Array g = ct.getFirst();
                return Arrays.asList(null, g == null ? null : triangularSolve((Array) ops.get(0), g, ((TriangularSolveParams) p).transposed()));
            })
            .batch((p, xs, dims) -> atFront(Decompositions.TRIANGULAR_SOLVE, p, xs, dims));

    /**
     * LU factorization with partial pivoting of square matrices, as LAPACK's getrf: outputs the packed
     * factors (unit-lower {@code L} below the diagonal, {@code U} on and above it), the row swaps
     * {@code pivots} (row i was exchanged with row pivots[i], int32) and the resulting row
     * {@code permutation} (int32), so that {@code a[permutation] = L U}.
     */
    public static final Primitive LU = new Primitive("lu")
            .abstractEval((p, in) -> {
                ShapedArray a = squareFloat("lu", in.getFirst());
                Shape rows = Shape.of(Arrays.copyOf(a.shape().dims(), a.ndim() - 1));
                return List.of(a, new ShapedArray(DType.I32, rows), new ShapedArray(DType.I32, rows));
            })
            .impl((p, in) -> luImpl(in.getFirst()))
            .jvp((p, primals, tangents) -> {
                List<Array> f = Decompositions.LU.bind(Params.NONE, List.of(primals.getFirst()));
                Array aDot = tangents.getFirst();
                if (aDot == null) return new Primitive.JvpResult(f, Arrays.asList(null, null, null));
                Array lu = f.get(0), permutation = f.get(2);
                int n = lu.dim(-1);
                // De Hoog, Anderssen, Lukas: with X = L⁻¹ Ȧ[perm] U⁻¹, L̇ = L tril(X, -1), U̇ = triu(X) U
                Array x = Np.takeAlongAxis(aDot, Np.expandDims(permutation, -1), -2);
                Array l = Np.add(Np.tril(lu, -1), Np.eye(n, n, 0, lu.dtype()));
                Array u = Np.triu(lu, 0);
                Array la = triangularSolve(l, x, new TriangularSolveParams(true, true, false, true));
                Array lau = triangularSolve(u, la, new TriangularSolveParams(false, false, false, false));
                Array luDot = Np.add(Np.matmul(l, Np.tril(lau, -1)), Np.matmul(Np.triu(lau, 0), u));
                return new Primitive.JvpResult(f, Arrays.asList(luDot, null, null));
            })
            .batch((p, xs, dims) -> {
                List<Array> front = Batching.allAtFront(xs, dims);
                return new Primitive.BatchResult(Decompositions.LU.bind(p, front), new int[]{0, 0, 0});
            });

    /** Binds {@link #TRIANGULAR_SOLVE}. */
    public static Array triangularSolve(Array a, Array b, TriangularSolveParams p) { return TRIANGULAR_SOLVE.bind1(p, a, b); }

    // ---------------------------------------------------------------- rules

    private static Array halfDiagonal(Array x) {
        int n = x.dim(-1);
        Array diag = Np.multiply(x, Np.eye(n, n, 0, x.dtype()));
        return Np.multiply(Np.sum(diag, new int[]{-1}, true), Array.scalar(0.5, x.dtype()));
    }

    /** d(op(a)⁻¹ b) from ȧ: -op(a)⁻¹ op(ȧ) x (left) or -x op(ȧ) op(a)⁻¹ (right), ȧ cut to a's triangle. */
    private static Array solveTangentOfA(TriangularSolveParams t, Array aDot, Array ans, Array a) {
        int k = t.unitDiagonal() ? 1 : 0;
        Array g = t.lower() ? Np.tril(aDot, -k) : Np.triu(aDot, k);
        g = Np.negative(g);
        if (t.transposeA()) g = Np.swapaxes(g, -1, -2);
        int m = ans.dim(-2), n = ans.dim(-1);
        if (t.leftSide()) {
            return m > n ? triangularSolve(a, Np.matmul(g, ans), t) : Np.matmul(triangularSolve(a, g, t), ans);
        }
        return m < n ? triangularSolve(a, Np.matmul(ans, g), t) : Np.matmul(ans, triangularSolve(a, g, t));
    }

    /** Every operand's batch axis to the front (unmapped ones broadcast), the primitive bound, the output batched at 0. */
    private static Primitive.BatchResult atFront(Primitive prim, Params p, List<Array> xs, int[] dims) {
        List<Array> front = Batching.allAtFront(xs, dims);
        if (front.size() == 2) {              // triangular_solve: the leading batch axes of a and b must agree
            Array a = front.get(0), b = front.get(1);
            if (a.ndim() < b.ndim()) a = Np.broadcastTo(a, concat(Arrays.copyOf(b.shape(), b.ndim() - 2), a.dim(-2), a.dim(-1)));
            if (b.ndim() < a.ndim()) b = Np.broadcastTo(b, concat(Arrays.copyOf(a.shape(), a.ndim() - 2), b.dim(-2), b.dim(-1)));
            front = List.of(a, b);
        }
        return Primitive.BatchResult.single(prim.bind(p, front).getFirst(), 0);
    }

    private static int[] concat(int[] lead, int r, int c) {
        int[] s = Arrays.copyOf(lead, lead.length + 2);
        s[lead.length] = r;
        s[lead.length + 1] = c;
        return s;
    }

    // ---------------------------------------------------------------- shapes

    private static ShapedArray squareFloat(String op, ShapedArray a) {
        if (a.ndim() < 2 || a.dim(-1) != a.dim(-2)) {
            throw new Jax4jException(op + ": needs square matrices in the last two axes, got " + a.str()
                    + (op.equals("lu") ? " (rectangular LU is not supported yet)" : ""));
        }
        if (!a.dtype().isFloating()) throw new Jax4jException(op + ": needs a float dtype, got " + a.str());
        return a.strong();
    }

    private static ShapedArray solveAval(TriangularSolveParams p, ShapedArray a, ShapedArray b) {
        squareFloat("triangular_solve", a);
        if (a.dtype() != b.dtype()) {
            throw new Jax4jException("triangular_solve: a and b must have one dtype, got " + a.str() + " and " + b.str());
        }
        int m = a.dim(-1);
        boolean ok = b.ndim() == a.ndim() && (p.leftSide() ? b.dim(-2) == m : b.dim(-1) == m);
        for (int i = 0; ok && i < a.ndim() - 2; i++) ok = a.dim(i) == b.dim(i);
        if (!ok) {
            throw new Jax4jException("triangular_solve: b " + b.str() + " does not match a " + a.str() + " (left_side=" + p.leftSide()
                    + ": b needs a's batch axes and " + m + (p.leftSide() ? " rows" : " columns") + ")");
        }
        return b.strong();
    }

    // ---------------------------------------------------------------- reference implementations

    private interface MatrixFunction { void apply(double[] in, double[] out, int n); }

    private static ArrayImpl perMatrix(ArrayImpl a, MatrixFunction f) {
        int n = a.aval().dim(-1);
        double[] all = a.toDoubles(), out = new double[all.length];
        double[] m = new double[n * n], r = new double[n * n];
        for (int off = 0; off < all.length; off += n * n) {
            System.arraycopy(all, off, m, 0, n * n);
            f.apply(m, r, n);
            System.arraycopy(r, 0, out, off, n * n);
        }
        return ArrayImpl.ofDoubles(a.aval().strong(), out);
    }

    /** Cholesky–Banachiewicz on the lower triangle; all NaN when a pivot is not positive. */
    static void cholesky(double[] a, double[] l, int n) {
        Arrays.fill(l, 0);
        for (int j = 0; j < n; j++) {
            double d = a[j * n + j];
            for (int k = 0; k < j; k++) d -= l[j * n + k] * l[j * n + k];
            if (!(d > 0)) {
                Arrays.fill(l, Double.NaN);
                return;
            }
            double ljj = Math.sqrt(d);
            l[j * n + j] = ljj;
            for (int i = j + 1; i < n; i++) {
                double s = a[i * n + j];
                for (int k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
                l[i * n + j] = s / ljj;
            }
        }
    }

    private static ArrayImpl solveImpl(TriangularSolveParams p, ArrayImpl a, ArrayImpl b) {
        int m = a.aval().dim(-1);
        int rows = b.aval().dim(-2), cols = b.aval().dim(-1);
        double[] av = a.toDoubles(), bv = b.toDoubles(), out = new double[bv.length];
        int batches = m == 0 ? 0 : av.length / (m * m);
        if (batches == 0 && bv.length > 0) batches = bv.length / (rows * cols);
        double[] t = new double[m * m];
        for (int bi = 0; bi < batches; bi++) {
            // T = op(a) as a dense triangle; lowerT says which triangle T has
            Arrays.fill(t, 0);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < m; j++) {
                    boolean inTriangle = p.lower() ? j <= i : j >= i;
                    if (!inTriangle) continue;
                    double v = i == j && p.unitDiagonal() ? 1 : av[bi * m * m + i * m + j];
                    if (p.transposeA()) t[j * m + i] = v;
                    else t[i * m + j] = v;
                }
            }
            boolean lowerT = p.lower() != p.transposeA();
            int off = bi * rows * cols;
            if (p.leftSide()) {
                // T X = B, column by column
                for (int c = 0; c < cols; c++) {
                    for (int s = 0; s < m; s++) {
                        int i = lowerT ? s : m - 1 - s;
                        double v = bv[off + i * cols + c];
                        for (int k = 0; k < m; k++) {
                            if (k != i && (lowerT ? k < i : k > i)) v -= t[i * m + k] * out[off + k * cols + c];
                        }
                        out[off + i * cols + c] = v / t[i * m + i];
                    }
                }
            } else {
                // X T = B, row by row: x_j = (b_j - Σ_{k≠j} x_k T[k][j]) / T[j][j], in the order that finds the x_k first
                for (int r = 0; r < rows; r++) {
                    for (int s = 0; s < m; s++) {
                        int j = lowerT ? m - 1 - s : s;
                        double v = bv[off + r * cols + j];
                        for (int k = 0; k < m; k++) {
                            if (k != j && (lowerT ? k > j : k < j)) v -= out[off + r * cols + k] * t[k * m + j];
                        }
                        out[off + r * cols + j] = v / t[j * m + j];
                    }
                }
            }
        }
        return ArrayImpl.ofDoubles(b.aval().strong(), out);
    }

    private static List<Array> luImpl(ArrayImpl a) {
        int n = a.aval().dim(-1);
        double[] all = a.toDoubles();
        int batches = n == 0 ? 0 : all.length / (n * n);
        long[] pivots = new long[batches * n], perm = new long[batches * n];
        for (int bi = 0; bi < batches; bi++) {
            int off = bi * n * n;
            for (int i = 0; i < n; i++) perm[bi * n + i] = i;
            for (int j = 0; j < n; j++) {
                int p = j;
                double best = Math.abs(all[off + j * n + j]);
                for (int i = j + 1; i < n; i++) {
                    double v = Math.abs(all[off + i * n + j]);
                    if (v > best) {
                        best = v;
                        p = i;
                    }
                }
                pivots[bi * n + j] = p;
                if (p != j) {
                    for (int k = 0; k < n; k++) {
                        double tmp = all[off + j * n + k];
                        all[off + j * n + k] = all[off + p * n + k];
                        all[off + p * n + k] = tmp;
                    }
                    long tp = perm[bi * n + j];
                    perm[bi * n + j] = perm[bi * n + p];
                    perm[bi * n + p] = tp;
                }
                double pivot = all[off + j * n + j];
                if (pivot == 0) continue;
                for (int i = j + 1; i < n; i++) {
                    double f = all[off + i * n + j] / pivot;
                    all[off + i * n + j] = f;
                    for (int k = j + 1; k < n; k++) all[off + i * n + k] -= f * all[off + j * n + k];
                }
            }
        }
        ShapedArray rows = new ShapedArray(DType.I32, Shape.of(Arrays.copyOf(a.aval().shape().dims(), a.aval().ndim() - 1)));
        return List.of(ArrayImpl.ofDoubles(a.aval().strong(), all), ArrayImpl.ofLongs(rows, pivots), ArrayImpl.ofLongs(rows, perm));
    }
}
