package io.jax4j.xla.cpu;

import io.jax4j.DType;
import io.jax4j.Shape;
import io.jax4j.ShapedArray;
import io.jax4j.core.ArrayImpl;
import io.jax4j.core.Jax4jException;
import io.jax4j.core.Params;
import io.jax4j.prims.Decompositions;
import io.jax4j.spi.NativeLinalg;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * {@code lax.linalg}'s factorizations on LAPACK, as JAX's CPU backend computes them: the LAPACKE
 * entry points of the OpenBLAS library the cpu backend already loads ({@code potrf}, {@code getrf},
 * {@code geqrf} + {@code orgqr}, {@code syevd}, {@code gesdd}; {@code cblas_trsm} for the triangular
 * solve), float32 and float64, row-major, one call per matrix of a batch. Outputs follow the
 * primitives' layouts (see {@link Decompositions}): a Cholesky factor with its upper triangle zeroed
 * and all NaN where the matrix is not positive definite, 0-based LU pivots with the row permutation,
 * eigenvectors as columns with ascending eigenvalues, descending singular values; a factorization
 * that fails to converge gives NaNs, as JAX's does.
 */
public final class Lapack implements NativeLinalg {
    private static final int ROW_MAJOR = 101;
    private static final int LEFT = 141, RIGHT = 142, UPPER = 121, LOWER = 122, NO_TRANS = 111, TRANS = 112, NON_UNIT = 131, UNIT = 132;

    private final Map<String, MethodHandle> handles = new HashMap<>();
    private final SymbolLookup lib;

    /** Loaded by the service loader; declines everything (the reference runs) where OpenBLAS did not load. */
    public Lapack() { this.lib = Blas.library(); }

    @Override
    public String describe() { return lib == null ? "LAPACK unavailable (OpenBLAS did not load)" : "LAPACK (OpenBLAS's LAPACKE)"; }

    @Override
    public List<ArrayImpl> run(String primitive, Params params, List<ArrayImpl> in) {
        if (lib == null) return null;
        DType dt = in.getFirst().dtype();
        if (dt != DType.F32 && dt != DType.F64) return null;
        try {
            return switch (primitive) {
                case "cholesky" -> List.of(cholesky(in.getFirst()));
                case "triangular_solve" -> List.of(triangularSolve((Decompositions.TriangularSolveParams) params, in.get(0), in.get(1)));
                case "lu" -> lu(in.getFirst());
                case "qr" -> qr(in.getFirst(), ((Decompositions.QrParams) params).fullMatrices());
                case "eigh" -> eigh(in.getFirst());
                case "svd" -> svd(in.getFirst(), ((Decompositions.SvdParams) params).fullMatrices());
                default -> null;
            };
        } catch (Jax4jException e) {
            throw e;
        } catch (Throwable t) {
            throw new Jax4jException(primitive + ": the LAPACK call failed: " + t, t);
        }
    }

    // ---------------------------------------------------------------- calls

    private MethodHandle fn(String name, FunctionDescriptor d) {
        synchronized (handles) {
            return handles.computeIfAbsent(name, k -> Linker.nativeLinker().downcallHandle(lib.find(k).orElseThrow(
                    () -> new Jax4jException("LAPACK entry point " + k + " not found in OpenBLAS")), d));
        }
    }

    private static String p(DType dt, String name) { return "LAPACKE_" + (dt == DType.F32 ? "s" : "d") + name; }

    private static ValueLayout scalar(DType dt) { return dt == DType.F32 ? JAVA_FLOAT : JAVA_DOUBLE; }

    private static long item(DType dt) { return dt == DType.F32 ? 4 : 8; }

    private static int[] batchAndMatrix(ShapedArray a) {
        int m = a.dim(-2), n = a.dim(-1);
        long batch = a.size() / Math.max(1, (long) m * n);
        if (m * (long) n == 0) batch = 0;
        return new int[]{Math.toIntExact(batch), m, n};
    }

