package io.jax4j;

import io.jax4j.core.Jax4jException;
import io.jax4j.core.Params;
import io.jax4j.prims.Decompositions;
import io.jax4j.prims.Decompositions.TriangularSolveParams;

import java.util.List;

/**
 * {@code jnp.linalg} and {@code jax.scipy.linalg}: norms, Cholesky, LU, triangular and general
 * solves, inverse, determinants and matrix powers over the last two axes, batched over leading
 * ones. Built on the {@code cholesky}, {@code lu} and {@code triangular_solve} primitives, so
 * everything here differentiates (JAX's rules), vmaps and jits; {@code qr}, {@code eigh} and
 * {@code svd} are primitives too ({@code pinv}, the spectral and nuclear norms and
 * {@code matrix_rank} use the SVD). Their reference implementations (Householder, Jacobi) run in
 * double; backends run them as host ops.
 */
public final class Linalg {
    private Linalg() {}

    /** {@code lax.linalg.lu}'s three outputs: packed factors, row swaps, and the row permutation. */
    public record LuResult(Array lu, Array pivots, Array permutation) {}

    /** {@code jnp.linalg.slogdet}'s two outputs: the sign of the determinant and log |det|. */
    public record SlogdetResult(Array sign, Array logabsdet) {}

    /** {@code jnp.linalg.qr}'s outputs. */
    public record QrResult(Array q, Array r) {}

    /** {@code jnp.linalg.eigh}'s outputs: eigenvalues ascending, eigenvectors as columns. */
    public record EighResult(Array eigenvalues, Array eigenvectors) {}

    /** {@code jnp.linalg.svd}'s outputs: {@code a = u · diag(s) · vh}, s descending. */
    public record SvdResult(Array u, Array s, Array vh) {}

    /** {@code jnp.linalg.lstsq}'s outputs: solution, residual sums of squares (empty unless full rank and m > n), rank, singular values. */
    public record LstsqResult(Array x, Array residuals, Array rank, Array s) {}

    /**
     * {@code jax.scipy.linalg.lu_factor}'s outputs: the packed factors and LAPACK's row swaps, and the
     * row permutation they amount to ({@code a[permutation] = L U}), which {@link #luSolve} applies.
     */
    public record LuFactor(Array lu, Array piv, Array permutation) {}

    // ---------------------------------------------------------------- norms

    /** {@code jnp.linalg.norm(x)}: the 2-norm of the flattened array (Frobenius for a matrix). */
    public static Array norm(Array x) {
        Array f = asFloat("norm", x);
        return Np.sqrt(Np.sum(Np.multiply(f, f)));
    }

    /**
     * {@code jnp.linalg.norm(x, ord, axis, keepdims)} of vectors along one axis: {@code ord} 2 (also
     * {@code null}), 1, 0 (non-zero count), ±infinity (largest/smallest magnitude) or any other p:
     * {@code sum(|x|^p)^(1/p)}.
     */
    public static Array norm(Array x, Double ord, int axis, boolean keepdims) {
        Array f = asFloat("norm", x);
        int[] ax = {Np.normalizeAxes("norm", f, axis)[0]};
        double p = ord == null ? 2 : ord;
        if (p == Double.POSITIVE_INFINITY) return Np.max(Np.abs(f), ax, keepdims);
        if (p == Double.NEGATIVE_INFINITY) return Np.min(Np.abs(f), ax, keepdims);
        if (p == 0) return Np.astype(Np.sum(Np.notEqual(f, Np.zerosLike(f)), ax, keepdims), f.dtype());
        if (p == 1) return Np.sum(Np.abs(f), ax, keepdims);
        if (p == 2) return Np.sqrt(Np.sum(Np.multiply(f, f), ax, keepdims));
        Array pw = Np.power(Np.abs(f), Array.weak(p));
        return Np.power(Np.sum(pw, ax, keepdims), Array.weak(1 / p));
    }

    /** {@code jnp.linalg.norm(x, ord, axis)} of vectors. */
    public static Array norm(Array x, Double ord, int axis) { return norm(x, ord, axis, false); }

