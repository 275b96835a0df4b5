package io.jax4j.xla.internal;

import io.jax4j.core.Ints;
import io.jax4j.core.Jax4jException;
import io.jax4j.ir.Atom;
import io.jax4j.ir.Eqn;
import io.jax4j.ir.Var;
import io.jax4j.prims.LinearAlgebra;
import io.jax4j.prims.LinearAlgebra.DotParams;
import io.jax4j.prims.Structural;
import io.jax4j.xla.Pass;
import io.vavr.collection.Vector;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A dot_general as row-major BLAS calls: {@code batch} products C[M,N] = op(A)·op(B), with the
 * operands' transposes folded into the BLAS flags. {@link #of} returns null when the layout needs
 * a copy; {@link #canonicalise} then inserts the transposes (fused kernels) that make it fit.
 */
public record GemmSpec(long batch, int m, int n, int k, boolean transA, boolean transB, int lda, int ldb) {

    /** The BLAS view of {@code d} on operands of these shapes, or null if an operand must be copied. */
    public static GemmSpec of(DotParams d, int[] lhs, int[] rhs) {
        int nb = d.lhsBatch().size();
        if (!d.lhsBatch().equals(Ints.range(nb)) || !d.rhsBatch().equals(Ints.range(nb))) return null;
        int nc = d.lhsContracting().size();
        Integer[] order = new Integer[nc];
        for (int i = 0; i < nc; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Integer.compare(d.lhsContracting().get(a), d.lhsContracting().get(b)));
        int[] lc = new int[nc], rc = new int[nc];
        for (int i = 0; i < nc; i++) {
            lc[i] = d.lhsContracting().get(order[i]);
            rc[i] = d.rhsContracting().get(order[i]);
            if (i > 0 && rc[i] <= rc[i - 1]) return null;
        }
        int lf = lhs.length - nb - nc, rf = rhs.length - nb - nc;
        Boolean ta = layout(lc, nb, lf, lhs.length, true), tb = layout(rc, nb, rf, rhs.length, false);
        if (ta == null || tb == null) return null;
        long batch = 1;
        for (int i = 0; i < nb; i++) batch *= lhs[i];
        long k = 1;
        for (int a : lc) k *= lhs[a];
        int m = blasDim("m", prodFree(lhs, nb, lc), lhs, rhs), n = blasDim("n", prodFree(rhs, nb, rc), lhs, rhs);
        int k32 = blasDim("k", k, lhs, rhs);
        return new GemmSpec(batch, m, n, k32, ta, tb, Math.max(1, ta ? m : k32), Math.max(1, tb ? k32 : n));
    }

    /**
     * Whether the operand is stored transposed relative to BLAS's natural layout ([free, contract]
     * for the left operand, [contract, free] for the right one); null if neither layout holds.
     */
    private static Boolean layout(int[] contract, int nb, int nFree, int ndim, boolean lhs) {
        boolean contractFirst = consecutive(contract, nb), contractLast = consecutive(contract, nb + nFree);
        if (contract.length == 0 || nFree == 0) return false;
        if (lhs) return contractLast ? Boolean.FALSE : contractFirst ? Boolean.TRUE : null;
        return contractFirst ? Boolean.FALSE : contractLast ? Boolean.TRUE : null;
    }

    private static boolean consecutive(int[] axes, int from) {
        for (int i = 0; i < axes.length; i++) if (axes[i] != from + i) return false;
        return true;
    }

    /** A GEMM dimension as BLAS takes it (a 32-bit int); a product too large for it is refused at compile time, never wrapped. */
    private static int blasDim(String name, long value, int[] lhs, int[] rhs) {
        if (value <= Integer.MAX_VALUE) return (int) value;
        throw new Jax4jException("cpu backend: dot_general of " + Arrays.toString(lhs).replace(" ", "") + " and "
                + Arrays.toString(rhs).replace(" ", "") + " is a GEMM with " + name + " = " + value + ", but BLAS takes dimensions "
                + "below 2^31; split the product (e.g. over the rows of the left operand) into smaller dot_generals");
    }

    private static long prodFree(int[] shape, int nb, int[] contract) {
        long p = 1;
        for (int i = nb; i < shape.length; i++) {
            final int axis = i;
            if (Arrays.stream(contract).noneMatch(c -> c == axis)) p *= shape[i];
        }
        return p;
    }

    /** Rewrites float dot_generals whose layout BLAS cannot take into transposes + a canonical dot_general. */
    public static Pass canonicalise() {
        return j -> {
            List<Eqn> out = new ArrayList<>();
            boolean changed = false;
            for (Eqn e : j.eqns()) {
                if (e.primitive() != LinearAlgebra.DOT_GENERAL || !e.outvars().head().aval().dtype().isFloating()
                        || of((DotParams) e.params(), e.inputs().get(0).aval().dims(), e.inputs().get(1).aval().dims()) != null) {
                    out.add(e);
                    continue;
                }
                changed = true;
                DotParams d = (DotParams) e.params();
                int nb = d.lhsBatch().size(), nc = d.lhsContracting().size();
                int[] lperm = LinearAlgebraAxes.concat(d.lhsBatch().toArray(), free(e.inputs().get(0), d.lhsContracting(), d.lhsBatch()), d.lhsContracting().toArray());
                int[] rperm = LinearAlgebraAxes.concat(d.rhsBatch().toArray(), d.rhsContracting().toArray(), free(e.inputs().get(1), d.rhsContracting(), d.rhsBatch()));
                Atom l = transpose(e.inputs().get(0), lperm, out, e.sourceInfo());
                Atom r = transpose(e.inputs().get(1), rperm, out, e.sourceInfo());
                int lf = lperm.length - nb - nc;
                DotParams nd = new DotParams(Ints.of(range(nb + lf, nc)), Ints.of(range(nb, nc)), Ints.range(nb), Ints.range(nb));
                out.add(new Eqn(e.primitive(), nd, Vector.of(l, r), e.outvars(), e.sourceInfo()));
            }
            return changed ? j.withEqns(Vector.ofAll(out)) : j;
        };
    }

    /**
     * transpose(dot_general(a, b)) that moves b's free axes before a's is dot_general(b, a): the
     * product is written in the wanted layout by BLAS instead of being transposed by a kernel (a
     * weight gradient dL/dW = (x^T g) arrives as transpose(g^T x) from the dot's transpose rule).
     * Only when the transpose is the dot's single use; the dot itself then dies.
     */
    public static Pass foldOutputTranspose() {
        return j -> {
            java.util.Map<Var, Integer> uses = new java.util.HashMap<>();
            for (Eqn e : j.eqns()) for (Atom a : e.inputs()) if (a instanceof Var v) uses.merge(v, 1, Integer::sum);
            for (Atom a : j.outvars()) if (a instanceof Var v) uses.merge(v, 2, Integer::sum);
            java.util.Map<Var, Eqn> dots = new java.util.HashMap<>();
            List<Eqn> out = new ArrayList<>();
            boolean changed = false;
            for (Eqn e : j.eqns()) {
                if (e.primitive() == LinearAlgebra.DOT_GENERAL) dots.put(e.outvars().head(), e);
                Eqn swapped = e.primitive() == Structural.TRANSPOSE && e.inputs().head() instanceof Var v && dots.containsKey(v)
                        && uses.getOrDefault(v, 0) == 1 ? swappedDot(dots.get(v), e) : null;
                if (swapped == null) {
                    out.add(e);
                } else {
                    out.add(swapped);
                    changed = true;
                }
            }
            if (!changed) return j;
            return io.jax4j.xla.Passes.dce().apply(j.withEqns(Vector.ofAll(out)));
        };
    }

    /** dot_general(b, a) writing the transpose's output, or null if the permutation is not the swap. */
    private static Eqn swappedDot(Eqn dot, Eqn tr) {
        DotParams d = (DotParams) dot.params();
        int nb = d.lhsBatch().size();
        int lf = dot.inputs().get(0).aval().ndim() - nb - d.lhsContracting().size();
        int rf = dot.inputs().get(1).aval().ndim() - nb - d.rhsContracting().size();
        if (lf == 0 || rf == 0) return null;
        int[] want = LinearAlgebraAxes.concat(range(0, nb), range(nb + lf, rf), range(nb, lf));
        if (!Arrays.equals(((Structural.TransposeParams) tr.params()).permutation().toArray(), want)) return null;
        DotParams nd = new DotParams(d.rhsContracting(), d.lhsContracting(), d.rhsBatch(), d.lhsBatch());
        Eqn r = new Eqn(dot.primitive(), nd, Vector.of(dot.inputs().get(1), dot.inputs().get(0)), tr.outvars(), tr.sourceInfo());
        return r;
    }

    private static Atom transpose(Atom x, int[] perm, List<Eqn> out, String src) {
        if (Arrays.equals(perm, range(0, perm.length))) return x;
        int[] shape = new int[perm.length];
        for (int i = 0; i < perm.length; i++) shape[i] = x.aval().dim(perm[i]);
        Var v = Var.fresh(x.aval().withShape(io.jax4j.Shape.of(shape)));
        out.add(new Eqn(Structural.TRANSPOSE, new Structural.TransposeParams(Ints.of(perm)), Vector.of(x), Vector.of(v), src));
        return v;
    }

    private static int[] free(Atom x, Ints contracting, Ints batch) {
        return java.util.stream.IntStream.range(0, x.aval().ndim()).filter(i -> !contracting.contains(i) && !batch.contains(i)).toArray();
    }

    private static int[] range(int start, int len) {
        int[] r = new int[len];
        for (int i = 0; i < len; i++) r[i] = start + i;
        return r;
    }

    /** Small array helpers. */
    static final class LinearAlgebraAxes {
        static int[] concat(int[]... parts) {
            int n = 0;
            for (int[] p : parts) n += p.length;
            int[] out = new int[n];
            int k = 0;
            for (int[] p : parts) for (int v : p) out[k++] = v;
            return out;
        }
    }
}