    private static void check(String what, int info) {
        if (info < 0) throw new Jax4jException(what + ": LAPACK rejected argument " + (-info) + " (a jax4j bug: please report it)");
    }

    private static void fillNaN(MemorySegment seg, long offset, long count, DType dt) {
        for (long i = 0; i < count; i++) {
            if (dt == DType.F32) seg.set(JAVA_FLOAT, offset + 4 * i, Float.NaN);
            else seg.set(JAVA_DOUBLE, offset + 8 * i, Double.NaN);
        }
    }

    /** One matrix of {@code src} (at batch index b, m × n) into the scratch {@code dst}. */
    private static void copyMatrix(MemorySegment src, int b, int rows, int cols, MemorySegment dst, DType dt) {
        long bytes = (long) rows * cols * item(dt);
        MemorySegment.copy(src, b * bytes, dst, 0, bytes);
    }

    // ---------------------------------------------------------------- factorizations

    private ArrayImpl cholesky(ArrayImpl a) throws Throwable {
        DType dt = a.dtype();
        int[] bmn = batchAndMatrix(a.aval());
        int n = bmn[2];
        ArrayImpl out = ArrayImpl.allocate(a.aval().strong());
        MemorySegment o = out.segment(), src = a.segment();
        MethodHandle potrf = fn(p(dt, "potrf"), FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_BYTE, JAVA_INT, ADDRESS, JAVA_INT));
        long bytes = (long) n * n * item(dt);
        for (int b = 0; b < bmn[0]; b++) {
            MemorySegment m = o.asSlice(b * bytes, bytes);
            MemorySegment.copy(src, b * bytes, m, 0, bytes);
            int info = (int) potrf.invokeExact(ROW_MAJOR, (byte) 'L', n, m, n);
            check("cholesky", info);
            if (info > 0) {
                fillNaN(m, 0, (long) n * n, dt);
                continue;
            }
            for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) setZero(m, (long) i * n + j, dt);
        }
        return out;
    }

    private static void setZero(MemorySegment m, long index, DType dt) {
        if (dt == DType.F32) m.set(JAVA_FLOAT, 4 * index, 0f);
        else m.set(JAVA_DOUBLE, 8 * index, 0.0);
    }

    private ArrayImpl triangularSolve(Decompositions.TriangularSolveParams t, ArrayImpl a, ArrayImpl bIn) throws Throwable {
        DType dt = a.dtype();
        int[] ab = batchAndMatrix(a.aval()), bb = batchAndMatrix(bIn.aval());
        int k = ab[2], m = bb[1], n = bb[2];
        ArrayImpl out = ArrayImpl.allocate(bIn.aval().strong());
        MemorySegment o = out.segment(), as = a.segment(), bs = bIn.segment();
        MemorySegment.copy(bs, 0, o, 0, o.byteSize());
        boolean f32 = dt == DType.F32;
        MethodHandle trsm = fn(f32 ? "cblas_strsm" : "cblas_dtrsm", FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, JAVA_INT, scalar(dt), ADDRESS, JAVA_INT, ADDRESS, JAVA_INT));
        long aBytes = (long) k * k * item(dt), bBytes = (long) m * n * item(dt);
        int side = t.leftSide() ? LEFT : RIGHT, uplo = t.lower() ? LOWER : UPPER, trans = t.transposeA() ? TRANS : NO_TRANS;
        int diag = t.unitDiagonal() ? UNIT : NON_UNIT;
        for (int b = 0; b < bb[0] && m > 0 && n > 0; b++) {
            MemorySegment am = as.asSlice(b * aBytes, aBytes), bm = o.asSlice(b * bBytes, bBytes);
            if (f32) trsm.invokeExact(ROW_MAJOR, side, uplo, trans, diag, m, n, 1f, am, k, bm, n);
            else trsm.invokeExact(ROW_MAJOR, side, uplo, trans, diag, m, n, 1.0, am, k, bm, n);
        }
        return out;
    }

    private List<ArrayImpl> lu(ArrayImpl a) throws Throwable {
        DType dt = a.dtype();
        int[] bmn = batchAndMatrix(a.aval());
        int n = bmn[2];
        ArrayImpl out = ArrayImpl.allocate(a.aval().strong());
        ShapedArray rows = new ShapedArray(DType.I32, Shape.of(Arrays.copyOf(a.aval().shape().dims(), a.aval().ndim() - 1)));
        long[] pivots = new long[(int) rows.size()], perm = new long[(int) rows.size()];
        MemorySegment o = out.segment(), src = a.segment();
        MemorySegment.copy(src, 0, o, 0, o.byteSize());
        MethodHandle getrf = fn(p(dt, "getrf"), FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
        long bytes = (long) n * n * item(dt);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ipiv = arena.allocate(JAVA_INT, Math.max(1, n));
            for (int b = 0; b < bmn[0]; b++) {
                int info = (int) getrf.invokeExact(ROW_MAJOR, n, n, o.asSlice(b * bytes, bytes), n, ipiv);
                check("lu", info);                             // info > 0: an exactly zero pivot, U singular; kept as JAX keeps it
                long[] p = new long[n];
                for (int i = 0; i < n; i++) p[i] = i;
                for (int i = 0; i < n; i++) {
                    int piv = ipiv.getAtIndex(JAVA_INT, i) - 1;
                    pivots[b * n + i] = piv;
                    long tmp = p[i];
                    p[i] = p[piv];
                    p[piv] = tmp;
                }
                System.arraycopy(p, 0, perm, b * n, n);
            }
        }
        return List.of(out, ArrayImpl.ofLongs(rows, pivots), ArrayImpl.ofLongs(rows, perm));
    }

    private List<ArrayImpl> qr(ArrayImpl a, boolean full) throws Throwable {
        DType dt = a.dtype();
        int[] bmn = batchAndMatrix(a.aval());
        int m = bmn[1], n = bmn[2], kmin = Math.min(m, n), k = full ? m : kmin;
        int[] lead = Arrays.copyOf(a.aval().shape().dims(), a.aval().ndim() - 2);
        ArrayImpl q = ArrayImpl.allocate(new ShapedArray(dt, Shape.of(concat(lead, m, k))));
        ArrayImpl r = ArrayImpl.allocate(new ShapedArray(dt, Shape.of(concat(lead, k, n))));
        MethodHandle geqrf = fn(p(dt, "geqrf"), FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
        MethodHandle orgqr = fn(p(dt, "orgqr"), FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
        long it = item(dt);
        MemorySegment src = a.segment(), qs = q.segment(), rs = r.segment();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment work = arena.allocate(Math.max(1, (long) m * n) * it, 8);
            MemorySegment tau = arena.allocate(Math.max(1, kmin) * it, 8);
            for (int b = 0; b < bmn[0]; b++) {
                copyMatrix(src, b, m, n, work, dt);
                check("qr", (int) geqrf.invokeExact(ROW_MAJOR, m, n, work, n, tau));
                MemorySegment rb = rs.asSlice(b * (long) k * n * it, (long) k * n * it);
                for (int i = 0; i < k; i++) {
                    for (int j = 0; j < n; j++) {
                        long from = ((long) i * n + j) * it, to = ((long) i * n + j) * it;
                        if (i < m && j >= i) MemorySegment.copy(work, from, rb, to, it);
                        else rb.asSlice(to, it).fill((byte) 0);
                    }
                }
                MemorySegment qb = qs.asSlice(b * (long) m * k * it, (long) m * k * it);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < k; j++) {
                        long to = ((long) i * k + j) * it;
                        if (j < n) MemorySegment.copy(work, ((long) i * n + j) * it, qb, to, it);
                        else qb.asSlice(to, it).fill((byte) 0);
                    }
                }
                if (m > 0 && k > 0) check("qr", (int) orgqr.invokeExact(ROW_MAJOR, m, k, kmin, qb, k, tau));
            }
        }
        return List.of(q, r);
    }

    private List<ArrayImpl> eigh(ArrayImpl a) throws Throwable {
        DType dt = a.dtype();
        int[] bmn = batchAndMatrix(a.aval());
        int n = bmn[2];
        ArrayImpl v = ArrayImpl.allocate(a.aval().strong());
        ArrayImpl w = ArrayImpl.allocate(new ShapedArray(dt, Shape.of(Arrays.copyOf(a.aval().shape().dims(), a.aval().ndim() - 1))));
        MemorySegment vs = v.segment(), ws = w.segment();
        MemorySegment.copy(a.segment(), 0, vs, 0, vs.byteSize());
        MethodHandle syevd = fn(p(dt, "syevd"), FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_BYTE, JAVA_BYTE, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
        long it = item(dt), bytes = (long) n * n * it;
        for (int b = 0; b < bmn[0]; b++) {
            MemorySegment vb = vs.asSlice(b * bytes, bytes), wb = ws.asSlice(b * n * it, n * it);
            int info = (int) syevd.invokeExact(ROW_MAJOR, (byte) 'V', (byte) 'L', n, vb, n, wb);
            check("eigh", info);
            if (info > 0) {
                fillNaN(vb, 0, (long) n * n, dt);
                fillNaN(wb, 0, n, dt);
            }
        }
        return List.of(v, w);
    }

    private List<ArrayImpl> svd(ArrayImpl a, boolean full) throws Throwable {
        DType dt = a.dtype();
        int[] bmn = batchAndMatrix(a.aval());
        int m = bmn[1], n = bmn[2], k = Math.min(m, n), uc = full ? m : k, vr = full ? n : k;
        if (k == 0) return null;                                   // nothing to factor: the reference shapes the empty (or identity) outputs
        int[] lead = Arrays.copyOf(a.aval().shape().dims(), a.aval().ndim() - 2);
        ArrayImpl s = ArrayImpl.allocate(new ShapedArray(dt, Shape.of(concat(lead, k))));
        ArrayImpl u = ArrayImpl.allocate(new ShapedArray(dt, Shape.of(concat(lead, m, uc))));
        ArrayImpl vt = ArrayImpl.allocate(new ShapedArray(dt, Shape.of(concat(lead, vr, n))));
        MethodHandle gesdd = fn(p(dt, "gesdd"), FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_BYTE, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS,
                ADDRESS, JAVA_INT, ADDRESS, JAVA_INT));
        long it = item(dt);
        MemorySegment src = a.segment(), ss = s.segment(), us = u.segment(), vts = vt.segment();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment work = arena.allocate(Math.max(1, (long) m * n) * it, 8);
            for (int b = 0; b < bmn[0]; b++) {
                copyMatrix(src, b, m, n, work, dt);
                MemorySegment sb = ss.asSlice(b * k * it, k * it), ub = us.asSlice(b * (long) m * uc * it, (long) m * uc * it);
                MemorySegment vb = vts.asSlice(b * (long) vr * n * it, (long) vr * n * it);
                int info = (int) gesdd.invokeExact(ROW_MAJOR, (byte) (full ? 'A' : 'S'), m, n, work, n, sb, ub, uc, vb, n);
                check("svd", info);
                if (info > 0) {
                    fillNaN(sb, 0, k, dt);
                    fillNaN(ub, 0, (long) m * uc, dt);
                    fillNaN(vb, 0, (long) vr * n, dt);
                }
            }
        }
        return List.of(s, u, vt);
    }

    private static int[] concat(int[] lead, int... last) {
        int[] out = Arrays.copyOf(lead, lead.length + last.length);
        System.arraycopy(last, 0, out, lead.length, last.length);
        return out;
    }

}