    /**
     * {@code jnp.linalg.norm(x, ord, axis=(r, c), keepdims)} of matrices: {@code "fro"} (also
     * {@code null}), {@code 1} / {@code -1} (largest / smallest column sum of magnitudes),
     * {@code inf} / {@code -inf} (row sums). The 2-norm, -2 and {@code "nuc"} need the SVD, not here yet.
     */
    public static Array matrixNorm(Array x, Object ord, int rowAxis, int colAxis, boolean keepdims) {
        Array f = asFloat("norm", x);
        int[] ax = Np.normalizeAxes("norm", f, rowAxis, colAxis);
        int r = ax[0], c = ax[1];
        Object o = ord instanceof Number n ? (Object) n.doubleValue() : ord;
        if (o == null || "fro".equals(o)) return Np.sqrt(Np.sum(Np.multiply(f, f), ax, keepdims));
        if (o instanceof Double d && (d == 1 || d == -1 || Double.isInfinite(d))) {
            boolean columns = Math.abs(d) == 1;          // 1: sum down each column (over rows), then the max over columns
            int summed = columns ? r : c, other = columns ? c : r;
            Array sums = Np.sum(Np.abs(f), new int[]{summed}, true);
            Array out = d > 0 ? Np.max(sums, new int[]{other}, true) : Np.min(sums, new int[]{other}, true);
            return keepdims ? out : Np.squeeze(out, r, c);
        }
        if ("nuc".equals(o) || o instanceof Double d2 && Math.abs(d2) == 2) {
            int[] perm = new int[f.ndim()];
            for (int i = 0, j = 0; i < f.ndim(); i++) if (i != r && i != c) perm[j++] = i;
            perm[f.ndim() - 2] = r;
            perm[f.ndim() - 1] = c;
            Array s = svdvals(Np.transpose(f, perm));
            Array out = "nuc".equals(o) ? Np.sum(s, -1) : ((Double) o) > 0 ? Np.max(s, -1) : Np.min(s, -1);
            if (!keepdims) return out;
            int[] shape = f.shape();
            shape[r] = 1;
            shape[c] = 1;
            return Np.reshape(out, shape);
        }
        throw new Jax4jException("Linalg.matrixNorm: ord " + ord + " is not supported; use \"fro\", \"nuc\", 1, -1, 2, -2, inf or -inf");
    }

    // ---------------------------------------------------------------- factorizations

    /**
     * {@code jnp.linalg.cholesky(a)}: the lower factor {@code L} with {@code L Lᵀ = a} of symmetric
     * positive-definite matrices ({@code a} is symmetrized first, as JAX does); NaNs where {@code a}
     * is not positive definite.
     */
    public static Array cholesky(Array a) {
        Array f = square("cholesky", asFloat("cholesky", a));
        Array sym = Np.divide(Np.add(f, Np.swapaxes(f, -1, -2)), Array.weak(2));
        return Decompositions.CHOLESKY.bind1(Params.NONE, sym);
    }

    /** {@code jax.lax.linalg.lu(a)}: packed LU factors with partial pivoting, pivots and permutation. */
    public static LuResult lu(Array a) {
        List<Array> r = Decompositions.LU.bind(Params.NONE, List.of(asFloat("lu", a)));
        return new LuResult(r.get(0), r.get(1), r.get(2));
    }

    /**
     * {@code jnp.linalg.qr(a, mode)}: {@code "reduced"} (Q m × k, R k × n, k = min(m, n)) or
     * {@code "complete"} (Q m × m, R m × n); for {@code "r"} use {@link #qr(Array, String)}{@code .r()}.
     */
    public static QrResult qr(Array a, String mode) {
        if (!mode.equals("reduced") && !mode.equals("complete") && !mode.equals("r")) {
            throw new Jax4jException("Linalg.qr: mode must be \"reduced\", \"complete\" or \"r\", got \"" + mode + "\"");
        }
        List<Array> qr = Decompositions.QR.bind(new Decompositions.QrParams(mode.equals("complete")), List.of(asFloat("qr", a)));
        return new QrResult(qr.get(0), qr.get(1));
    }

    /** {@code jnp.linalg.qr(a)}: the reduced factorization. */
    public static QrResult qr(Array a) { return qr(a, "reduced"); }

