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
 * @param groups feature_group_count × batch_group_count (one of them is 1)
 * @param m      rows per group (result batch × result spatial)
 * @param k      columns (kernel in-features × kernel spatial)
 * @param o      all output features
 */
public record ConvSpec(int groups, long m, int k, int o) {

    public static ConvSpec of(Eqn e) {
        ConvParams p = (ConvParams) e.params();
        ShapedArray rhs = e.inputs().get(1).aval(), out = e.outvars().head().aval();
        int groups = p.featureGroupCount() * p.batchGroupCount();
        int o = rhs.dim(p.dimensionNumbers().rhsSpec().get(0));
        long m = out.size() / o;
        int k = (int) (rhs.size() / o);
        return new ConvSpec(groups, m, k, o);
    }

    /** Elements of the column matrix (all groups). */
    public long colSize() { return groups * m * k; }

    /** The C im2col kernel: col[g][row][col] gathered from the input, zero in padding and dilation holes. */
    static String im2col(Eqn e, String name, String type, int xSlot, int colSlot, Dialect d) {
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

    /** The spatial number d with spec[d + 2] == axis. */
    private static int spatialIndex(io.jax4j.core.Ints spec, int axis) {
        for (int d = 2; d < spec.size(); d++) if (spec.get(d) == axis) return d - 2;
        throw new IllegalArgumentException("axis " + axis + " is not spatial in " + spec);
    }
}
