package io.jax4j.prims;

import io.jax4j.Array;
import io.jax4j.Lax;
import io.jax4j.Shape;
import io.jax4j.ShapedArray;
import io.jax4j.core.ArrayImpl;
import io.jax4j.core.Batching;
import io.jax4j.core.Ints;
import io.jax4j.core.Jax4jException;
import io.jax4j.core.Params;
import io.jax4j.core.Primitive;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * conv_general_dilated: N-d convolution with strides, explicit padding, lhs (input) and rhs
 * (kernel) dilation, arbitrary layouts and feature/batch grouping, as in
 * {@code jax/_src/lax/convolution.py}. Also the padding arithmetic {@link #padtypeToPads}.
 */
public final class Convolution {
    private Convolution() {}

    // ---------------------------------------------------------------- dimension numbers

    /**
     * JAX's ConvDimensionNumbers: for each of lhs, rhs and out, the axis of (batch, feature,
     * spatial...) resp. (out feature, in feature, spatial...), spatial axes in the kernel's order.
     */
    public record ConvDimensionNumbers(Ints lhsSpec, Ints rhsSpec, Ints outSpec) {
        /** From layout strings as in JAX, e.g. {@code of("NHWC", "HWIO", "NHWC")} or {@code of("NCHW", "OIHW", "NCHW")}. */
        public static ConvDimensionNumbers of(String lhs, String rhs, String out) {
            checkSpec(0, lhs, 'N', 'C');
            checkSpec(1, rhs, 'O', 'I');
            checkSpec(2, out, 'N', 'C');
            if (lhs.length() != rhs.length() || lhs.length() != out.length()) {
                throw new Jax4jException("conv dimension_numbers must have one length, got (" + lhs + ", " + rhs + ", " + out + ")");
            }
            if (!spatialSet(lhs, "NC").equals(spatialSet(rhs, "OI")) || !spatialSet(lhs, "NC").equals(spatialSet(out, "NC"))) {
                throw new Jax4jException("conv dimension_numbers elements must each have the same set of spatial characters, got ("
                        + lhs + ", " + rhs + ", " + out + ")");
            }
            return new ConvDimensionNumbers(perm(lhs, "NC", rhs), perm(rhs, "OI", rhs), perm(out, "NC", rhs));
        }

        /** The default of JAX's {@code dimension_numbers=None}: NC..., OI..., NC... (axes in order). */
        public static ConvDimensionNumbers identity(int ndim) {
            Ints iota = Ints.range(ndim);
            return new ConvDimensionNumbers(iota, iota, iota);
        }

        int numSpatial() { return lhsSpec.size() - 2; }

        @Override
        public String toString() {
            return "ConvDimensionNumbers(lhs_spec=" + lhsSpec + ", rhs_spec=" + rhsSpec + ", out_spec=" + outSpec + ")";
        }

        private static void checkSpec(int i, String spec, char a, char b) {
            if (spec.chars().filter(c -> c == a).count() != 1 || spec.chars().filter(c -> c == b).count() != 1) {
                throw new Jax4jException("conv dimension_numbers[" + i + "] must contain the characters '" + a + "' and '" + b
                        + "' exactly once, got " + spec);
            }
            if (spec.chars().distinct().count() != spec.length()) {
                throw new Jax4jException("conv dimension_numbers[" + i + "] cannot have duplicate characters, got " + spec);
            }
        }

        private static java.util.Set<Character> spatialSet(String spec, String pair) {
            java.util.Set<Character> s = new java.util.TreeSet<>();
            for (char c : spec.toCharArray()) if (pair.indexOf(c) < 0) s.add(c);
            return s;
        }

        /** JAX's conv_general_permutations: (index of pair[0], index of pair[1], spatial in rhs order). */
        private static Ints perm(String spec, String pair, String rhs) {
            int[] p = new int[spec.length()];
            p[0] = spec.indexOf(pair.charAt(0));
            p[1] = spec.indexOf(pair.charAt(1));
            int k = 2;
            for (char c : rhs.toCharArray()) if ("OI".indexOf(c) < 0) p[k++] = spec.indexOf(c);
            return Ints.of(p);
        }
    }

    /**
     * The params of conv_general_dilated; {@code padding} holds (lo, hi) per spatial dimension,
     * flattened: {@code (lo0, hi0, lo1, hi1, ...)}.
     */
    public record ConvParams(Ints windowStrides, Ints padding, Ints lhsDilation, Ints rhsDilation, ConvDimensionNumbers dimensionNumbers,
                             int featureGroupCount, int batchGroupCount) implements Params {
        public int lo(int d) { return padding.get(2 * d); }

        public int hi(int d) { return padding.get(2 * d + 1); }

        @Override
        public String print() {
            return "[batch_group_count=" + batchGroupCount + " dimension_numbers=" + dimensionNumbers + " feature_group_count="
                    + featureGroupCount + " lhs_dilation=" + lhsDilation + " padding=" + pairs(padding) + " precision=None"
                    + " preferred_element_type=None rhs_dilation=" + rhsDilation + " window_strides=" + windowStrides + "]";
        }
    }

    /** Python-like rendering of flattened (lo, hi) pairs: {@code ((1, 1), (0, 1))}. */
    static String pairs(Ints flat) {
        List<String> ps = new ArrayList<>();
        for (int i = 0; i < flat.size(); i += 2) ps.add("(" + flat.get(i) + ", " + flat.get(i + 1) + ")");
        return ps.size() == 1 ? "(" + ps.getFirst() + ",)" : "(" + String.join(", ", ps) + ")";
    }

    static Ints flatPads(int[][] pads) {
        int[] flat = new int[2 * pads.length];
        for (int i = 0; i < pads.length; i++) {
            if (pads[i].length != 2) throw new Jax4jException("padding entries must be (lo, hi) pairs, got " + Arrays.toString(pads[i]));
            flat[2 * i] = pads[i][0];
            flat[2 * i + 1] = pads[i][1];
        }
        return Ints.of(flat);
    }

    // ---------------------------------------------------------------- padding arithmetic

    /**
     * JAX's {@code lax.padtype_to_pads}: "VALID" is no padding; "SAME" pads so that the output has
     * ceil(in / stride) elements, the odd element of the padding going to the high side
     * ("SAME_LOWER": to the low side).
     */
    public static int[][] padtypeToPads(int[] inShape, int[] windowShape, int[] strides, String padding) {
        int[][] pads = new int[inShape.length][2];
        switch (padding.toUpperCase(java.util.Locale.ROOT)) {
            case "VALID" -> { }
            case "SAME", "SAME_LOWER" -> {
                boolean lower = padding.equalsIgnoreCase("SAME_LOWER");
                for (int i = 0; i < inShape.length; i++) {
                    int out = Math.ceilDiv(inShape[i], strides[i]);
                    int total = Math.max((out - 1) * strides[i] + windowShape[i] - inShape[i], 0);
                    int small = total / 2, big = total - small;
                    pads[i] = lower ? new int[]{big, small} : new int[]{small, big};
                }
            }
            default -> throw new Jax4jException("Unknown padding type: " + padding + " (use \"SAME\", \"SAME_LOWER\", \"VALID\" or explicit "
                    + "(lo, hi) pairs)");
        }
        return pads;
    }

    /** {@code 1 + dilation * (d - 1)}, 0 for an empty dimension (JAX's dilate_dim). */
    static int dilateDim(int d, int dilation) { return d == 0 ? 0 : 1 + dilation * (d - 1); }

    /** Window positions: {@code floor((padded - window) / stride) + 1}, 0 when the window does not fit. */
    static int strideDim(int padded, int window, int stride) { return padded < window ? 0 : (padded - window) / stride + 1; }

    // ---------------------------------------------------------------- conv_general_dilated

    /** out[n,o,y] = Σ_{i,k} lhs[n, g(o)·I + i, y·s + k·rd − lo (in lhs-dilated coordinates)] · rhs[o,i,k]; bilinear. */
    public static final Primitive CONV_GENERAL_DILATED = new Primitive("conv_general_dilated")
            .abstractEval((p, in) -> List.of(convAval((ConvParams) p, in.get(0), in.get(1))))
            .impl((p, in) -> List.of(convImpl((ConvParams) p, in.get(0), in.get(1))))
            .jvp((p, primals, tangents) -> {
                Array lhs = primals.get(0), rhs = primals.get(1);
                Array out = Lax.convGeneralDilated(lhs, rhs, (ConvParams) p);
                Array t = null;
                if (tangents.get(0) != null) t = Lax.convGeneralDilated(tangents.get(0), rhs, (ConvParams) p);
                if (tangents.get(1) != null) {
                    Array tr = Lax.convGeneralDilated(lhs, tangents.get(1), (ConvParams) p);
                    t = t == null ? tr : Lax.add(t, tr);
                }
                return new Primitive.JvpResult(List.of(out), Arrays.asList(t));
            })
            .transpose((p, ct, ops) -> {
                ConvParams cp = (ConvParams) p;
                Array g = ct.getFirst();
                if (Defs.isUndefined(ops.get(0))) {
                    return Arrays.asList(transposeLhs(g, Defs.avalOf(ops.get(0)), (Array) ops.get(1), cp), null);
                }
                return Arrays.asList(null, transposeRhs(g, (Array) ops.get(0), Defs.avalOf(ops.get(1)), cp));
            })
            .batch((p, xs, dims) -> batch((ConvParams) p, xs.get(0), xs.get(1), dims[0], dims[1]));

    static ShapedArray convAval(ConvParams p, ShapedArray lhs, ShapedArray rhs) {
        ConvDimensionNumbers dn = p.dimensionNumbers();
        String what = "conv_general_dilated(" + lhs.str() + ", " + rhs.str() + ")";
        if (lhs.ndim() != rhs.ndim() || dn.lhsSpec().size() != lhs.ndim()) {
            throw new Jax4jException(what + ": lhs and rhs must have the rank of the dimension numbers " + dn);
        }
        if (lhs.dtype() != rhs.dtype()) {
            throw new Jax4jException(what + " requires operands of one dtype (convert one with astype)");
        }
        if (!lhs.dtype().isFloating()) throw new Jax4jException(what + " requires floating-point operands");
        int n = dn.numSpatial();
        if (p.windowStrides().size() != n || p.padding().size() != 2 * n || p.lhsDilation().size() != n || p.rhsDilation().size() != n) {
            throw new Jax4jException(what + ": window_strides, padding, lhs_dilation and rhs_dilation need one entry per spatial "
                    + "dimension (" + n + ")");
        }
        int fgc = p.featureGroupCount(), bgc = p.batchGroupCount();
        if (fgc < 1 || bgc < 1) throw new Jax4jException(what + ": feature_group_count and batch_group_count must be positive");
        if (fgc > 1 && bgc > 1) throw new Jax4jException(what + ": at most one of batch_group_count and feature_group_count may be > 1");
        int lhsFeatures = lhs.dim(dn.lhsSpec().get(1)), rhsIn = rhs.dim(dn.rhsSpec().get(1)), rhsOut = rhs.dim(dn.rhsSpec().get(0));
        if (lhsFeatures % fgc != 0) {
            throw new Jax4jException(what + ": feature_group_count=" + fgc + " must divide the lhs feature dimension " + lhsFeatures);
        }
        if (lhsFeatures / fgc != rhsIn) {
            throw new Jax4jException(what + ": the lhs feature dimension (" + lhsFeatures + ") divided by feature_group_count (" + fgc
                    + ") must equal the rhs input feature dimension (" + rhsIn + "); check the dimension numbers " + dn
                    + " (e.g. NHWC inputs take HWIO kernels) or the kernel's in-feature count");
        }
        if (rhsOut % fgc != 0 || rhsOut % bgc != 0) {
            throw new Jax4jException(what + ": the rhs output feature dimension (" + rhsOut + ") must be a multiple of feature_group_count ("
                    + fgc + ") and batch_group_count (" + bgc + ")");
        }
        int lhsBatch = lhs.dim(dn.lhsSpec().get(0));
        if (lhsBatch % bgc != 0) {
            throw new Jax4jException(what + ": batch_group_count=" + bgc + " must divide the lhs batch dimension " + lhsBatch);
        }
        int[] out = new int[lhs.ndim()];
        out[dn.outSpec().get(0)] = lhsBatch / bgc;
        out[dn.outSpec().get(1)] = rhsOut;
        for (int d = 0; d < n; d++) {
            int padded = dilateDim(lhs.dim(dn.lhsSpec().get(d + 2)), p.lhsDilation().get(d)) + p.lo(d) + p.hi(d);
            if (padded < 0) throw new Jax4jException(what + ": negative padding " + pairs(p.padding()) + " is larger than the input");
            if (p.windowStrides().get(d) < 1 || p.lhsDilation().get(d) < 1 || p.rhsDilation().get(d) < 1) {
                throw new Jax4jException(what + ": strides and dilations must be positive, got " + p.print());
            }
            int window = dilateDim(rhs.dim(dn.rhsSpec().get(d + 2)), p.rhsDilation().get(d));
            out[dn.outSpec().get(d + 2)] = strideDim(padded, window, p.windowStrides().get(d));
        }
        return new ShapedArray(lhs.dtype(), Shape.of(out), lhs.weakType() && rhs.weakType());
    }

    /**
     * The reference convolution in double: lhs relaid as [N, spatial..., C], rhs as
     * [spatial..., I, O], output accumulated as [N, spatial..., O] (channels innermost).
     */
    private static ArrayImpl convImpl(ConvParams p, ArrayImpl lhs, ArrayImpl rhs) {
        ShapedArray outAval = convAval(p, lhs.aval(), rhs.aval());
        ConvDimensionNumbers dn = p.dimensionNumbers();
        int ns = dn.numSpatial();
        int[] lhsOrder = new int[ns + 2], rhsOrder = new int[ns + 2], outOrder = new int[ns + 2];
        lhsOrder[0] = dn.lhsSpec().get(0);
        lhsOrder[ns + 1] = dn.lhsSpec().get(1);
        rhsOrder[ns] = dn.rhsSpec().get(1);
        rhsOrder[ns + 1] = dn.rhsSpec().get(0);
        outOrder[0] = dn.outSpec().get(0);
        outOrder[ns + 1] = dn.outSpec().get(1);
        for (int d = 0; d < ns; d++) {
            lhsOrder[d + 1] = dn.lhsSpec().get(d + 2);
            rhsOrder[d] = dn.rhsSpec().get(d + 2);
            outOrder[d + 1] = dn.outSpec().get(d + 2);
        }
        double[] x = relayout(lhs, lhsOrder), w = relayout(rhs, rhsOrder);
        int[] inSp = new int[ns], kSp = new int[ns], outSp = new int[ns];
        for (int d = 0; d < ns; d++) {
            inSp[d] = lhs.dim(dn.lhsSpec().get(d + 2));
            kSp[d] = rhs.dim(dn.rhsSpec().get(d + 2));
            outSp[d] = outAval.dim(dn.outSpec().get(d + 2));
        }
        int fgc = p.featureGroupCount(), bgc = p.batchGroupCount();
        int c = lhs.dim(dn.lhsSpec().get(1)), inPerGroup = rhs.dim(dn.rhsSpec().get(1)), o = rhs.dim(dn.rhsSpec().get(0));
        int nOut = outAval.dim(dn.outSpec().get(0)), oPerGroup = o / (fgc * bgc);
        int inSpatial = prod(inSp), kSpatial = prod(kSp), outSpatial = prod(outSp);
        int[] taps = tapTable(p, inSp, kSp, outSp);
        double[] y = new double[nOut * outSpatial * o];
        for (int n = 0; n < nOut; n++) {
            for (int os = 0; os < outSpatial; os++) {
                int yBase = (n * outSpatial + os) * o;
                for (int ks = 0; ks < kSpatial; ks++) {
                    int is = taps[os * kSpatial + ks];
                    if (is < 0) continue;
                    for (int b = 0; b < bgc; b++) {
                        int xBase = ((b * nOut + n) * inSpatial + is) * c;
                        for (int g = 0; g < fgc; g++) {
                            int oStart = b * (o / bgc) + g * oPerGroup;
                            for (int i = 0; i < inPerGroup; i++) {
                                double v = x[xBase + g * inPerGroup + i];
                                if (v == 0) continue;
                                int wBase = (ks * inPerGroup + i) * o + oStart;
                                int yb = yBase + oStart;
                                for (int k = 0; k < oPerGroup; k++) y[yb + k] += v * w[wBase + k];
                            }
                        }
                    }
                }
            }
        }
        return ArrayImpl.ofDoubles(outAval, fromLayout(y, outAval, outOrder));
    }

    /**
     * For each (output position, kernel position) pair, the flat input spatial position it reads,
     * or -1 where it falls on padding or between dilated input elements.
     */
    private static int[] tapTable(ConvParams p, int[] inSp, int[] kSp, int[] outSp) {
        int ns = inSp.length;
        int[][] perDim = new int[ns][];
        for (int d = 0; d < ns; d++) {
            perDim[d] = Windows.axisTaps(inSp[d], kSp[d], outSp[d], p.windowStrides().get(d), p.lo(d), p.lhsDilation().get(d),
                    p.rhsDilation().get(d));
        }
        return Windows.combineTaps(perDim, inSp, kSp, outSp);
    }

    static int prod(int[] xs) {
        int r = 1;
        for (int v : xs) r *= v;
        return r;
    }

    /** The elements of x in the axis order {@code order} (row-major), as doubles. */
    static double[] relayout(ArrayImpl x, int[] order) {
        long[] strides = x.aval().shape().strides();
        int[] shape = new int[order.length];
        long[] st = new long[order.length];
        for (int i = 0; i < order.length; i++) {
            shape[i] = x.dim(order[i]);
            st[i] = strides[order[i]];
        }
        long[] offsets = io.jax4j.core.Indexing.offsets(shape, st, 0);
        double[] out = new double[offsets.length];
        for (int i = 0; i < offsets.length; i++) out[i] = x.getDouble(offsets[i]);
        return out;
    }

    /** The inverse of {@link #relayout}: data laid out in axis order {@code order} back to row-major of {@code aval}. */
    static double[] fromLayout(double[] data, ShapedArray aval, int[] order) {
        long[] strides = aval.shape().strides();
        int[] shape = new int[order.length];
        long[] st = new long[order.length];
        for (int i = 0; i < order.length; i++) {
            shape[i] = aval.dim(order[i]);
            st[i] = strides[order[i]];
        }
        long[] offsets = io.jax4j.core.Indexing.offsets(shape, st, 0);
        double[] out = new double[data.length];
        for (int i = 0; i < offsets.length; i++) out[(int) offsets[i]] = data[i];
        return out;
    }

    // ---------------------------------------------------------------- transposes (JAX's _conv_general_dilated_transpose_lhs/_rhs)

    private static Ints swap01(Ints spec) {
        int[] s = spec.toArray();
        int t = s[0];
        s[0] = s[1];
        s[1] = t;
        return Ints.of(s);
    }

    private static int[] spatial(Ints spec, int[] shape) {
        int[] r = new int[spec.size() - 2];
        for (int d = 0; d < r.length; d++) r[d] = shape[spec.get(d + 2)];
        return r;
    }

    /** JAX's _conv_general_vjp_lhs_padding. */
    static int[][] vjpLhsPadding(int[] inShape, int[] window, int[] strides, int[] outShape, Ints padding, int[] lhsDilation,
                                 int[] rhsDilation) {
        int[][] pads = new int[inShape.length][2];
        for (int d = 0; d < inShape.length; d++) {
            int lhsD = dilateDim(inShape[d], lhsDilation[d]), rhsD = dilateDim(window[d], rhsDilation[d]);
            int outD = dilateDim(outShape[d], strides[d]);
            int before = rhsD - padding.get(2 * d) - 1;
            pads[d] = new int[]{before, lhsD + rhsD - 1 - outD - before};
        }
        return pads;
    }

    /** JAX's _conv_general_vjp_rhs_padding. */
    static int[][] vjpRhsPadding(int[] inShape, int[] window, int[] strides, int[] outShape, Ints padding, int[] lhsDilation,
                                 int[] rhsDilation) {
        int[][] pads = new int[inShape.length][2];
        for (int d = 0; d < inShape.length; d++) {
            int lhsD = dilateDim(inShape[d], lhsDilation[d]), rhsD = dilateDim(window[d], rhsDilation[d]);
            int outD = dilateDim(outShape[d], strides[d]);
            int lo = padding.get(2 * d);
            pads[d] = new int[]{lo, outD - lhsD + rhsD - lo - 1};
        }
        return pads;
    }

    /** The cotangent of lhs: a conv of g with the spatially reversed kernel, in/out features swapped, lhs_dilation = strides. */
    private static Array transposeLhs(Array g, ShapedArray lhs, Array rhs, ConvParams p) {
        ConvDimensionNumbers dn = p.dimensionNumbers();
        int fgc = p.featureGroupCount(), bgc = p.batchGroupCount();
        Ints rhsSpec = dn.rhsSpec();
        int[] rhsShape = rhs.shape();
        if (fgc > 1 || bgc > 1) {
            rhs = reshapeAxisOutOf(rhsSpec.get(0), Math.max(fgc, bgc), rhs);
            rhs = reshapeAxisInto(rhsSpec.get(0), rhsSpec.get(1), rhs);
        }
        ConvDimensionNumbers trans = new ConvDimensionNumbers(dn.outSpec(), swap01(rhsSpec), dn.lhsSpec());
        int[][] pads = vjpLhsPadding(spatial(dn.lhsSpec(), lhs.dims()), spatial(rhsSpec, rhsShape), p.windowStrides().toArray(),
                spatial(dn.outSpec(), g.shape()), p.padding(), p.lhsDilation().toArray(), p.rhsDilation().toArray());
        int[] sdims = new int[rhsSpec.size() - 2];
        for (int d = 0; d < sdims.length; d++) sdims[d] = rhsSpec.get(d + 2);
        Array revd = Lax.rev(rhs, sdims);
        ConvParams tp = new ConvParams(p.lhsDilation(), flatPads(pads), p.windowStrides(), p.rhsDilation(), trans, Math.max(fgc, bgc), 1);
        Array out = Lax.convGeneralDilated(g, revd, tp);
        if (bgc > 1) {
            out = reshapeAxisOutOf(dn.lhsSpec().get(1), bgc, out);
            out = reshapeAxisInto(dn.lhsSpec().get(1), dn.lhsSpec().get(0), out);
        }
        return out;
    }

    /** The cotangent of rhs: a conv of lhs with g, batch and feature roles swapped; feature groups become batch groups. */
    private static Array transposeRhs(Array g, Array lhs, ShapedArray rhs, ConvParams p) {
        ConvDimensionNumbers dn = p.dimensionNumbers();
        int fgc = p.featureGroupCount(), bgc = p.batchGroupCount();
        if (bgc > 1) {
            fgc = bgc;
            bgc = 1;
        } else if (fgc > 1) {
            bgc = fgc;
            fgc = 1;
        }
        ConvDimensionNumbers trans = new ConvDimensionNumbers(swap01(dn.lhsSpec()), swap01(dn.outSpec()), swap01(dn.rhsSpec()));
        int[][] pads = vjpRhsPadding(spatial(dn.lhsSpec(), lhs.shape()), spatial(dn.rhsSpec(), rhs.dims()), p.windowStrides().toArray(),
                spatial(dn.outSpec(), g.shape()), p.padding(), p.lhsDilation().toArray(), p.rhsDilation().toArray());
        ConvParams tp = new ConvParams(p.rhsDilation(), flatPads(pads), p.lhsDilation(), p.windowStrides(), trans, fgc, bgc);
        return Lax.convGeneralDilated(lhs, g, tp);
    }

    // ---------------------------------------------------------------- axis reshapes (JAX's _reshape_axis_into / _out_of)

    /** Merges axis {@code src} into axis {@code dst} (numbered after src is removed), src as the major part. */
    static Array reshapeAxisInto(int src, int dst, Array x) {
        List<Integer> perm = new ArrayList<>();
        for (int i = 0; i < x.ndim(); i++) if (i != src) perm.add(i);
        perm.add(dst, src);
        Array moved = Lax.transpose(x, perm.stream().mapToInt(Integer::intValue).toArray());
        int[] shape = new int[x.ndim() - 1];
        for (int i = 0, k = 0; i < x.ndim(); i++) if (i != src) shape[k++] = x.dim(i);
        shape[dst] *= x.dim(src);
        return Lax.reshape(moved, shape);
    }

    /** Splits axis {@code src} into (size1, rest), size1 major. */
    static Array reshapeAxisOutOf(int src, int size1, Array x) {
        int[] s = x.shape();
        if (s[src] % size1 != 0) throw new IllegalStateException("axis " + src + " of " + x.aval().str() + " is not divisible by " + size1);
        int[] shape = new int[s.length + 1];
        for (int i = 0, k = 0; i < s.length; i++) {
            if (i == src) {
                shape[k++] = size1;
                shape[k++] = s[i] / size1;
            } else shape[k++] = s[i];
        }
        return Lax.reshape(x, shape);
    }

    // ---------------------------------------------------------------- batching (JAX's _conv_general_dilated_batch_rule)

    private static Primitive.BatchResult batch(ConvParams p, Array lhs, Array rhs, int lb, int rb) {
        ConvDimensionNumbers dn = p.dimensionNumbers();
        Ints lhsSpec = dn.lhsSpec(), rhsSpec = dn.rhsSpec(), outSpec = dn.outSpec();
        int fgc = p.featureGroupCount(), bgc = p.batchGroupCount();
        boolean lm = lb != Batching.NOT_MAPPED, rm = rb != Batching.NOT_MAPPED;
        if (lm && rm) {
            int size = lhs.dim(lb);
            Array newLhs;
            if (bgc > 1) {
                newLhs = reshapeAxisInto(lb, lhsSpec.get(0), lhs);
                bgc *= size;
            } else {
                newLhs = reshapeAxisInto(lb, lhsSpec.get(1), lhs);
                fgc *= size;
            }
            Array newRhs = reshapeAxisInto(rb, rhsSpec.get(0), rhs);
            Array out = Lax.convGeneralDilated(newLhs, newRhs, withGroups(p, fgc, bgc));
            return Primitive.BatchResult.single(reshapeAxisOutOf(outSpec.get(1), size, out), outSpec.get(1));
        }
        if (lm) {
            int size = lhs.dim(lb);
            Array newLhs;
            if (bgc == 1) {
                newLhs = reshapeAxisInto(lb, lhsSpec.get(0), lhs);
            } else {
                int l0 = lhsSpec.get(0);
                newLhs = reshapeAxisOutOf(l0 + (lb <= l0 ? 1 : 0), bgc, lhs);
                newLhs = reshapeAxisInto(lb + (l0 < lb ? 1 : 0), l0 + 1, newLhs);
                newLhs = reshapeAxisInto(l0, l0, newLhs);
            }
            Array out = Lax.convGeneralDilated(newLhs, rhs, p);
            return Primitive.BatchResult.single(reshapeAxisOutOf(outSpec.get(0), size, out), outSpec.get(0));
        }
        int size = rhs.dim(rb);
        if (fgc == 1 && bgc == 1) {
            Array newRhs = reshapeAxisInto(rb, rhsSpec.get(0), rhs);
            Array out = Lax.convGeneralDilated(lhs, newRhs, p);
            return Primitive.BatchResult.single(reshapeAxisOutOf(outSpec.get(1), size, out), outSpec.get(1));
        }
        int groups = fgc > 1 ? fgc : bgc;
        int r0 = rhsSpec.get(0), o1 = outSpec.get(1);
        Array newRhs = reshapeAxisOutOf(r0 + (rb <= r0 ? 1 : 0), groups, rhs);
        newRhs = reshapeAxisInto(rb + (r0 < rb ? 1 : 0), r0 + 1, newRhs);
        newRhs = reshapeAxisInto(r0, r0, newRhs);
        Array out = Lax.convGeneralDilated(lhs, newRhs, p);
        out = reshapeAxisOutOf(o1, groups, out);
        out = reshapeAxisOutOf(o1 + 1, size, out);
        out = reshapeAxisInto(o1, o1 + 1, out);
        return Primitive.BatchResult.single(out, o1);
    }

    private static ConvParams withGroups(ConvParams p, int fgc, int bgc) {
        return new ConvParams(p.windowStrides(), p.padding(), p.lhsDilation(), p.rhsDilation(), p.dimensionNumbers(), fgc, bgc);
    }
}