    /** {@code jnp.linalg.eigh(a)}: eigenvalues (ascending) and eigenvectors of symmetric matrices ({@code a} symmetrized first). */
    public static EighResult eigh(Array a) {
        Array f = square("eigh", asFloat("eigh", a));
        Array sym = Np.divide(Np.add(f, Np.swapaxes(f, -1, -2)), Array.weak(2));
        List<Array> vw = Decompositions.EIGH.bind(Params.NONE, List.of(sym));
        return new EighResult(vw.get(1), vw.get(0));
    }

    /** {@code jnp.linalg.eigvalsh(a)}. */
    public static Array eigvalsh(Array a) { return eigh(a).eigenvalues(); }

    /** {@code jnp.linalg.svd(a, full_matrices=False)}: {@code u · diag(s) · vh}, s descending. */
    public static SvdResult svd(Array a) { return svd(a, false); }

    /**
     * {@code jnp.linalg.svd(a, full_matrices)}: with {@code fullMatrices}, u is m × m and vh n × n (their
     * extra columns and rows an orthonormal completion); JAX's default is {@code full_matrices=True}.
     * The derivative is defined for the reduced form (and square matrices), as in JAX.
     */
    public static SvdResult svd(Array a, boolean fullMatrices) {
        List<Array> suv = Decompositions.SVD.bind(new Decompositions.SvdParams(fullMatrices), List.of(asFloat("svd", a)));
        return new SvdResult(suv.get(1), suv.get(0), suv.get(2));
    }

    /** {@code jnp.linalg.svdvals(a)} (also {@code svd(a, compute_uv=False)}): the singular values, descending. */
    public static Array svdvals(Array a) { return svd(a).s(); }

    /**
     * {@code jnp.linalg.pinv(a, rtol)}: {@code V diag(1/s) Uᵀ} over the singular values above
     * {@code rtol · max(s)}; {@code rtol} null means {@code 10 · max(m, n) · eps} of the dtype, as JAX.
     */
    public static Array pinv(Array a, Double rtol) {
        Array f = asFloat("pinv", a);
        SvdResult svd = svd(f);
        double eps = f.dtype() == DType.F64 ? Math.ulp(1.0) : Math.ulp(1.0f);
        double tol = rtol != null ? rtol : 10 * Math.max(f.dim(-1), f.dim(-2)) * eps;
        Array cutoff = Np.multiply(Np.max(svd.s(), new int[]{-1}, true), Array.weak(tol));
        Array keep = Np.greater(svd.s(), cutoff);
        Array sInv = Np.where(keep, Np.reciprocal(Np.where(keep, svd.s(), Np.onesLike(svd.s()))), Np.zerosLike(svd.s()));
        return Np.matmul(Np.swapaxes(svd.vh(), -1, -2), Np.multiply(Np.expandDims(sInv, -1), Np.swapaxes(svd.u(), -1, -2)));
    }

    /** {@code jnp.linalg.pinv(a)}. */
    public static Array pinv(Array a) { return pinv(a, null); }

    /** {@code jnp.linalg.matrix_rank(a)}: singular values above {@code max(s) · max(m, n) · eps}, int32. */
    public static Array matrixRank(Array a) {
        Array f = asFloat("matrixRank", a);
        Array s = svdvals(f);
        double eps = f.dtype() == DType.F64 ? Math.ulp(1.0) : Math.ulp(1.0f);
        Array tol = Np.multiply(Np.max(s, new int[]{-1}, true), Array.weak(Math.max(f.dim(-1), f.dim(-2)) * eps));
        return Np.sum(Np.greater(s, tol), -1);
    }

    // ---------------------------------------------------------------- solves

    /**
     * {@code jax.lax.linalg.triangular_solve(a, b, left_side, lower, transpose_a, unit_diagonal)}:
     * {@code op(a) x = b} or {@code x op(a) = b} for triangular {@code a}.
     */
    public static Array triangularSolve(Array a, Array b, boolean leftSide, boolean lower, boolean transposeA, boolean unitDiagonal) {
        Array[] p = Np.promoteBroadcastDtypeOnly("triangular_solve", asFloat("triangular_solve", a), b);
        return Decompositions.triangularSolve(p[0], p[1], new TriangularSolveParams(leftSide, lower, transposeA, unitDiagonal));
    }

