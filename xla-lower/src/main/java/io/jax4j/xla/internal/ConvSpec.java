package io.jax4j.xla.internal;

import io.jax4j.ShapedArray;
import io.jax4j.core.Ints;
import io.jax4j.ir.Eqn;
import io.jax4j.prims.Convolution.ConvDimensionNumbers;
import io.jax4j.prims.Convolution.ConvParams;

import java.util.List;

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
 * transposed ({@link Method#IM2COL_TRANSPOSED}). A weight gradient gathered row by row reads the
 * input at the feature stride and ran 2.5x slower than its GEMM.
 *
 * <p>{@link Method#GEMM_THEN_GATHER}, for stride-1 convolutions with fewer output than input
 * features (an input gradient: a convolution of the output gradient with the flipped kernel):
 * the input, read in place as the matrix [positions, in-features], times the kernel as
 * [in-features, taps × out-features] gives every tap's contribution at every input position; a
 * gather kernel then sums, for each output position, the contributions of the taps that reach it.
 * Same FLOPs, but the GEMM is wide (taps × out-features) instead of thin (out-features), which
 * OpenBLAS runs ~1.8x faster, and there is no column matrix to write.
 *
 * <p>{@link Method#DIRECT}, for stride-1 NHWC/HWIO float32 convolutions with a multiple of 16 output
 * features (the CNN's forward convolutions and their input gradients): no GEMM at all. A generated
 * kernel keeps a block of output pixels × up to 64 output features in vector registers and adds
 * every tap's input value times the kernel's row of output features; on the development machine
 * it ran ~2x faster than im2col + OpenBLAS on these thin matrices (which also wrote the columns).
 * Only on AVX-512 hosts ({@link #DIRECT_KERNELS}).
 *
 * @param groups feature_group_count × batch_group_count (one of them is 1)
 * @param m      rows per group (result batch × result spatial); for GEMM_THEN_GATHER the input's positions
 * @param k      columns (kernel in-features × kernel spatial); for GEMM_THEN_GATHER the in-features
 * @param o      all output features
 * @param taps   kernel spatial positions
 * @param method how the convolution becomes a GEMM
 */
public record ConvSpec(int groups, long m, int k, int o, int taps, Method method) {

    public enum Method { IM2COL, IM2COL_TRANSPOSED, GEMM_THEN_GATHER, DIRECT, DIRECT_WEIGHTS }

    public static ConvSpec of(Eqn e) { return of(e, DIRECT_KERNELS); }

    /** How {@code e} runs; the direct (AVX-512) kernels only where {@code directKernels} allows them. */
    public static ConvSpec of(Eqn e, boolean directKernels) {
        ConvParams p = (ConvParams) e.params();
        ShapedArray lhs = e.inputs().get(0).aval(), rhs = e.inputs().get(1).aval(), out = e.outvars().head().aval();
        ConvDimensionNumbers dn = p.dimensionNumbers();
        int groups = p.featureGroupCount() * p.batchGroupCount();
        int o = rhs.dim(dn.rhsSpec().get(0));
        int in = rhs.dim(dn.rhsSpec().get(1));
        int taps = (int) (rhs.size() / ((long) o * in));
        if (directKernels && direct(e)) return new ConvSpec(1, out.size() / o, in * taps, o, taps, Method.DIRECT);
        if (directKernels && directWeights(e)) return new ConvSpec(1, out.size() / o, (int) (rhs.size() / o), o, taps, Method.DIRECT_WEIGHTS);
        if (gemmThenGather(e)) return new ConvSpec(1, lhs.size() / in, in, o, taps, Method.GEMM_THEN_GATHER);
        long m = out.size() / o;
        int k = (int) (rhs.size() / o);
        boolean transposed = innerStride(e, true) < innerStride(e, false) && m > 1 && k > 1;
        return new ConvSpec(groups, m, k, o, taps, transposed ? Method.IM2COL_TRANSPOSED : Method.IM2COL);
    }

    public boolean transposed() { return method == Method.IM2COL_TRANSPOSED; }

    /** This convolution by {@code im2col} columns in the given orientation (another conv's, when it can reuse them). */
    public ConvSpec withColumns(boolean transposed) {
        return new ConvSpec(groups, m, k, o, taps, transposed ? Method.IM2COL_TRANSPOSED : Method.IM2COL);
    }

    /**
     * What a column matrix holds, independent of which convolution gathers it: the input, and for
     * the stored matrix's row and column indices (outermost first) each index's extent, the input
     * axis it moves along and by how much; with the input's padding offsets and dilations. Two
     * convolutions with equal columns read the same matrix: a weight gradient's transposed columns
     * are its forward convolution's columns, so the gradient reuses them instead of gathering again.
     *
     * @param dims {extent, input axis, coefficient} per index: rows then columns ({@code rows} of them)
     */
    public record Columns(io.jax4j.ir.Atom input, int rows, List<List<Long>> dims, List<Long> offsets) {}

    /** The columns of {@code e} stored as IM2COL ([M, K]) or transposed ([K, M]); null with groups. */
    public static Columns columns(Eqn e, boolean transposed) {
        ConvParams p = (ConvParams) e.params();
        ConvDimensionNumbers dn = p.dimensionNumbers();
        if (p.featureGroupCount() != 1 || p.batchGroupCount() != 1) return null;
        ShapedArray rhs = e.inputs().get(1).aval(), out = e.outvars().head().aval();
        int nd = rhs.ndim();
        List<List<Long>> result = new java.util.ArrayList<>(), kernel = new java.util.ArrayList<>();
        for (int a = 0; a < nd; a++) {
            if (a == dn.outSpec().get(1)) continue;
            if (a == dn.outSpec().get(0)) result.add(List.of((long) out.dim(a), (long) dn.lhsSpec().get(0), 1L));
            else {
                int sd = spatialIndex(dn.outSpec(), a);
                result.add(List.of((long) out.dim(a), (long) dn.lhsSpec().get(sd + 2), (long) p.windowStrides().get(sd)));
            }
        }
        for (int a = 0; a < nd; a++) {
            if (a == dn.rhsSpec().get(0)) continue;
            if (a == dn.rhsSpec().get(1)) kernel.add(List.of((long) rhs.dim(a), (long) dn.lhsSpec().get(1), 1L));
            else {
                int sd = spatialIndex(dn.rhsSpec(), a);
                kernel.add(List.of((long) rhs.dim(a), (long) dn.lhsSpec().get(sd + 2), (long) p.rhsDilation().get(sd)));
            }
        }
        List<Long> offsets = new java.util.ArrayList<>();
        for (int sd = 0; sd < nd - 2; sd++) {
            offsets.add((long) dn.lhsSpec().get(sd + 2));
            offsets.add((long) p.lo(sd));
            offsets.add((long) p.lhsDilation().get(sd));
        }
        List<List<Long>> dims = new java.util.ArrayList<>(transposed ? kernel : result);
        dims.addAll(transposed ? result : kernel);
        return new Columns(e.inputs().get(0), (transposed ? kernel : result).size(), List.copyOf(dims), List.copyOf(offsets));
    }

    /**
     * Whether the direct kernels are used: their register blocks are sized for AVX-512's 32 registers of
     * 16 floats. Where the host CPU (the kernels are compiled with {@code -march=native}) lacks
     * AVX-512, GCC splits each vector and spills the blocks, and they ran 40x slower than on AVX-512
     * hardware, so convolutions take the im2col paths there. {@code -Djax4j.directConvolutions=false}
     * turns them off.
     */
    public static final boolean DIRECT_KERNELS = Boolean.parseBoolean(System.getProperty("jax4j.directConvolutions", "true"))
            && hostHasAvx512();

    private static boolean hostHasAvx512() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags")) return (" " + line + " ").contains(" avx512f ");
            }
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    /** Float32, 2-d, NHWC input and result, HWIO kernel, stride 1, no dilation, no groups, out-features a multiple of 16. */
    static boolean direct(Eqn e) {
        return directLayout(e, Ints.of(0, 3, 1, 2), Ints.of(3, 2, 0, 1), Ints.of(0, 3, 1, 2));
    }

    /**
     * The weight gradient of a {@link #direct} convolution, as JAX's transpose rule writes it: the
     * input x (NHWC, read with its features as the batch) convolved with the output gradient dy
     * (NHWC, its batch as the in-features) into the kernel's gradient (HWIO).
     */
    static boolean directWeights(Eqn e) {
        return directLayout(e, Ints.of(3, 0, 1, 2), Ints.of(3, 0, 1, 2), Ints.of(2, 3, 0, 1));
    }

    /** What both direct kernels need: AVX-512, float32, 2-d, stride 1, no dilation, no groups, these layouts, rhs axis 3 a multiple of 16. */
    private static boolean directLayout(Eqn e, Ints lhsSpec, Ints rhsSpec, Ints outSpec) {
        if (!DIRECT_KERNELS) return false;
        ConvParams p = (ConvParams) e.params();
        ConvDimensionNumbers dn = p.dimensionNumbers();
        ShapedArray lhs = e.inputs().get(0).aval(), rhs = e.inputs().get(1).aval(), out = e.outvars().head().aval();
        if (lhs.ndim() != 4 || lhs.dtype() != io.jax4j.DType.F32 || p.featureGroupCount() != 1 || p.batchGroupCount() != 1) return false;
        if (out.size() == 0 || rhs.size() == 0) return false;
        for (int d = 0; d < 2; d++) {
            if (p.windowStrides().get(d) != 1 || p.lhsDilation().get(d) != 1 || p.rhsDilation().get(d) != 1) return false;
        }
        return dn.lhsSpec().equals(lhsSpec) && dn.rhsSpec().equals(rhsSpec) && dn.outSpec().equals(outSpec) && rhs.dim(3) % 16 == 0;
    }

    /** Stride 1, no dilation of the input, no groups, features innermost in the input, fewer out- than in-features. */
    static boolean gemmThenGather(Eqn e) {
        ConvParams p = (ConvParams) e.params();
        ConvDimensionNumbers dn = p.dimensionNumbers();
        ShapedArray lhs = e.inputs().get(0).aval(), rhs = e.inputs().get(1).aval();
        if (p.featureGroupCount() != 1 || p.batchGroupCount() != 1 || lhs.size() == 0 || rhs.size() == 0) return false;
        for (int d = 0; d < lhs.ndim() - 2; d++) {
            if (p.windowStrides().get(d) != 1 || p.lhsDilation().get(d) != 1) return false;
        }
        return dn.lhsSpec().get(1) == lhs.ndim() - 1 && rhs.dim(dn.rhsSpec().get(0)) < rhs.dim(dn.rhsSpec().get(1))
                && rhs.size() / ((long) rhs.dim(dn.rhsSpec().get(0)) * rhs.dim(dn.rhsSpec().get(1))) > 1;
    }

    /** Elements of the scratch block: the column matrix, or (GEMM_THEN_GATHER) the reordered kernel and the contributions. */
    public long colSize() {
        if (method == Method.DIRECT || method == Method.DIRECT_WEIGHTS) return 1;
        return method == Method.GEMM_THEN_GATHER ? kernelSize() + m * taps * o : groups * m * k;
    }

    /** GEMM_THEN_GATHER: elements of the kernel reordered as [in-features, taps, out-features] at the start of the scratch block. */
    public long kernelSize() { return (long) k * taps * o; }

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

    /**
     * The generated kernels of a convolution: {@code name} (the im2col gather, or the kernel reorder
     * of GEMM_THEN_GATHER) and, for GEMM_THEN_GATHER, {@code name_g} (the gather of the contributions).
     */
    static String kernels(Eqn e, ConvSpec spec, String name, String type, int xSlot, int wSlot, int colSlot, int ySlot, Dialect d) {
        return switch (spec.method()) {
            case IM2COL -> im2col(e, spec, name, type, xSlot, colSlot, d);
            case IM2COL_TRANSPOSED -> im2colTransposed(e, spec, name, type, xSlot, colSlot, d);
            case GEMM_THEN_GATHER -> reorderKernel(e, spec, name, type, wSlot, colSlot, d) + "\n"
                    + gatherContributions(e, spec, name + "_g", type, colSlot, ySlot, d);
            case DIRECT -> direct(e, name, xSlot, wSlot, ySlot, d);
            case DIRECT_WEIGHTS -> directWeights(e, name, xSlot, wSlot, ySlot, d);
        };
    }

    /** Vectors of 16 floats per feature block: a divisor of the features' vectors, at most 4. */
    private static int featureVectors(int features) {
        int vc = DIRECT_FEATURES / 16;
        while ((features / 16) % vc != 0) vc--;
        return vc;
    }

    /**
     * The direct weight gradient: dw[qh][qw][i][o] = sum over n, oi, oj of x[n][qh+oi-lo][qw+oj-lo][i] *
     * dy[n][oi][oj][o]. Threads split the batch, each summing into its own copy of dw (one example's
     * x and dy, reread for every tap, stay in cache), added at the end; a register block holds a few
     * in-features times up to 64 out-features.
     */
    private static String directWeights(Eqn e, String name, int xSlot, int dySlot, int ySlot, Dialect d) {
        ConvParams p = (ConvParams) e.params();
        ShapedArray x = e.inputs().get(0).aval(), dy = e.inputs().get(1).aval(), out = e.outvars().head().aval();
        int n = x.dim(0), h = x.dim(1), w = x.dim(2), ci = x.dim(3);
        int oh = dy.dim(1), ow = dy.dim(2), co = dy.dim(3), kh = out.dim(0), kw = out.dim(1);
        int vc = featureVectors(co), blocks = co / (vc * 16);
        int maxCb = Math.max(1, DIRECT_WEIGHT_ACCUMULATORS / vc), cb = 1;
        for (int b = Math.min(maxCb, ci); b >= 1; b--) {
            if (ci % b == 0) {
                cb = b;
                break;
            }
        }
        long size = out.size();
        StringBuilder sb = new StringBuilder();
        sb.append(d.signature(name)).append(" {\n");
        sb.append("    typedef float j4_v16 __attribute__((vector_size(64)));\n");
        sb.append("    const float* restrict x = (const float*) slots[").append(xSlot).append("];\n");
        sb.append("    const float* restrict dy = (const float*) slots[").append(dySlot).append("];\n");
        sb.append("    float* restrict dw = (float*) slots[").append(ySlot).append("];\n");
        sb.append("    for (long t = 0; t < ").append(size).append("L; t++) dw[t] = 0;\n");
        String par = d.parallelFor((long) n * oh * ow * co * ci * kh * kw);
        if (!par.isEmpty()) sb.append("    #pragma omp parallel\n");
        sb.append("    {\n");
        // a thread without memory for its copy adds its blocks into dw one at a time instead
        sb.append("        float* own = (float*) __builtin_malloc(").append(size * 4).append("L);\n");
        sb.append("        float* part = own ? own : dw;\n");
        sb.append("        if (own) for (long t = 0; t < ").append(size).append("L; t++) own[t] = 0;\n");
        if (!par.isEmpty()) sb.append("        #pragma omp for schedule(static)\n");
        sb.append("        for (long b = 0; b < ").append(n).append("; b++) {\n");
        sb.append("            for (long qh = 0; qh < ").append(kh).append("; qh++) {\n");
        sb.append("            for (long qw = 0; qw < ").append(kw).append("; qw++) {\n");
        sb.append("                long oi0 = ").append(p.lo(0)).append(" - qh, oi1 = ").append(h).append(" + ").append(p.lo(0)).append(" - qh;\n");
        sb.append("                long oj0 = ").append(p.lo(1)).append(" - qw, oj1 = ").append(w).append(" + ").append(p.lo(1)).append(" - qw;\n");
        sb.append("                if (oi0 < 0) oi0 = 0;\n                if (oi1 > ").append(oh).append(") oi1 = ").append(oh).append(";\n");
        sb.append("                if (oj0 < 0) oj0 = 0;\n                if (oj1 > ").append(ow).append(") oj1 = ").append(ow).append(";\n");
        sb.append("                for (long fb = 0; fb < ").append(blocks).append("; fb++) {\n");
        sb.append("                for (long i0 = 0; i0 < ").append(ci).append("; i0 += ").append(cb).append(") {\n");
        sb.append("                    j4_v16 acc[").append(cb).append("][").append(vc).append("];\n");
        sb.append("                    for (int c = 0; c < ").append(cb).append("; c++) for (int v = 0; v < ").append(vc).append("; v++) acc[c][v] = (j4_v16) {0};\n");
        sb.append("                    for (long oi = oi0; oi < oi1; oi++) {\n");
        sb.append("                        const float* xr = x + ((b * ").append(h).append(" + qh + oi - ").append(p.lo(0)).append(") * ").append(w)
                .append(" + qw - ").append(p.lo(1)).append(") * ").append(ci).append(" + i0;\n");
        sb.append("                        const float* dr = dy + (b * ").append(oh).append(" + oi) * ").append((long) ow * co).append("L + fb * ").append(vc * 16).append(";\n");
        sb.append("                        for (long oj = oj0; oj < oj1; oj++) {\n");
        sb.append("                            j4_v16 dv[").append(vc).append("];\n");
        sb.append("                            for (int v = 0; v < ").append(vc).append("; v++) __builtin_memcpy(&dv[v], dr + oj * ").append(co).append(" + v * 16, 64);\n");
        sb.append("                            for (int c = 0; c < ").append(cb).append("; c++) {\n");
        sb.append("                                const float xv = xr[oj * ").append(ci).append(" + c];\n");
        sb.append("                                for (int v = 0; v < ").append(vc).append("; v++) acc[c][v] += xv * dv[v];\n");
        sb.append("                            }\n                        }\n                    }\n");
        sb.append("                    for (int c = 0; c < ").append(cb).append("; c++)\n");
        sb.append("                        for (int v = 0; v < ").append(vc).append("; v++) {\n");
        sb.append("                            float* dst = part + ((qh * ").append(kw).append(" + qw) * ").append(ci).append(" + i0 + c) * ").append(co)
                .append(" + fb * ").append(vc * 16).append(" + v * 16;\n");
        sb.append("                            if (own) for (int l = 0; l < 16; l++) dst[l] += acc[c][v][l];\n");
        sb.append("                            else {\n");
        if (!par.isEmpty()) sb.append("                                #pragma omp critical\n");
        sb.append("                                for (int l = 0; l < 16; l++) dst[l] += acc[c][v][l];\n");
        sb.append("                            }\n");
        sb.append("                        }\n");
        sb.append("                }\n                }\n            }\n            }\n        }\n");
        sb.append("        if (own) {\n");
        if (!par.isEmpty()) sb.append("            #pragma omp critical\n");
        sb.append("            for (long t = 0; t < ").append(size).append("L; t++) dw[t] += own[t];\n");
        sb.append("            __builtin_free(own);\n");
        sb.append("        }\n    }\n}\n");
        return sb.toString();
    }

    /** Output features per register block of the direct kernel (4 vectors of 16 floats). */
    static final int DIRECT_FEATURES = 64;
    /** Accumulator vectors a register block may hold (of the 32 AVX-512 registers; the kernel's row takes 4 more). */
    static final int DIRECT_ACCUMULATORS = 28;
    /**
     * The weight gradient's block: 8 in-features x 4 vectors ran 1.3x faster than 4 x 4 (5.96 -> 4.66
     * ms for the CNN's second layer), though its 32 accumulators and 4 row vectors exceed the registers.
     */
    static final int DIRECT_WEIGHT_ACCUMULATORS = 32;

    /**
     * The direct kernel: per output row (split across threads) and block of {@code jb} output pixels,
     * acc[jb][vc] += x[pixel + tap][ci] * w[tap][ci][block of features], over taps and in-features.
     */
    private static String direct(Eqn e, String name, int xSlot, int wSlot, int ySlot, Dialect d) {
        ConvParams p = (ConvParams) e.params();
        ShapedArray lhs = e.inputs().get(0).aval(), rhs = e.inputs().get(1).aval(), out = e.outvars().head().aval();
        int n = lhs.dim(0), h = lhs.dim(1), w = lhs.dim(2), ci = lhs.dim(3);
        int kh = rhs.dim(0), kw = rhs.dim(1), co = rhs.dim(3), oh = out.dim(1), ow = out.dim(2);
        int vc = featureVectors(co), blocks = co / (vc * 16);
        int maxJb = Math.max(1, DIRECT_ACCUMULATORS / vc), jb = Math.min(maxJb, ow);
        // a block width that divides the row wastes no lanes, unless it is much narrower
        for (int b = jb; b >= Math.max(1, (maxJb + 1) / 2); b--) {
            if (ow % b == 0) {
                jb = b;
                break;
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append(d.signature(name)).append(" {\n");
        sb.append("    typedef float j4_v16 __attribute__((vector_size(64)));\n");
        sb.append("    const float* restrict x = (const float*) slots[").append(xSlot).append("];\n");
        sb.append("    const float* restrict w = (const float*) slots[").append(wSlot).append("];\n");
        sb.append("    float* restrict y = (float*) slots[").append(ySlot).append("];\n");
        String par = d.parallelFor((long) out.size() * ci * kh * kw);
        if (!par.isEmpty()) sb.append("    ").append(par).append('\n');
        sb.append("    for (long row = 0; row < ").append((long) n * oh).append("L; row++) {\n");
        sb.append("        const long b = row / ").append(oh).append(", oi = row % ").append(oh).append(";\n");
        sb.append("        for (long cb = 0; cb < ").append(blocks).append("; cb++) {\n");
        sb.append("        for (long oj0 = 0; oj0 < ").append(ow).append("; oj0 += ").append(jb).append(") {\n");
        sb.append("            j4_v16 acc[").append(jb).append("][").append(vc).append("];\n");
        sb.append("            for (int j = 0; j < ").append(jb).append("; j++) for (int c = 0; c < ").append(vc).append("; c++) acc[j][c] = (j4_v16) {0};\n");
        sb.append("            for (long qh = 0; qh < ").append(kh).append("; qh++) {\n");
        sb.append("                const long ii = oi + qh - ").append(p.lo(0)).append(";\n");
        sb.append("                if (ii < 0 || ii >= ").append(h).append(") continue;\n");
        sb.append("                const float* xr = x + (b * ").append(h).append(" + ii) * ").append((long) w * ci).append("L;\n");
        sb.append("                for (long qw = 0; qw < ").append(kw).append("; qw++) {\n");
        sb.append("                    const float* wp = w + (qh * ").append(kw).append(" + qw) * ").append((long) ci * co).append("L + cb * ").append(vc * 16).append(";\n");
        sb.append("                    const long jj0 = oj0 + qw - ").append(p.lo(1)).append(";\n");
        sb.append("                    for (long i = 0; i < ").append(ci).append("; i++) {\n");
        sb.append("                        j4_v16 wv[").append(vc).append("];\n");
        sb.append("                        for (int c = 0; c < ").append(vc).append("; c++) __builtin_memcpy(&wv[c], wp + i * ").append(co).append(" + c * 16, 64);\n");
        sb.append("                        for (int j = 0; j < ").append(jb).append("; j++) {\n");
        sb.append("                            const long jj = jj0 + j;\n");
        sb.append("                            const float xv = jj >= 0 && jj < ").append(w).append(" ? xr[jj * ").append(ci).append(" + i] : 0.0f;\n");
        sb.append("                            for (int c = 0; c < ").append(vc).append("; c++) acc[j][c] += xv * wv[c];\n");
        sb.append("                        }\n                    }\n                }\n            }\n");
        sb.append("            for (int j = 0; j < ").append(jb).append(" && oj0 + j < ").append(ow).append("; j++)\n");
        sb.append("                for (int c = 0; c < ").append(vc).append("; c++)\n");
        sb.append("                    __builtin_memcpy(y + ((b * ").append(oh).append(" + oi) * ").append(ow).append(" + oj0 + j) * ").append(co)
                .append(" + cb * ").append(vc * 16).append(" + c * 16, &acc[j][c], 64);\n");
        sb.append("        }\n        }\n    }\n}\n");
        return sb.toString();
    }

    /** GEMM_THEN_GATHER's first kernel: wp[i][tap][o] = w[o, i, spatial...], taps over the kernel's spatial axes in its memory order. */
    private static String reorderKernel(Eqn e, ConvSpec s, String name, String type, int wSlot, int colSlot, Dialect d) {
        ConvParams p = (ConvParams) e.params();
        ConvDimensionNumbers dn = p.dimensionNumbers();
        ShapedArray rhs = e.inputs().get(1).aval();
        long[] ws = KernelBuilder.strides(rhs.dims());
        StringBuilder sb = new StringBuilder();
        sb.append(d.signature(name)).append(" {\n");
        sb.append("    const ").append(type).append("* ").append(d.restrict()).append("w = (const ").append(type).append("*) slots[").append(wSlot).append("];\n");
        sb.append("    ").append(type).append("* ").append(d.restrict()).append("wp = (").append(type).append("*) slots[").append(colSlot).append("];\n");
        sb.append("    ").append(d.independentLoop("i", s.k())).append('\n');
        sb.append("        for (long t = 0; t < ").append(s.taps()).append("; t++) {\n");
        sb.append("            long u = t;\n");
        StringBuilder offset = new StringBuilder("i * " + ws[dn.rhsSpec().get(1)] + "L");
        for (int a = rhs.ndim() - 1; a >= 0; a--) {
            if (a == dn.rhsSpec().get(0) || a == dn.rhsSpec().get(1)) continue;
            sb.append("            const long q").append(a).append(" = u % ").append(rhs.dim(a)).append(";\n");
            sb.append("            u /= ").append(rhs.dim(a)).append(";\n");
            offset.append(" + q").append(a).append(" * ").append(ws[a]).append("L");
        }
        sb.append("            for (long o = 0; o < ").append(s.o()).append("; o++) wp[(i * ").append(s.taps()).append(" + t) * ").append(s.o())
                .append(" + o] = w[").append(offset).append(" + o * ").append(ws[dn.rhsSpec().get(0)]).append("L];\n");
        sb.append("        }\n    }\n}\n");
        return sb.toString();
    }

    /**
     * GEMM_THEN_GATHER's second kernel: for each output position, the sum over the taps that land
     * inside the input of z[input position][tap][out-features] (a vector over the out-features).
     */
    private static String gatherContributions(Eqn e, ConvSpec s, String name, String type, int colSlot, int ySlot, Dialect d) {
        ConvParams p = (ConvParams) e.params();
        ConvDimensionNumbers dn = p.dimensionNumbers();
        ShapedArray lhs = e.inputs().get(0).aval(), rhs = e.inputs().get(1).aval(), out = e.outvars().head().aval();
        int nd = lhs.ndim(), ns = nd - 2;
        long[] xs = KernelBuilder.strides(lhs.dims()), ys = KernelBuilder.strides(out.dims());
        // a tap's index: the kernel's spatial axes in its memory order, innermost fastest
        long[] tapStride = new long[ns];
        long t = 1;
        for (int a = nd - 1; a >= 0; a--) {
            if (a == dn.rhsSpec().get(0) || a == dn.rhsSpec().get(1)) continue;
            int sd = spatialIndex(dn.rhsSpec(), a);
            tapStride[sd] = t;
            t *= rhs.dim(a);
        }
        long cols = (long) s.taps() * s.o();
        long rowsOut = out.size() / s.o();
        StringBuilder sb = new StringBuilder();
        sb.append(d.signature(name)).append(" {\n");
        sb.append("    const ").append(type).append("* ").append(d.restrict()).append("z = (const ").append(type).append("*) slots[").append(colSlot)
                .append("] + ").append(s.kernelSize()).append("L;\n");
        sb.append("    ").append(type).append("* ").append(d.restrict()).append("y = (").append(type).append("*) slots[").append(ySlot).append("];\n");
        String par = d.parallelFor(rowsOut * cols);
        if (!par.isEmpty()) sb.append("    ").append(par).append('\n');
        sb.append("    ").append(d.independentLoop("r", rowsOut)).append('\n');
        sb.append("        long u = r;\n");
        StringBuilder dst = new StringBuilder("0");
        for (int a = nd - 1; a >= 0; a--) {
            if (a == dn.outSpec().get(1)) continue;
            String v = a == dn.outSpec().get(0) ? "n" : "o" + spatialIndex(dn.outSpec(), a);
            sb.append("        const long ").append(v).append(" = u % ").append(out.dim(a)).append(";\n");
            sb.append("        u /= ").append(out.dim(a)).append(";\n");
            dst.append(" + ").append(v).append(" * ").append(ys[a]).append("L");
        }
        sb.append("        ").append(type).append(" acc[").append(s.o()).append("];\n");
        sb.append("        for (long c = 0; c < ").append(s.o()).append("; c++) acc[c] = 0;\n");
        // rows of z: the input's positions, i.e. its elements over the in-features (innermost)
        StringBuilder row = new StringBuilder("n * " + xs[dn.lhsSpec().get(0)] / s.k() + "L"), tap = new StringBuilder("0");
        int depth = 2;
        for (int sd = 0; sd < ns; sd++) {
            String ind = "    ".repeat(depth);
            int la = dn.lhsSpec().get(sd + 2), ra = dn.rhsSpec().get(sd + 2);
            sb.append(ind).append("for (long q").append(sd).append(" = 0; q").append(sd).append(" < ").append(rhs.dim(ra)).append("; q").append(sd).append("++) {\n");
            sb.append(ind).append("    const long p").append(sd).append(" = o").append(sd).append(" + q").append(sd).append(" * ").append(p.rhsDilation().get(sd))
                    .append(" - ").append(p.lo(sd)).append(";\n");
            sb.append(ind).append("    if (p").append(sd).append(" < 0 || p").append(sd).append(" >= ").append(lhs.dim(la)).append(") continue;\n");
            row.append(" + p").append(sd).append(" * ").append(xs[la] / s.k()).append("L");
            tap.append(" + q").append(sd).append(" * ").append(tapStride[sd]).append("L");
            depth++;
        }
        String ind = "    ".repeat(depth);
        sb.append(ind).append("const ").append(type).append("* zr = z + (").append(row).append(") * ").append(cols).append("L + (").append(tap)
                .append(") * ").append(s.o()).append("L;\n");
        sb.append(ind).append(d.simd()).append('\n');
        sb.append(ind).append("for (long c = 0; c < ").append(s.o()).append("; c++) acc[c] += zr[c];\n");
        for (int k = depth - 1; k >= 2; k--) sb.append("    ".repeat(k)).append("}\n");
        sb.append("        ").append(type).append("* dst = y + ").append(dst).append(";\n");
        sb.append("        for (long c = 0; c < ").append(s.o()).append("; c++) dst[c * ").append(ys[dn.outSpec().get(1)]).append("L] = acc[c];\n");
        sb.append("    }\n}\n");
        return sb.toString();
    }

    /** The row-by-row column matrix: col[g][row][col] gathered from the input, zero in padding and dilation holes. */
    static String im2col(Eqn e, ConvSpec s, String name, String type, int xSlot, int colSlot, Dialect d) {
        ConvParams p = (ConvParams) e.params();
        ConvDimensionNumbers dn = p.dimensionNumbers();
        ShapedArray lhs = e.inputs().get(0).aval(), rhs = e.inputs().get(1).aval(), out = e.outvars().head().aval();
        int nd = lhs.ndim(), ns = nd - 2;
        long[] xs = KernelBuilder.strides(lhs.dims());
        int fgc = p.featureGroupCount(), bgc = p.batchGroupCount();
        int inPerGroup = rhs.dim(dn.rhsSpec().get(1));
        int outBatch = out.dim(dn.outSpec().get(0));
        StringBuilder sb = gatherHeader(name, type, xSlot, colSlot, "r", s.groups(), s.m(), s.k(), d);
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
                inputPosition(sb, ind, p, sd, lhs.dim(la), xs[la], valid, offset);
            }
            depth++;
        }
        storeGathered(sb, depth, type, valid, offset);
        return sb.toString();
    }

    /**
     * The transposed gather: colT[g][kk][row], one kernel position kk per outer iteration (split
     * across threads), the result's non-feature axes in memory order inside it.
     */
    private static String im2colTransposed(Eqn e, ConvSpec s, String name, String type, int xSlot, int colSlot, Dialect d) {
        ConvParams p = (ConvParams) e.params();
        ConvDimensionNumbers dn = p.dimensionNumbers();
        ShapedArray lhs = e.inputs().get(0).aval(), rhs = e.inputs().get(1).aval(), out = e.outvars().head().aval();
        int nd = lhs.ndim();
        long[] xs = KernelBuilder.strides(lhs.dims());
        int fgc = p.featureGroupCount(), bgc = p.batchGroupCount();
        int inPerGroup = rhs.dim(dn.rhsSpec().get(1));
        int outBatch = out.dim(dn.outSpec().get(0));
        StringBuilder sb = gatherHeader(name, type, xSlot, colSlot, "c", s.groups(), s.k(), s.m(), d);
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
                inputPosition(sb, ind, p, sd, lhs.dim(la), xs[la], valid, offset);
            }
            depth++;
        }
        storeGathered(sb, depth, type, valid, offset);
        return sb.toString();
    }

    /**
     * The opening of an im2col gather: the kernel's pointers and the loop (split across threads) over
     * the {@code groups × lines} stored lines {@code v} of {@code width} elements, with the group
     * {@code g} and the index {@code t} within it.
     */
    private static StringBuilder gatherHeader(String name, String type, int xSlot, int colSlot, String v, int groups, long lines, long width,
                                              Dialect d) {
        StringBuilder sb = new StringBuilder();
        sb.append(d.signature(name)).append(" {\n");
        sb.append("    const ").append(type).append("* ").append(d.restrict()).append("x = (const ").append(type).append("*) slots[").append(xSlot).append("];\n");
        sb.append("    ").append(type).append("* ").append(d.restrict()).append("col = (").append(type).append("*) slots[").append(colSlot).append("];\n");
        long all = groups * lines;
        String par = d.parallelFor(all * width);
        if (!par.isEmpty()) sb.append("    ").append(par).append('\n');
        sb.append("    ").append(d.independentLoop(v, all)).append('\n');
        sb.append("        const long g = ").append(v).append(" / ").append(lines).append("L;\n");
        sb.append("        long t = ").append(v).append(" % ").append(lines).append("L;\n");
        return sb;
    }

    /**
     * Inside the loops over output position o{sd} and kernel tap q{sd}: the input position p{sd} they
     * read, whether it is a real element (not padding or a dilation hole), and its offset.
     */
    private static void inputPosition(StringBuilder sb, String ind, ConvParams p, int sd, int inputDim, long inputStride,
                                      StringBuilder valid, StringBuilder offset) {
        String pos = "p" + sd;
        sb.append(ind).append("    const long ").append(pos).append(" = o").append(sd).append(" * ").append(p.windowStrides().get(sd))
                .append(" + q").append(sd).append(" * ").append(p.rhsDilation().get(sd)).append(" - ").append(p.lo(sd)).append(";\n");
        int ld = p.lhsDilation().get(sd);
        sb.append(ind).append("    const int v").append(sd).append(" = ").append(pos).append(" >= 0 && ")
                .append(ld == 1 ? "" : pos + " % " + ld + " == 0 && ").append(pos).append(ld == 1 ? "" : " / " + ld)
                .append(" < ").append(inputDim).append(";\n");
        valid.append(valid.isEmpty() ? "" : " && ").append("v").append(sd);
        offset.append(" + (").append(pos).append(ld == 1 ? "" : " / " + ld).append(") * ").append(inputStride).append("L");
    }

    /** The innermost statement of an im2col gather (zero where not a real element) and the closing braces. */
    private static void storeGathered(StringBuilder sb, int depth, String type, StringBuilder valid, StringBuilder offset) {
        String ind = "    ".repeat(depth);
        String load = "xb[" + offset + "]";
        sb.append(ind).append("*dst++ = ").append(valid.isEmpty() ? load : "(" + valid + ") ? " + load + " : (" + type + ") 0").append(";\n");
        for (int k = depth - 1; k >= 1; k--) sb.append("    ".repeat(k)).append("}\n");
        sb.append("}\n");
    }

    /** The spatial number d with spec[d + 2] == axis. */
    private static int spatialIndex(io.jax4j.core.Ints spec, int axis) {
        for (int d = 2; d < spec.size(); d++) if (spec.get(d) == axis) return d - 2;
        throw new IllegalArgumentException("axis " + axis + " is not spatial in " + spec);
    }
}
