package io.jax4j.xla.internal;

import io.jax4j.ShapedArray;
import io.jax4j.ir.Eqn;
import io.jax4j.prims.Convolution.ConvDimensionNumbers;
import io.jax4j.prims.Convolution.ConvParams;

/**
 * A convolution (in {@link ConvLayout}'s canonical layout) as im2col + one GEMM per group. Rows of
 * the column matrix run over the result's non-feature axes in memory order, columns over the
 * kernel's non-output axes in memory order, so the kernel is the row-major matrix [K, O] and the
 * result the row-major [M, O] with no copy: group g multiplies its [M, K] block of the column
 * matrix by the kernel's columns [g·O/G, (g+1)·O/G) into the result's same columns.
 *
 * <p>The column matrix is written in the order that reads the input contiguously: row by row (its
 * innermost loop walks the kernel's innermost axis, e.g. the in-features of a forward convolution),
 * or, when the result's innermost axis is the one adjacent in the input (a weight gradient, whose
 * "batch" is the input's features), transposed as [K, M] per group, and the GEMM reads it
 * transposed. A weight gradient gathered row by row reads the input at the feature stride and ran
 * 2.5x slower than its GEMM.
 *
 * @param groups     feature_group_count × batch_group_count (one of them is 1)
 * @param m          rows per group (result batch × result spatial)
 * @param k          columns (kernel in-features × kernel spatial)
 * @param o          all output features
 * @param transposed the column matrix is stored [K, M] per group
 */
public record ConvSpec(int groups, long m, int k, int o, boolean transposed) {

    public static ConvSpec of(Eqn e) {
        ConvParams p = (ConvParams) e.params();
        ShapedArray rhs = e.inputs().get(1).aval(), out = e.outvars().head().aval();
        int groups = p.featureGroupCount() * p.batchGroupCount();
        int o = rhs.dim(p.dimensionNumbers().rhsSpec().get(0));
        long m = out.size() / o;
        int k = (int) (rhs.size() / o);
        return new ConvSpec(groups, m, k, o, innerStride(e, true) < innerStride(e, false) && m > 1 && k > 1);
    }

    /**
     * The input stride the innermost gather loop walks: over the result's innermost non-feature
     * axis ({@code resultAxes}) or over the kernel's innermost non-output axis.
     */
    private static long innerStride(Eqn e, boolean resultAxes) {
        ConvParams p = (ConvParams) e.params();
        ConvDimensionNumbers dn = p.dimensionNumbers();
        ShapedArray lhs = e.inputs().get(0).aval();
        long[] xs = KernelBuilder.strides(lhs.dims());
        int nd = lhs.ndim();
        var spec = resultAxes ? dn.outSpec() : dn.rhsSpec();
        int skip = spec.get(resultAxes ? 1 : 0);
        int a = nd - 1;
        while (a >= 0 && a == skip) a--;
        if (a < 0) return Long.MAX_VALUE;
        if (a == spec.get(resultAxes ? 0 : 1)) return xs[dn.lhsSpec().get(resultAxes ? 0 : 1)];
        int sd = spatialIndex(spec, a);
        long step = resultAxes ? p.windowStrides().get(sd) : p.rhsDilation().get(sd);
        int ld = p.lhsDilation().get(sd);
        // through an input dilation the gather skips holes: treat as the larger stride
        return xs[dn.lhsSpec().get(sd + 2)] * Math.max(1, step / Math.max(1, ld)) * (ld > 1 ? 2 : 1);
    }

    /** Elements of the column matrix (all groups). */
    public long colSize() { return groups * m * k; }