    /**
     * {@code jax.scipy.linalg.solve_triangular(a, b, trans, lower, unit_diagonal)}: solves
     * {@code a x = b} ({@code trans} false) or {@code aᵀ x = b}; {@code b} a vector or a matrix.
     */
    public static Array solveTriangular(Array a, Array b, boolean trans, boolean lower, boolean unitDiagonal) {
        boolean vector = b.ndim() == a.ndim() - 1;
        Array bm = vector ? Np.expandDims(b, -1) : b;
        Array x = triangularSolve(a, bm, true, lower, trans, unitDiagonal);
        return vector ? Np.squeeze(x, -1) : x;
    }

    /**
     * {@code jnp.linalg.solve(a, b)}: {@code x} with {@code a x = b}, by LU with partial pivoting;
     * {@code b} of shape {@code (n,)} is a vector, otherwise {@code (..., n, k)}.
     */
    public static Array solve(Array a, Array b) {
        Array f = asFloat("solve", a);
        if (f.ndim() < 2 || f.dim(-1) != f.dim(-2)) throw new Jax4jException("Linalg.solve: a must be square matrices, got " + a.aval().str());
        boolean vector = b.ndim() == 1;
        Array bm = vector ? Np.expandDims(b, -1) : b;
        if (bm.dim(-2) != f.dim(-1)) {
            throw new Jax4jException("Linalg.solve: b " + b.aval().str() + " does not match a " + a.aval().str()
                    + " (b needs " + f.dim(-1) + " rows; a batch of vectors is b[..., None])");
        }
        Array[] p = Np.promoteBroadcastDtypeOnly("solve", f, bm);
        int[] batch = Np.broadcastShapes("Linalg.solve", lead(p[0]), lead(p[1]));
        Array am = Np.broadcastTo(p[0], withLast(batch, p[0].dim(-2), p[0].dim(-1)));
        Array rhs = Np.broadcastTo(p[1], withLast(batch, p[1].dim(-2), p[1].dim(-1)));
        LuResult lu = lu(am);
        Array permuted = Np.takeAlongAxis(rhs, Np.broadcastTo(Np.expandDims(lu.permutation(), -1), rhs.shape()), -2);
        Array y = Decompositions.triangularSolve(lu.lu(), permuted, new TriangularSolveParams(true, true, false, true));
        Array x = Decompositions.triangularSolve(lu.lu(), y, new TriangularSolveParams(true, false, false, false));
        return vector ? Np.squeeze(x, -1) : x;
    }

    /**
     * {@code jnp.linalg.lstsq(a, b)}: the minimum-norm least-squares solution through the SVD (singular
     * values below {@code max(m, n) · eps · max(s)} dropped, JAX's default {@code rcond}); {@code b}
     * a vector or a matrix of right-hand sides.
     */
    public static LstsqResult lstsq(Array a, Array b) {
        Array f = asFloat("lstsq", a);
        if (f.ndim() != 2) throw new Jax4jException("Linalg.lstsq: a must be a matrix, got " + a.aval().str());
        boolean vector = b.ndim() == 1;
        Array bm = vector ? Np.expandDims(b, -1) : b;
        if (bm.ndim() != 2 || bm.dim(0) != f.dim(0)) {
            throw new Jax4jException("Linalg.lstsq: b " + b.aval().str() + " needs " + f.dim(0) + " rows to match a " + a.aval().str());
        }
        int m = f.dim(0), n = f.dim(1);
        double eps = f.dtype() == DType.F64 ? Math.ulp(1.0) : Math.ulp(1.0f);
        SvdResult svd = svd(f);
        Array cutoff = Np.multiply(Np.max(svd.s()), Array.weak(Math.max(m, n) * eps));
        Array keep = Np.greater(svd.s(), cutoff);
        Array sInv = Np.where(keep, Np.reciprocal(Np.where(keep, svd.s(), Np.onesLike(svd.s()))), Np.zerosLike(svd.s()));
        Array uTb = Np.matmul(Np.swapaxes(svd.u(), 0, 1), bm);
        Array x = Np.matmul(Np.swapaxes(svd.vh(), 0, 1), Np.multiply(Np.expandDims(sInv, -1), uTb));
        Array rank = Np.sum(keep);
        Array residuals;
        if (m > n) {
            Array r = Np.subtract(Np.matmul(f, x), bm);
            Array full = Np.sum(Np.multiply(r, r), 0);
            residuals = rank.item() == n ? full : Np.zeros(f.dtype(), 0);
        } else {
            residuals = Np.zeros(f.dtype(), 0);
        }
        if (vector) {
            x = Np.squeeze(x, -1);
            if (residuals.ndim() == 1 && residuals.dim(0) == 1) residuals = Np.reshape(residuals, 1);
        }
        return new LstsqResult(x, residuals, rank, svd.s());
    }

