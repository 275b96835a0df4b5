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
 * side, whose transpose is the solve with the transposed matrix. Their implementation asks the
 * {@link io.jax4j.spi.NativeLinalg} provider first (LAPACK, which the cpu backend brings), eagerly
 * and as host ops of jitted programs alike, and falls back to these references.
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
            .impl((p, in) -> viaNative("cholesky", p, in, () -> List.of(perMatrix(in.getFirst(), Decompositions::cholesky))))
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
            .impl((p, in) -> viaNative("triangular_solve", p, in, () -> List.of(solveImpl((TriangularSolveParams) p, in.get(0), in.get(1)))))
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
            .impl((p, in) -> viaNative("lu", p, in, () -> luImpl(in.getFirst())))
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

    /**
     * The native implementation's outputs (LAPACK, see {@link io.jax4j.spi.NativeLinalg}) where one is
     * on the path and handles these operands, else the Java reference's.
     */
    private static List<Array> viaNative(String name, Params p, List<ArrayImpl> in, java.util.function.Supplier<List<? extends Array>> reference) {
        List<ArrayImpl> out = io.jax4j.spi.NativeLinalg.runOr(name, p, in, () -> {
            List<ArrayImpl> r = new java.util.ArrayList<>();
            for (Array a : reference.get()) r.add(a.concrete(name));
            return r;
        });
        return List.copyOf(out);
    }

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

    // ---------------------------------------------------------------- qr, eigh, svd

    /** {@code svd}'s parameter: U of m × m and Vᵀ of n × n ({@code fullMatrices}), or m × k and k × n, k = min(m, n). */
    public record SvdParams(boolean fullMatrices) implements Params {
        public static final SvdParams REDUCED = new SvdParams(false);
    }

    /** {@code qr}'s parameter: Q of m × m and R of m × n ({@code fullMatrices}), or m × k and k × n, k = min(m, n). */
    public record QrParams(boolean fullMatrices) implements Params {}

    /**
     * Householder QR as LAPACK's geqrf/orgqr compute it (R's diagonal may be negative): outputs Q and R.
     * JVP: JAX's (Towns' thin-QR rule, the wide case by blocks); complete Q of a tall matrix has none.
     */
    public static final Primitive QR = new Primitive("qr")
            .abstractEval((p, in) -> {
                ShapedArray a = matrixFloat("qr", in.getFirst());
                int m = a.dim(-2), n = a.dim(-1), k = ((QrParams) p).fullMatrices() ? m : Math.min(m, n);
                return List.of(withLast(a, m, k), withLast(a, k, n));
            })
            .impl((p, in) -> viaNative("qr", p, in, () -> qrImpl(in.getFirst(), ((QrParams) p).fullMatrices())))
            .jvp((p, primals, tangents) -> {
                Array x = primals.getFirst();
                List<Array> qr = Decompositions.QR.bind(p, List.of(x));
                Array dx = tangents.getFirst();
                if (dx == null) return new Primitive.JvpResult(qr, Arrays.asList(null, null));
                int m = x.dim(-2), n = x.dim(-1);
                Array q = qr.get(0), r = qr.get(1);
                if (m < n) {
                    Array x2 = sliceCols(x, m, n), dx1 = sliceCols(dx, 0, m), dx2 = sliceCols(dx, m, n);
                    Array[] thin = thinQrJvp(q, sliceCols(r, 0, m), dx1);
                    Array dr2 = Np.add(Np.matmul(t(thin[0]), x2), Np.matmul(t(q), dx2));
                    return new Primitive.JvpResult(qr, List.of(thin[0], Np.concatenate(List.of(thin[1], dr2), -1)));
                }
                if (((QrParams) p).fullMatrices() && m != n) {
                    throw new Jax4jException("qr: the derivative of the complete Q of a tall matrix is not implemented; use mode \"reduced\"");
                }
                Array[] thin = thinQrJvp(q, r, dx);
                return new Primitive.JvpResult(qr, List.of(thin[0], thin[1]));
            })
            .batch((p, xs, dims) -> new Primitive.BatchResult(Decompositions.QR.bind(p, Batching.allAtFront(xs, dims)), new int[]{0, 0}));

    /**
     * Eigendecomposition of symmetric matrices (the lower triangle read, as JAX's {@code lower=True}):
     * outputs eigenvectors V (columns) and eigenvalues w in ascending order. JVP: JAX's rule for
     * distinct eigenvalues.
     */
    public static final Primitive EIGH = new Primitive("eigh")
            .abstractEval((p, in) -> {
                ShapedArray a = squareFloat("eigh", in.getFirst());
                return List.of(a, new ShapedArray(a.dtype(), Shape.of(Arrays.copyOf(a.shape().dims(), a.ndim() - 1))));
            })
            .impl((p, in) -> viaNative("eigh", p, in, () -> eighImpl(in.getFirst())))
            .jvp((p, primals, tangents) -> {
                Array a = primals.getFirst();
                List<Array> vw = Decompositions.EIGH.bind(Params.NONE, List.of(a));
                Array aDot = tangents.getFirst();
                if (aDot == null) return new Primitive.JvpResult(vw, Arrays.asList(null, null));
                Array v = vw.get(0), w = vw.get(1);
                int n = a.dim(-1);
                Array eye = Np.eye(n, n, 0, a.dtype());
                // F[i][j] = 1 / (w_j - w_i) off the diagonal, 0 on it
                Array diff = Np.subtract(Np.expandDims(w, -2), Np.expandDims(w, -1));
                Array f = Np.subtract(Np.reciprocal(Np.add(eye, diff)), eye);
                Array vtAv = Np.matmul(Np.matmul(t(v), aDot), v);
                Array dv = Np.matmul(v, Np.multiply(f, vtAv));
                Array dw = diagonalOf(vtAv);
                return new Primitive.JvpResult(vw, List.of(dv, dw));
            })
            .batch((p, xs, dims) -> new Primitive.BatchResult(Decompositions.EIGH.bind(p, Batching.allAtFront(xs, dims)), new int[]{0, 0}));

    /**
     * Reduced singular value decomposition by one-sided Jacobi rotations: outputs s (descending), U
     * (m × k) and Vᵀ (k × n), k = min(m, n). JVP: JAX's rule (distinct non-zero singular values).
     */
    public static final Primitive SVD = new Primitive("svd")
            .abstractEval((p, in) -> {
                ShapedArray a = matrixFloat("svd", in.getFirst());
                int m = a.dim(-2), n = a.dim(-1), k = Math.min(m, n);
                boolean full = ((SvdParams) p).fullMatrices();
                return List.of(new ShapedArray(a.dtype(), sShape(a, k)), withLast(a, m, full ? m : k), withLast(a, full ? n : k, n));
            })
            .impl((p, in) -> viaNative("svd", p, in, () -> svdImpl(in.getFirst(), ((SvdParams) p).fullMatrices())))
            .jvp((p, primals, tangents) -> {
                Array a = primals.getFirst();
                if (((SvdParams) p).fullMatrices() && a.dim(-2) != a.dim(-1) && tangents.getFirst() != null) {
                    throw new Jax4jException("svd: the full U and Vᵀ of a non-square matrix have no derivative (their completed columns are "
                            + "not unique; JAX refuses it too): use full_matrices=false, or differentiate the singular values (Linalg.svdvals)");
                }
                List<Array> suv = Decompositions.SVD.bind(p, List.of(a));
                Array dA = tangents.getFirst();
                if (dA == null) return new Primitive.JvpResult(suv, Arrays.asList(null, null, null));
                Array s = suv.get(0), u = suv.get(1), vt = suv.get(2);
                Array ut = t(u), v = t(vt);
                int k = s.dim(-1);
                Array sRow = Np.expandDims(s, -2), sCol = Np.expandDims(s, -1);
                Array dS = Np.matmul(Np.matmul(ut, dA), v);
                Array ds = diagonalOf(dS);
                Array eye = Np.eye(k, k, 0, a.dtype());
                Array sDiffs = Np.multiply(Np.add(sRow, sCol), Np.subtract(sRow, sCol));
                Array f = Np.subtract(Np.reciprocal(Np.add(sDiffs, eye)), eye);
                Array dSS = Np.multiply(sRow, dS), sdS = Np.multiply(sCol, dS);
                Array sZeros = Np.astype(Np.equal(s, Np.zerosLike(s)), s.dtype());
                Array sInv = Np.subtract(Np.reciprocal(Np.add(s, sZeros)), sZeros);
                Array dUdVdiag = Np.multiply(Np.multiply(Array.scalar(0.5, a.dtype()), Np.subtract(dS, t(dS))),
                        Np.multiply(Np.expandDims(sInv, -1), eye));
                Array dU = Np.matmul(u, Np.add(Np.multiply(f, Np.add(dSS, t(dSS))), dUdVdiag));
                Array dV = Np.matmul(v, Np.multiply(f, Np.add(sdS, t(sdS))));
                int m = a.dim(-2), n = a.dim(-1);
                if (m > n) {
                    Array dAV = Np.matmul(dA, v);
                    dU = Np.add(dU, Np.divide(Np.subtract(dAV, Np.matmul(u, Np.matmul(ut, dAV))), sRow));
                }
                if (n > m) {
                    Array dAHU = Np.matmul(t(dA), u);
                    dV = Np.add(dV, Np.divide(Np.subtract(dAHU, Np.matmul(v, Np.matmul(vt, dAHU))), sRow));
                }
                return new Primitive.JvpResult(suv, List.of(ds, dU, t(dV)));
            })
            .batch((p, xs, dims) -> new Primitive.BatchResult(Decompositions.SVD.bind(p, Batching.allAtFront(xs, dims)), new int[]{0, 0, 0}));

    private static Shape sShape(ShapedArray a, int k) {
        int[] d = Arrays.copyOf(a.shape().dims(), a.ndim() - 1);
        d[d.length - 1] = k;
        return Shape.of(d);
    }

    /** JAX's {@code _thin_qr_jvp} for m ≥ n (real): dQ and dR. */
    private static Array[] thinQrJvp(Array q, Array r, Array dx) {
        Array dxRinv = triangularSolve(r, dx, new TriangularSolveParams(false, false, false, false));
        Array qtDxRinv = Np.matmul(t(q), dxRinv);
        Array lower = Np.tril(qtDxRinv, -1);
        Array dOmega = Np.subtract(lower, t(lower));
        Array dq = Np.add(Np.matmul(q, Np.subtract(dOmega, qtDxRinv)), dxRinv);
        Array dr = Np.matmul(Np.subtract(qtDxRinv, dOmega), r);
        return new Array[]{dq, dr};
    }

    private static Array t(Array x) { return Np.swapaxes(x, -1, -2); }

    /** The main diagonals of a batch of square matrices (the last two axes), selected exactly (no products with zeros). */
    public static Array diagonalOf(Array m) {
        int n = m.dim(-1);
        Array mask = Np.broadcastTo(Np.notEqual(Np.eye(n, n, 0, DType.I32), Array.scalar(0)), m.shape());
        return Np.sum(Np.where(mask, m, Np.zerosLike(m)), -1);
    }

    private static Array sliceCols(Array x, int from, int to) { return io.jax4j.Lax.sliceInDim(x, from, to, 1, x.ndim() - 1); }

    private static ShapedArray matrixFloat(String op, ShapedArray a) {
        if (a.ndim() < 2) throw new Jax4jException(op + ": needs matrices in the last two axes, got " + a.str());
        if (!a.dtype().isFloating()) throw new Jax4jException(op + ": needs a float dtype, got " + a.str());
        return a.strong();
    }

    private static ShapedArray withLast(ShapedArray a, int rows, int cols) {
        int[] d = a.shape().dims();
        d[d.length - 2] = rows;
        d[d.length - 1] = cols;
        return new ShapedArray(a.dtype(), Shape.of(d));
    }

    private static List<Array> qrImpl(ArrayImpl x, boolean full) {
        int m = x.aval().dim(-2), n = x.aval().dim(-1), k = full ? m : Math.min(m, n);
        double[] all = x.toDoubles();
        int batches = m * n == 0 ? 0 : all.length / (m * n);
        double[] qs = new double[batches * m * k], rs = new double[batches * k * n];
        for (int b = 0; b < batches; b++) {
            double[] a = Arrays.copyOfRange(all, b * m * n, (b + 1) * m * n);
            int steps = Math.min(m, n);
            double[] tau = new double[steps];
            for (int j = 0; j < steps; j++) {
                double alpha = a[j * n + j], norm = 0;
                for (int i = j + 1; i < m; i++) norm += a[i * n + j] * a[i * n + j];
                norm = Math.sqrt(norm);
                if (norm == 0) {
                    tau[j] = 0;
                    continue;
                }
                double beta = -Math.copySign(Math.hypot(alpha, norm), alpha);
                tau[j] = (beta - alpha) / beta;
                double scale = 1 / (alpha - beta);
                for (int i = j + 1; i < m; i++) a[i * n + j] *= scale;
                a[j * n + j] = beta;
                for (int c = j + 1; c < n; c++) {                    // apply H = I - tau v vᵀ (v_j = 1) to column c
                    double dot = a[j * n + c];
                    for (int i = j + 1; i < m; i++) dot += a[i * n + j] * a[i * n + c];
                    dot *= tau[j];
                    a[j * n + c] -= dot;
                    for (int i = j + 1; i < m; i++) a[i * n + c] -= dot * a[i * n + j];
                }
            }
            for (int i = 0; i < k; i++) for (int c = i; c < n; c++) rs[b * k * n + i * n + c] = a[i * n + c];
            double[] q = new double[m * k];                          // Q = H_0 H_1 ... applied to the first k columns of I
            for (int i = 0; i < Math.min(m, k); i++) q[i * k + i] = 1;
            for (int j = steps - 1; j >= 0; j--) {
                for (int c = 0; c < k; c++) {
                    double dot = q[j * k + c];
                    for (int i = j + 1; i < m; i++) dot += a[i * n + j] * q[i * k + c];
                    dot *= tau[j];
                    q[j * k + c] -= dot;
                    for (int i = j + 1; i < m; i++) q[i * k + c] -= dot * a[i * n + j];
                }
            }
            System.arraycopy(q, 0, qs, b * m * k, m * k);
        }
        return List.of(ArrayImpl.ofDoubles(withLast(x.aval(), m, k), qs), ArrayImpl.ofDoubles(withLast(x.aval(), k, n), rs));
    }

    /** Cyclic Jacobi on the symmetric matrix of the lower triangle; eigenvalues ascending with their vectors. */
    private static List<Array> eighImpl(ArrayImpl x) {
        int n = x.aval().dim(-1);
        double[] all = x.toDoubles();
        int batches = n == 0 ? 0 : all.length / (n * n);
        double[] vs = new double[all.length], ws = new double[batches * n];
        for (int b = 0; b < batches; b++) {
            double[] a = new double[n * n], v = new double[n * n];
            for (int i = 0; i < n; i++) {
                v[i * n + i] = 1;
                for (int j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = all[b * n * n + i * n + j];
            }
            for (int sweep = 0; sweep < 100; sweep++) {
                double off = 0, total = 0;
                for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) {
                    total += a[i * n + j] * a[i * n + j];
                    if (i != j) off += a[i * n + j] * a[i * n + j];
                }
                if (off <= 1e-30 * total || off == 0 || Double.isNaN(off)) break;
                for (int p = 0; p < n - 1; p++) {
                    for (int q = p + 1; q < n; q++) {
                        double apq = a[p * n + q];
                        if (apq == 0) continue;
                        double theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
                        double tt = Math.copySign(1, theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                        double c = 1 / Math.sqrt(tt * tt + 1), sn = tt * c;
                        rotate(a, n, n, 1, p, q, c, sn);               // columns p, q
                        rotate(a, n, 1, n, p, q, c, sn);               // rows p, q
                        rotate(v, n, n, 1, p, q, c, sn);
                    }
                }
            }
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) order[i] = i;
            double[] diag = new double[n];
            for (int i = 0; i < n; i++) diag[i] = a[i * n + i];
            Arrays.sort(order, (i, j) -> Double.compare(diag[i], diag[j]));
            for (int c = 0; c < n; c++) {
                ws[b * n + c] = diag[order[c]];
                for (int r = 0; r < n; r++) vs[b * n * n + r * n + c] = v[r * n + order[c]];
            }
        }
        ShapedArray w = new ShapedArray(x.aval().dtype(), Shape.of(Arrays.copyOf(x.aval().shape().dims(), x.aval().ndim() - 1)));
        return List.of(ArrayImpl.ofDoubles(x.aval().strong(), vs), ArrayImpl.ofDoubles(w, ws));
    }

    /** The reduced SVD ({@link #svdReduced}), with U and Vᵀ completed to square orthonormal factors when {@code full}. */
    private static List<Array> svdImpl(ArrayImpl x, boolean full) {
        List<Array> reduced = svdReduced(x);
        int m = x.aval().dim(-2), n = x.aval().dim(-1), k = Math.min(m, n);
        if (!full || m == n) return reduced;
        ShapedArray a = x.aval();
        double[] u = ((ArrayImpl) reduced.get(1)).toDoubles(), vt = ((ArrayImpl) reduced.get(2)).toDoubles();
        int batches = Math.toIntExact(batchCount(a));
        double[] uf = new double[batches * m * m], vtf = new double[batches * n * n];
        for (int b = 0; b < batches; b++) {
            // U's columns completed to an orthonormal basis of R^m; Vᵀ's rows (V's columns) to one of R^n
            double[] ub = completeColumns(Arrays.copyOfRange(u, b * m * k, (b + 1) * m * k), m, k);
            System.arraycopy(ub, 0, uf, b * m * m, m * m);
            double[] v = new double[n * k];
            for (int i = 0; i < k; i++) for (int j = 0; j < n; j++) v[j * k + i] = vt[b * k * n + i * n + j];
            double[] vb = completeColumns(v, n, k);
            for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) vtf[b * n * n + i * n + j] = vb[j * n + i];
        }
        return List.of(reduced.get(0), ArrayImpl.ofDoubles(withLast(a, m, m), uf), ArrayImpl.ofDoubles(withLast(a, n, n), vtf));
    }

    /** The number of matrices: the product of the axes before the last two. */
    private static long batchCount(ShapedArray a) {
        long b = 1;
        for (int i = 0; i < a.ndim() - 2; i++) b *= a.dim(i);
        return b;
    }

    /** The k orthonormal columns of q (rows × k) and then the standard basis vectors that Gram–Schmidt (twice) keeps, to rows columns. */
    private static double[] completeColumns(double[] q, int rows, int k) {
        double[] out = new double[rows * rows];
        for (int r = 0; r < rows; r++) System.arraycopy(q, r * k, out, r * rows, k);
        int have = k;
        for (int e = 0; e < rows && have < rows; e++) {
            double[] v = new double[rows];
            v[e] = 1;
            int used = have;
            orthogonalize(v, out, rows, rows, c -> c < used);
            double norm = orthogonalize(v, out, rows, rows, c -> c < used);
            if (norm < 1e-8) continue;
            for (int r = 0; r < rows; r++) out[r * rows + have] = v[r] / norm;
            have++;
        }
        return out;
    }

    /** One-sided Jacobi (Hestenes) on the taller orientation; U's columns for zero singular values completed to an orthonormal set. */
    private static List<Array> svdReduced(ArrayImpl x) {
        int m = x.aval().dim(-2), n = x.aval().dim(-1), k = Math.min(m, n);
        double[] all = x.toDoubles();
        int batches = m * n == 0 ? 0 : all.length / (m * n);
        double[] ss = new double[batches * k], us = new double[batches * m * k], vts = new double[batches * k * n];
        boolean wide = m < n;
        int rows = wide ? n : m, cols = wide ? m : n;                 // work on A (rows ≥ cols), transposed when wide
        for (int b = 0; b < batches; b++) {
            double[] u = new double[rows * cols], v = new double[cols * cols];
            for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) {
                double val = all[b * m * n + i * n + j];
                if (wide) u[j * cols + i] = val;
                else u[i * cols + j] = val;
            }
            for (int i = 0; i < cols; i++) v[i * cols + i] = 1;
            for (int sweep = 0; sweep < 100; sweep++) {
                boolean rotated = false;
                for (int p = 0; p < cols - 1; p++) {
                    for (int q = p + 1; q < cols; q++) {
                        double alpha = 0, beta = 0, gamma = 0;
                        for (int r = 0; r < rows; r++) {
                            double up = u[r * cols + p], uq = u[r * cols + q];
                            alpha += up * up;
                            beta += uq * uq;
                            gamma += up * uq;
                        }
                        if (gamma == 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
                        rotated = true;
                        double zeta = (beta - alpha) / (2 * gamma);
                        double tt = Math.copySign(1, zeta) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
                        double c = 1 / Math.sqrt(1 + tt * tt), sn = c * tt;
                        rotate(u, rows, cols, 1, p, q, c, sn);
                        rotate(v, cols, cols, 1, p, q, c, sn);
                    }
                }
                if (!rotated) break;
            }
            double[] sv = new double[cols];
            for (int c = 0; c < cols; c++) {
                double norm = 0;
                for (int r = 0; r < rows; r++) norm += u[r * cols + c] * u[r * cols + c];
                sv[c] = Math.sqrt(norm);
            }
            Integer[] order = new Integer[cols];
            for (int i = 0; i < cols; i++) order[i] = i;
            Arrays.sort(order, (i, j) -> Double.compare(sv[j], sv[i]));
            double[] left = new double[rows * cols];
            for (int c = 0; c < cols; c++) {
                int src = order[c];
                for (int r = 0; r < rows; r++) left[r * cols + c] = sv[src] > 0 ? u[r * cols + src] / sv[src] : 0;
            }
            completeOrthonormal(left, rows, cols, sv, order);
            for (int c = 0; c < cols; c++) {
                int src = order[c];
                ss[b * k + c] = sv[src];
                // left (rows × cols) holds U of the worked matrix; V (cols × cols) its right vectors
                for (int r = 0; r < rows; r++) {
                    if (wide) vts[b * k * n + c * n + r] = left[r * cols + c];       // A = (Aᵀ)ᵀ: Vᵀ rows are Aᵀ's left vectors
                    else us[b * m * k + r * k + c] = left[r * cols + c];
                }
                for (int r = 0; r < cols; r++) {
                    if (wide) us[b * m * k + r * k + c] = v[r * cols + src];
                    else vts[b * k * n + c * n + r] = v[r * cols + src];
                }
            }
        }
        ShapedArray a = x.aval();
        return List.of(ArrayImpl.ofDoubles(new ShapedArray(a.dtype(), sShape(a, k)), ss), ArrayImpl.ofDoubles(withLast(a, m, k), us),
                ArrayImpl.ofDoubles(withLast(a, k, n), vts));
    }

    /**
     * A Givens rotation of lines {@code p} and {@code q} of a row-major matrix: columns when
     * {@code lineStride} is 1 and {@code step} the row length, rows when {@code step} is 1 and
     * {@code lineStride} the row length; {@code count} elements each.
     */
    private static void rotate(double[] m, int count, int step, int lineStride, int p, int q, double c, double s) {
        for (int r = 0; r < count; r++) {
            int ip = r * step + p * lineStride, iq = r * step + q * lineStride;
            double mp = m[ip], mq = m[iq];
            m[ip] = c * mp - s * mq;
            m[iq] = s * mp + c * mq;
        }
    }

    /**
     * {@code v} minus its projections on the columns of the row-major {@code m} ({@code cols} per row,
     * {@code rows} rows) that {@code use} selects (classical Gram–Schmidt, orthonormal columns); v's norm after.
     */
    private static double orthogonalize(double[] v, double[] m, int rows, int cols, java.util.function.IntPredicate use) {
        for (int c = 0; c < cols; c++) {
            if (!use.test(c)) continue;
            double dot = 0;
            for (int r = 0; r < rows; r++) dot += m[r * cols + c] * v[r];
            for (int r = 0; r < rows; r++) v[r] -= dot * m[r * cols + c];
        }
        double norm = 0;
        for (double x : v) norm += x * x;
        return Math.sqrt(norm);
    }

    /** Replaces the zero columns (singular value 0) of {@code left} by unit vectors orthogonal to the others (Gram–Schmidt on e_i). */
    private static void completeOrthonormal(double[] left, int rows, int cols, double[] sv, Integer[] order) {
        int candidate = 0;
        for (int c = 0; c < cols; c++) {
            if (sv[order[c]] > 0) continue;
            while (candidate < rows) {
                double[] e = new double[rows];
                e[candidate++] = 1;
                int target = c;
                double norm = orthogonalize(e, left, rows, cols, o -> o != target && !(sv[order[o]] == 0 && o > target));
                if (norm > 1e-8) {
                    for (int r = 0; r < rows; r++) left[r * cols + c] = e[r] / norm;
                    break;
                }
            }
        }
    }
}