    /** The C im2col kernel: col[g][row][col] gathered from the input, zero in padding and dilation holes. */
    static String im2col(Eqn e, String name, String type, int xSlot, int colSlot, Dialect d) {
        if (of(e).transposed()) return im2colTransposed(e, name, type, xSlot, colSlot, d);
        ConvParams p = (ConvParams) e.params();
        ConvDimensionNumbers dn = p.dimensionNumbers();
        ShapedArray lhs = e.inputs().get(0).aval(), rhs = e.inputs().get(1).aval(), out = e.outvars().head().aval();
        ConvSpec s = of(e);
        int nd = lhs.ndim(), ns = nd - 2;
        long[] xs = KernelBuilder.strides(lhs.dims());
        int fgc = p.featureGroupCount(), bgc = p.batchGroupCount();
        int inPerGroup = rhs.dim(dn.rhsSpec().get(1));
        int outBatch = out.dim(dn.outSpec().get(0));
        StringBuilder sb = new StringBuilder();
        sb.append(d.signature(name)).append(" {\n");
        sb.append("    const ").append(type).append("* ").append(d.restrict()).append("x = (const ").append(type).append("*) slots[").append(xSlot).append("];\n");
        sb.append("    ").append(type).append("* ").append(d.restrict()).append("col = (").append(type).append("*) slots[").append(colSlot).append("];\n");
        long rows = s.groups() * s.m();
        String par = d.parallelFor(rows * s.k());
        if (!par.isEmpty()) sb.append("    ").append(par).append('\n');
        sb.append("    for (long r = 0; r < ").append(rows).append("L; r++) {\n");
        sb.append("        const long g = r / ").append(s.m()).append("L;\n");
        sb.append("        long t = r % ").append(s.m()).append("L;\n");
        // the result's non-feature axes, innermost first: batch index n and spatial indices o<d>
        int outFeature = dn.outSpec().get(1);
        for (int a = nd - 1; a >= 0; a--) {
            if (a == outFeature) continue;
            String v = a == dn.outSpec().get(0) ? "n" : "o" + spatialIndex(dn.outSpec(), a);
            sb.append("        const long ").append(v).append(" = t % ").append(out.dim(a)).append(";\n");
            sb.append("        t /= ").append(out.dim(a)).append(";\n");
        }
        String batch = bgc > 1 ? "(g * " + outBatch + " + n)" : "n";
        String feature = fgc > 1 ? "g * " + inPerGroup : "0";
        sb.append("        const ").append(type).append("* xb = x + ").append(batch).append(" * ").append(xs[dn.lhsSpec().get(0)])
                .append("L + (").append(feature).append(") * ").append(xs[dn.lhsSpec().get(1)]).append("L;\n");
        sb.append("        ").append(type).append("* dst = col + r * ").append(s.k()).append("L;\n");
        // the kernel's non-output axes, outermost first: in-feature i or kernel spatial q<d>
        int rhsOut = dn.rhsSpec().get(0);
        StringBuilder valid = new StringBuilder(), offset = new StringBuilder("0");
        int depth = 2;
        for (int a = 0; a < nd; a++) {
            if (a == rhsOut) continue;
            String ind = "    ".repeat(depth);
            if (a == dn.rhsSpec().get(1)) {
                sb.append(ind).append("for (long i = 0; i < ").append(rhs.dim(a)).append("; i++) {\n");
                offset.append(" + i * ").append(xs[dn.lhsSpec().get(1)]).append("L");
            } else {
                int sd = spatialIndex(dn.rhsSpec(), a);
                int la = dn.lhsSpec().get(sd + 2);
                sb.append(ind).append("for (long q").append(sd).append(" = 0; q").append(sd).append(" < ").append(rhs.dim(a)).append("; q").append(sd).append("++) {\n");
                String pos = "p" + sd;
                sb.append(ind).append("    const long ").append(pos).append(" = o").append(sd).append(" * ").append(p.windowStrides().get(sd))
                        .append(" + q").append(sd).append(" * ").append(p.rhsDilation().get(sd)).append(" - ").append(p.lo(sd)).append(";\n");
                int ld = p.lhsDilation().get(sd);
                sb.append(ind).append("    const int v").append(sd).append(" = ").append(pos).append(" >= 0 && ")
                        .append(ld == 1 ? "" : pos + " % " + ld + " == 0 && ").append(pos).append(ld == 1 ? "" : " / " + ld)
                        .append(" < ").append(lhs.dim(la)).append(";\n");
                valid.append(valid.isEmpty() ? "" : " && ").append("v").append(sd);
                offset.append(" + (").append(pos).append(ld == 1 ? "" : " / " + ld).append(") * ").append(xs[la]).append("L");
            }
            depth++;
        }
        String ind = "    ".repeat(depth);
        String load = "xb[" + offset + "]";
        sb.append(ind).append("*dst++ = ").append(valid.isEmpty() ? load : "(" + valid + ") ? " + load + " : (" + type + ") 0").append(";\n");
        for (int k = depth - 1; k >= 1; k--) sb.append("    ".repeat(k)).append("}\n");
        sb.append("}\n");
        return sb.toString();
    }