    /** {@code jax.scipy.linalg.lu_factor(a)}: packed LU factors and the row swaps (row i was exchanged with piv[i]). */
    public static LuFactor luFactor(Array a) {
        LuResult r = lu(a);
        return new LuFactor(r.lu(), r.pivots(), r.permutation());
    }

    /** {@code jax.scipy.linalg.lu_solve((lu, piv), b)}: solves {@code a x = b} from {@link #luFactor}. */
    public static Array luSolve(LuFactor factor, Array b) {
        Array lu = factor.lu();
        boolean vector = b.ndim() == lu.ndim() - 1;
        Array bm = vector ? Np.expandDims(b, -1) : b;
        Array permuted = Np.takeAlongAxis(bm, Np.broadcastTo(Np.expandDims(factor.permutation(), -1),
                withLast(java.util.Arrays.copyOf(factor.permutation().shape(), factor.permutation().ndim() - 1), bm.dim(-2), bm.dim(-1))), -2);
        Array y = Decompositions.triangularSolve(lu, permuted, new TriangularSolveParams(true, true, false, true));
        Array x = Decompositions.triangularSolve(lu, y, new TriangularSolveParams(true, false, false, false));
        return vector ? Np.squeeze(x, -1) : x;
    }

    /** {@code jax.scipy.linalg.cho_solve((c, lower), b)}: solves {@code a x = b} from a Cholesky factor of a. */
    public static Array choSolve(Array c, boolean lower, Array b) {
        boolean vector = b.ndim() == c.ndim() - 1;
        Array bm = vector ? Np.expandDims(b, -1) : b;
        Array y = triangularSolve(c, bm, true, lower, !lower, false);
        Array x = triangularSolve(c, y, true, lower, lower, false);
        return vector ? Np.squeeze(x, -1) : x;
    }

    /** {@code jnp.linalg.inv(a)}: {@code solve(a, I)}. */
    public static Array inv(Array a) {
        Array f = asFloat("inv", a);
        if (f.ndim() < 2 || f.dim(-1) != f.dim(-2)) throw new Jax4jException("Linalg.inv: a must be square matrices, got " + a.aval().str());
        int n = f.dim(-1);
        return solve(f, Np.broadcastTo(Np.eye(n, n, 0, f.dtype()), f.shape()));
    }

    // ---------------------------------------------------------------- determinants and powers

    /** {@code jnp.linalg.det(a)}: the product of U's diagonal, its sign flipped once per row swap. */
    public static Array det(Array a) {
        LuResult lu = lu(a);
        Array diagonal = Decompositions.diagonalOf(lu.lu());
        return Np.multiply(swapSign(lu.pivots(), diagonal.dtype()), Np.prod(diagonal, -1));
    }

    /** {@code jnp.linalg.slogdet(a)}: sign and log |det| (0 and -inf for a singular matrix). */
    public static SlogdetResult slogdet(Array a) {
        LuResult lu = lu(a);
        Array diagonal = Decompositions.diagonalOf(lu.lu());
        Array sign = Np.multiply(swapSign(lu.pivots(), diagonal.dtype()), Np.prod(Np.sign(diagonal), -1));
        Array logabsdet = Np.sum(Np.log(Np.abs(diagonal)), -1);
        return new SlogdetResult(sign, logabsdet);
    }

    /** {@code jnp.linalg.matrix_power(a, n)}: repeated squaring; a negative n inverts first. */
    public static Array matrixPower(Array a, int n) {
        if (a.ndim() < 2 || a.dim(-1) != a.dim(-2)) throw new Jax4jException("Linalg.matrixPower: a must be square matrices, got " + a.aval().str());
        if (n == 0) return Np.broadcastTo(Np.eye(a.dim(-1), a.dim(-1), 0, a.dtype()), a.shape());
        Array base = n < 0 ? inv(a) : a, acc = null;
        for (int k = Math.abs(n); k > 0; k >>= 1) {
            if ((k & 1) != 0) acc = acc == null ? base : Np.matmul(acc, base);
            if (k > 1) base = Np.matmul(base, base);
        }
        return acc;
    }

    /** {@code jax.scipy.linalg.expm(a)}: the matrix exponential, batched over leading axes (max 16 squarings). */
    public static Array expm(Array a) { return expm(a, false, 16); }

    /**
     * {@code jax.scipy.linalg.expm(a, upper_triangular, max_squarings)}, as JAX computes it: scaling by
     * 2^-s with s = max(0, ⌊log2(‖a‖₁ / θ)⌋), the Padé approximant of degree 3, 5, 7 (float32) or 3, 5, 7,
     * 9, 13 (float64) chosen by ‖a‖₁ against JAX's thresholds, {@code solve(Q, P)} (a triangular solve
     * when {@code upperTriangular}), then s squarings; NaN where s exceeds {@code maxSquarings}. The
     * candidates and squarings are selected per matrix instead of branched on (equal values), so it
     * batches, jits and differentiates as the composition it is.
     */
    public static Array expm(Array a, boolean upperTriangular, int maxSquarings) {
        Array x = asFloat("expm", a);
        if (x.ndim() < 2 || x.dim(-1) != x.dim(-2)) {
            throw new Jax4jException("Linalg.expm: expected a (batched) square matrix, got " + x.aval().str());
        }
        boolean f64 = x.dtype() == DType.F64;
        if (!f64 && x.dtype() != DType.F32) x = Np.astype(x, DType.F32);
        DType dt = x.dtype();
        // [..., 1]: the max column sum; the step choices do not depend on a differentiably (floor, digitize)
        Array norm1 = Lax.stopGradient(Np.max(Np.sum(Np.abs(x), new int[]{-2}, false), new int[]{-1}, true));
        double maxNorm = f64 ? 5.371920351148152 : 3.925724783138660;
        Array nSquarings = Np.maximum(Array.scalar(0.0, dt), Np.floor(Np.log2(Np.divide(norm1, Array.scalar(maxNorm, dt)))));
        Array scaled = Np.divide(x, Np.expandDims(Np.power(Array.scalar(2.0, dt), nSquarings), -1));
        double[] conds = f64 ? new double[]{1.495585217958292e-002, 2.539398330063230e-001, 9.504178996162932e-001, 2.097847961257068e+000}
                : new double[]{4.258730016922831e-001, 1.880152677804762e+000};
        Array idx = Np.zerosLike(norm1);
        for (double c : conds) idx = Np.add(idx, Np.astype(Np.greaterEqual(norm1, Array.scalar(c, dt)), dt));   // jnp.digitize
        Array[] best = pade(scaled, 0);
        for (int d = 1; d <= conds.length; d++) {
            Array[] uv = pade(scaled, d);
            Array pick = Np.expandDims(Np.equal(idx, Array.scalar((double) d, dt)), -1);
            best = new Array[]{Np.where(pick, uv[0], best[0]), Np.where(pick, uv[1], best[1])};
        }
        Array p = Np.add(best[0], best[1]), q = Np.subtract(best[1], best[0]);
        Array r = upperTriangular ? triangularSolve(q, p, true, false, false, false) : solve(q, p);
        for (int i = 0; i < maxSquarings; i++) {
            Array more = Np.expandDims(Np.less(Array.scalar((double) i, dt), nSquarings), -1);
            r = Np.where(more, Np.matmul(r, r), r);
        }
        Array tooMany = Np.expandDims(Np.greater(nSquarings, Array.scalar((double) maxSquarings, dt)), -1);
        return Np.where(tooMany, Np.fullLike(r, Double.NaN), r);
    }

    private static final double[][] PADE = {
            {120., 60., 12., 1.},
            {30240., 15120., 3360., 420., 30., 1.},
            {17297280., 8648640., 1995840., 277200., 25200., 1512., 56., 1.},
            {17643225600., 8821612800., 2075673600., 302702400., 30270240., 2162160., 110880., 3960., 90., 1.},
            {64764752532480000., 32382376266240000., 7771770303897600., 1187353796428800., 129060195264000., 10559470521600.,
                    670442572800., 33522128640., 1323241920., 40840800., 960960., 16380., 182., 1.}};