    /**
     * The transposed gather: colT[g][kk][row], one kernel position kk per outer iteration (split
     * across threads), the result's non-feature axes in memory order inside it.
     */
    private static String im2colTransposed(Eqn e, String name, String type, int xSlot, int colSlot, Dialect d) {
        ConvParams p = (ConvParams) e.params();
        ConvDimensionNumbers dn = p.dimensionNumbers();
        ShapedArray lhs = e.inputs().get(0).aval(), rhs = e.inputs().get(1).aval(), out = e.outvars().head().aval();
        ConvSpec s = of(e);
        int nd = lhs.ndim();
        long[] xs = KernelBuilder.strides(lhs.dims());
        int fgc = p.featureGroupCount(), bgc = p.batchGroupCount();
        int inPerGroup = rhs.dim(dn.rhsSpec().get(1));
        int outBatch = out.dim(dn.outSpec().get(0));
        StringBuilder sb = new StringBuilder();
        sb.append(d.signature(name)).append(" {\n");
        sb.append("    const ").append(type).append("* ").append(d.restrict()).append("x = (const ").append(type).append("*) slots[").append(xSlot).append("];\n");
        sb.append("    ").append(type).append("* ").append(d.restrict()).append("col = (").append(type).append("*) slots[").append(colSlot).append("];\n");
        long cols = (long) s.groups() * s.k();
        String par = d.parallelFor(cols * s.m());
        if (!par.isEmpty()) sb.append("    ").append(par).append('\n');
        sb.append("    for (long c = 0; c < ").append(cols).append("L; c++) {\n");
        sb.append("        const long g = c / ").append(s.k()).append("L;\n");
        sb.append("        long t = c % ").append(s.k()).append("L;\n");
        // the kernel's non-output axes, innermost first: in-feature i and kernel spatial q<d>
        int rhsOut = dn.rhsSpec().get(0);
        for (int a = nd - 1; a >= 0; a--) {
            if (a == rhsOut) continue;
            String v = a == dn.rhsSpec().get(1) ? "i" : "q" + spatialIndex(dn.rhsSpec(), a);
            sb.append("        const long ").append(v).append(" = t % ").append(rhs.dim(a)).append(";\n");
            sb.append("        t /= ").append(rhs.dim(a)).append(";\n");
        }
        String feature = fgc > 1 ? "g * " + inPerGroup + " + i" : "i";
        sb.append("        const ").append(type).append("* xb = x + (").append(feature).append(") * ").append(xs[dn.lhsSpec().get(1)]).append("L;\n");
        sb.append("        ").append(type).append("* dst = col + c * ").append(s.m()).append("L;\n");
        // the result's non-feature axes, outermost first: batch n or spatial o<d>
        int outFeature = dn.outSpec().get(1);
        StringBuilder valid = new StringBuilder(), offset = new StringBuilder("0");
        int depth = 2;
        for (int a = 0; a < nd; a++) {
            if (a == outFeature) continue;
            String ind = "    ".repeat(depth);
            if (a == dn.outSpec().get(0)) {
                sb.append(ind).append("for (long n = 0; n < ").append(out.dim(a)).append("; n++) {\n");
                String batch = bgc > 1 ? "(g * " + outBatch + " + n)" : "n";
                offset.append(" + ").append(batch).append(" * ").append(xs[dn.lhsSpec().get(0)]).append("L");
            } else {
                int sd = spatialIndex(dn.outSpec(), a);
                int la = dn.lhsSpec().get(sd + 2);
                sb.append(ind).append("for (long o").append(sd).append(" = 0; o").append(sd).append(" < ").append(out.dim(a)).append("; o").append(sd).append("++) {\n");
                String pos = "p" + sd;
                sb.append(ind).append("    const long ").append(pos).append(" = o").append(sd).append(" * ").append(p.windowStrides().get(sd))
                        .append(" + q").append(sd).append(" * ").append(p.rhsDilation().get(sd)).append(" - ").append(p.lo(sd)).append(";\n");
                int ld = p.lhsDilation().get(sd);
                sb.append(ind).append("    const int v").append(sd).append(" = ").append(pos).append(" >= 0 && ")
                        .append(ld == 1 ? "" : pos + " % " + ld + " == 0 && ").append(pos).append(ld == 1 ? "" : " / " + ld)
                        .append(" < ").append(lhs.dim(la)).append(";\n");
                valid.append(valid.isEmpty() ? "" : " && ").append("v").append(sd);
                offset.append(" + (").append(pos).append(ld == 1 ? "" : " / " + ld).append(") * ").append(xs[la]).append("L");
            }
            depth++;
        }
        String ind = "    ".repeat(depth);
        String load = "xb[" + offset + "]";
        sb.append(ind).append("*dst++ = ").append(valid.isEmpty() ? load : "(" + valid + ") ? " + load + " : (" + type + ") 0").append(";\n");
        for (int k = depth - 1; k >= 1; k--) sb.append("    ".repeat(k)).append("}\n");
        sb.append("}\n");
        return sb.toString();
    }

    /** The spatial number d with spec[d + 2] == axis. */
    private static int spatialIndex(io.jax4j.core.Ints spec, int axis) {
        for (int d = 2; d < spec.size(); d++) if (spec.get(d) == axis) return d - 2;
        throw new IllegalArgumentException("axis " + axis + " is not spatial in " + spec);
    }
}