    /** JAX's {@code _pade3} ... {@code _pade13}: (U, V) with U odd, V even in a, in JAX's order of operations. */
    private static Array[] pade(Array a, int which) {
        double[] b = PADE[which];
        DType dt = a.dtype();
        int n = a.dim(-1);
        Array ident = Np.eye(n, n, 0, dt);
        java.util.function.BiFunction<Double, Array, Array> c = (k, m) -> Np.multiply(Array.scalar(k, dt), m);
        Array a2 = Np.matmul(a, a);
        if (which == 0) {
            return new Array[]{Np.matmul(a, Np.add(c.apply(b[3], a2), c.apply(b[1], ident))), Np.add(c.apply(b[2], a2), c.apply(b[0], ident))};
        }
        Array a4 = Np.matmul(a2, a2);
        if (which == 1) {
            return new Array[]{Np.matmul(a, Np.add(Np.add(c.apply(b[5], a4), c.apply(b[3], a2)), c.apply(b[1], ident))),
                    Np.add(Np.add(c.apply(b[4], a4), c.apply(b[2], a2)), c.apply(b[0], ident))};
        }
        Array a6 = Np.matmul(a4, a2);
        if (which == 2) {
            return new Array[]{Np.matmul(a, Np.add(Np.add(Np.add(c.apply(b[7], a6), c.apply(b[5], a4)), c.apply(b[3], a2)), c.apply(b[1], ident))),
                    Np.add(Np.add(Np.add(c.apply(b[6], a6), c.apply(b[4], a4)), c.apply(b[2], a2)), c.apply(b[0], ident))};
        }
        if (which == 3) {
            Array a8 = Np.matmul(a6, a2);
            return new Array[]{Np.matmul(a, Np.add(Np.add(Np.add(Np.add(c.apply(b[9], a8), c.apply(b[7], a6)), c.apply(b[5], a4)), c.apply(b[3], a2)),
                    c.apply(b[1], ident))),
                    Np.add(Np.add(Np.add(Np.add(c.apply(b[8], a8), c.apply(b[6], a6)), c.apply(b[4], a4)), c.apply(b[2], a2)), c.apply(b[0], ident))};
        }
        Array u = Np.matmul(a, Np.add(Np.add(Np.add(Np.add(Np.matmul(a6, Np.add(Np.add(c.apply(b[13], a6), c.apply(b[11], a4)), c.apply(b[9], a2))),
                c.apply(b[7], a6)), c.apply(b[5], a4)), c.apply(b[3], a2)), c.apply(b[1], ident)));
        Array v = Np.add(Np.add(Np.add(Np.add(Np.matmul(a6, Np.add(Np.add(c.apply(b[12], a6), c.apply(b[10], a4)), c.apply(b[8], a2))),
                c.apply(b[6], a6)), c.apply(b[4], a4)), c.apply(b[2], a2)), c.apply(b[0], ident));
        return new Array[]{u, v};
    }

    // ---------------------------------------------------------------- helpers

    private static Array asFloat(String op, Array a) {
        if (a.dtype() == DType.BOOL) throw new Jax4jException("Linalg." + op + ": not defined for bool arrays, got " + a.aval().str());
        return a.dtype().isFloating() ? a : Np.astype(a, DType.F32);
    }

    private static Array square(String op, Array a) {
        if (a.ndim() < 2 || a.dim(-1) != a.dim(-2)) {
            throw new Jax4jException("Linalg." + op + ": needs square matrices in the last two axes, got " + a.aval().str());
        }
        return a;
    }

    /** (-1)^(number of rows i with pivots[i] != i), over the last axis. */
    private static Array swapSign(Array pivots, DType dtype) {
        int n = pivots.dim(-1);
        Array swaps = Np.sum(Np.notEqual(pivots, Np.broadcastTo(Np.iota(n), pivots.shape())), -1);
        Array odd = Np.equal(Np.remainder(swaps, Array.scalar(2)), Array.scalar(1));
        return Np.where(odd, Array.scalar(-1.0, dtype), Array.scalar(1.0, dtype));
    }

    private static int[] lead(Array x) { return java.util.Arrays.copyOf(x.shape(), x.ndim() - 2); }

    private static int[] withLast(int[] lead, int r, int c) {
        int[] s = java.util.Arrays.copyOf(lead, lead.length + 2);
        s[lead.length] = r;
        s[lead.length + 1] = c;
        return s;
    }
}
