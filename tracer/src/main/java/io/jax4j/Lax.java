package io.jax4j;

import io.jax4j.core.ArrayImpl;
import io.jax4j.core.Ints;
import io.jax4j.core.Jax4jException;
import io.jax4j.core.Params;
import io.jax4j.core.Primitive;
import io.jax4j.prims.Elementwise;
import io.jax4j.prims.Reductions;
import io.jax4j.prims.Structural;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code jax.lax}: thin, strict wrappers over the primitives. Binary operations take operands of one
 * shape and dtype, except that a scalar is broadcast and a weakly typed operand (a Java literal)
 * takes the other's dtype. {@link Np} adds NumPy's broadcasting and promotion on top.
 */
public final class Lax {
    private Lax() {}

    // ---------------------------------------------------------------- unary
    /** {@code lax.neg}: elementwise, on arrays of equal shape and dtype (no implicit broadcasting or promotion, as in lax). */
    public static Array neg(Array x) { return Elementwise.NEG.bind1(Params.NONE, x); }
    /** {@code lax.sign}: elementwise, on arrays of equal shape and dtype (no implicit broadcasting or promotion, as in lax). */
    public static Array sign(Array x) { return Elementwise.SIGN.bind1(Params.NONE, x); }
    /** {@code lax.floor}: elementwise, on arrays of equal shape and dtype (no implicit broadcasting or promotion, as in lax). */
    public static Array floor(Array x) { return Elementwise.FLOOR.bind1(Params.NONE, x); }
    /** {@code lax.ceil}: elementwise, on arrays of equal shape and dtype (no implicit broadcasting or promotion, as in lax). */
    public static Array ceil(Array x) { return Elementwise.CEIL.bind1(Params.NONE, x); }
    /** {@code lax.round}: elementwise, on arrays of equal shape and dtype (no implicit broadcasting or promotion, as in lax). */
    public static Array round(Array x) { return Elementwise.ROUND.bind1(Params.NONE, x); }
    /** {@code lax.is_finite}: elementwise, on arrays of equal shape and dtype (no implicit broadcasting or promotion, as in lax). */
    public static Array isFinite(Array x) { return Elementwise.IS_FINITE.bind1(Params.NONE, x); }
    /** {@code lax.bitwise_not} (logical not on bool): elementwise, on arrays of equal shape and dtype (no implicit broadcasting or promotion, as in lax). */
    public static Array not(Array x) { return Elementwise.NOT.bind1(Params.NONE, x); }
    /** {@code lax.abs}: elementwise, on arrays of equal shape and dtype (no implicit broadcasting or promotion, as in lax). */
    public static Array abs(Array x) { return Elementwise.ABS.bind1(Params.NONE, x); }
    /** {@code lax.exp}: elementwise, on arrays of equal shape and dtype (no implicit broadcasting or promotion, as in lax). */
    public static Array exp(Array x) { return Elementwise.EXP.bind1(Params.NONE, x); }
    /** {@code lax.log}: elementwise, on arrays of equal shape and dtype (no implicit broadcasting or promotion, as in lax). */
    public static Array log(Array x) { return Elementwise.LOG.bind1(Params.NONE, x); }
    /** {@code lax.expm1}: elementwise, on arrays of equal shape and dtype (no implicit broadcasting or promotion, as in lax). */
    public static Array expm1(Array x) { return Elementwise.EXPM1.bind1(Params.NONE, x); }
    /** {@code lax.log1p}: elementwise, on arrays of equal shape and dtype (no implicit broadcasting or promotion, as in lax). */
    public static Array log1p(Array x) { return Elementwise.LOG1P.bind1(Params.NONE, x); }
    /** {@code lax.tanh}: elementwise, on arrays of equal shape and dtype (no implicit broadcasting or promotion, as in lax). */
    public static Array tanh(Array x) { return Elementwise.TANH.bind1(Params.NONE, x); }
    /** {@code lax.logistic}: elementwise, on arrays of equal shape and dtype (no implicit broadcasting or promotion, as in lax). */
    public static Array logistic(Array x) { return Elementwise.LOGISTIC.bind1(Params.NONE, x); }
    /** {@code lax.sin}: elementwise, on arrays of equal shape and dtype (no implicit broadcasting or promotion, as in lax). */
    public static Array sin(Array x) { return Elementwise.SIN.bind1(Params.NONE, x); }
    /** {@code lax.cos}: elementwise, on arrays of equal shape and dtype (no implicit broadcasting or promotion, as in lax). */
    public static Array cos(Array x) { return Elementwise.COS.bind1(Params.NONE, x); }
    /** {@code lax.sqrt}: elementwise, on arrays of equal shape and dtype (no implicit broadcasting or promotion, as in lax). */
    public static Array sqrt(Array x) { return Elementwise.SQRT.bind1(Params.NONE, x); }
    /** {@code lax.rsqrt}: elementwise, on arrays of equal shape and dtype (no implicit broadcasting or promotion, as in lax). */
    public static Array rsqrt(Array x) { return Elementwise.RSQRT.bind1(Params.NONE, x); }
    /** {@code lax.erf}: elementwise, on arrays of equal shape and dtype (no implicit broadcasting or promotion, as in lax). */
    public static Array erf(Array x) { return Elementwise.ERF.bind1(Params.NONE, x); }
    /** {@code lax.square}: elementwise, on arrays of equal shape and dtype (no implicit broadcasting or promotion, as in lax). */
    public static Array square(Array x) { return Elementwise.SQUARE.bind1(Params.NONE, x); }
    /** The value with a zero derivative (no effect outside differentiation). */
    public static Array stopGradient(Array x) { return Elementwise.STOP_GRADIENT.bind1(Params.NONE, x); }

    // ---------------------------------------------------------------- binary
    /** {@code lax.add}: elementwise, on arrays of equal shape and dtype (no implicit broadcasting or promotion, as in lax). */
    public static Array add(Array x, Array y) { return binary(Elementwise.ADD, x, y); }
    /** {@code lax.sub}: elementwise, on arrays of equal shape and dtype (no implicit broadcasting or promotion, as in lax). */
    public static Array sub(Array x, Array y) { return binary(Elementwise.SUB, x, y); }
    /** {@code lax.mul}: elementwise, on arrays of equal shape and dtype (no implicit broadcasting or promotion, as in lax). */
    public static Array mul(Array x, Array y) { return binary(Elementwise.MUL, x, y); }
    /** {@code lax.div}: elementwise, on arrays of equal shape and dtype (no implicit broadcasting or promotion, as in lax). */
    public static Array div(Array x, Array y) { return binary(Elementwise.DIV, x, y); }
    /** {@code lax.rem}: elementwise, on arrays of equal shape and dtype (no implicit broadcasting or promotion, as in lax). */
    public static Array rem(Array x, Array y) { return binary(Elementwise.REM, x, y); }
    /** {@code lax.max}: elementwise, on arrays of equal shape and dtype (no implicit broadcasting or promotion, as in lax). */
    public static Array max(Array x, Array y) { return binary(Elementwise.MAX, x, y); }
    /** {@code lax.min}: elementwise, on arrays of equal shape and dtype (no implicit broadcasting or promotion, as in lax). */
    public static Array min(Array x, Array y) { return binary(Elementwise.MIN, x, y); }
    /** {@code lax.pow}: elementwise, on arrays of equal shape and dtype (no implicit broadcasting or promotion, as in lax). */
    public static Array pow(Array x, Array y) { return binary(Elementwise.POW, x, y); }
    /** {@code lax.atan2}: elementwise, on arrays of equal shape and dtype (no implicit broadcasting or promotion, as in lax). */
    public static Array atan2(Array x, Array y) { return binary(Elementwise.ATAN2, x, y); }
    /** {@code lax.bitwise_and}: elementwise, on arrays of equal shape and dtype (no implicit broadcasting or promotion, as in lax). */
    public static Array bitwiseAnd(Array x, Array y) { return binary(Elementwise.AND, x, y); }
    /** {@code lax.bitwise_or}: elementwise, on arrays of equal shape and dtype (no implicit broadcasting or promotion, as in lax). */
    public static Array bitwiseOr(Array x, Array y) { return binary(Elementwise.OR, x, y); }
    /** {@code lax.bitwise_xor}: elementwise, on arrays of equal shape and dtype (no implicit broadcasting or promotion, as in lax). */
    public static Array bitwiseXor(Array x, Array y) { return binary(Elementwise.XOR, x, y); }
    /** {@code lax.shift_left}: elementwise, on arrays of equal shape and dtype (no implicit broadcasting or promotion, as in lax). */
    public static Array shiftLeft(Array x, Array y) { return binary(Elementwise.SHIFT_LEFT, x, y); }
    /** {@code lax.shift_right_logical}: elementwise, on arrays of equal shape and dtype (no implicit broadcasting or promotion, as in lax). */
    public static Array shiftRightLogical(Array x, Array y) { return binary(Elementwise.SHIFT_RIGHT_LOGICAL, x, y); }
    /** {@code lax.shift_right_arithmetic}: elementwise, on arrays of equal shape and dtype (no implicit broadcasting or promotion, as in lax). */
    public static Array shiftRightArithmetic(Array x, Array y) { return binary(Elementwise.SHIFT_RIGHT_ARITHMETIC, x, y); }
    /** {@code lax.eq}: elementwise, on arrays of equal shape and dtype (no implicit broadcasting or promotion, as in lax). */
    public static Array eq(Array x, Array y) { return binary(Elementwise.EQ, x, y); }
    /** {@code lax.ne}: elementwise, on arrays of equal shape and dtype (no implicit broadcasting or promotion, as in lax). */
    public static Array ne(Array x, Array y) { return binary(Elementwise.NE, x, y); }
    /** {@code lax.lt}: elementwise, on arrays of equal shape and dtype (no implicit broadcasting or promotion, as in lax). */
    public static Array lt(Array x, Array y) { return binary(Elementwise.LT, x, y); }
    /** {@code lax.le}: elementwise, on arrays of equal shape and dtype (no implicit broadcasting or promotion, as in lax). */
    public static Array le(Array x, Array y) { return binary(Elementwise.LE, x, y); }
    /** {@code lax.gt}: elementwise, on arrays of equal shape and dtype (no implicit broadcasting or promotion, as in lax). */
    public static Array gt(Array x, Array y) { return binary(Elementwise.GT, x, y); }
    /** {@code lax.ge}: elementwise, on arrays of equal shape and dtype (no implicit broadcasting or promotion, as in lax). */
    public static Array ge(Array x, Array y) { return binary(Elementwise.GE, x, y); }

    /** {@code x + c} for a Java scalar, in x's dtype. */
    public static Array addScalar(Array x, double c) { return add(x, scalarLike(x, c)); }
    /** {@code x - c} with {@code c} a scalar of x's dtype (a jax4j shorthand for {@code lax.sub} with a constant). */
    public static Array subScalar(Array x, double c) { return sub(x, scalarLike(x, c)); }
    /** {@code c - x}. */
    public static Array rsubScalar(double c, Array x) { return sub(scalarLike(x, c), x); }
    /** {@code x * c} with {@code c} a scalar of x's dtype (a jax4j shorthand for {@code lax.mul} with a constant). */
    public static Array mulScalar(Array x, double c) { return mul(x, scalarLike(x, c)); }

    /** A concrete scalar of x's dtype and weak type (broadcast by elementwise primitives). */
    public static Array scalarLike(Array x, double value) {
        return ArrayImpl.ofDoubles(new ShapedArray(x.dtype(), Shape.scalar(), x.aval().weakType()), new double[]{value});
    }

    private static Array binary(Primitive p, Array x, Array y) {
        ShapedArray a = x.aval(), b = y.aval();
        if (a.dtype() != b.dtype()) {
            if (b.weakType() && !a.weakType()) y = convertElementType(y, a.dtype(), false);
            else if (a.weakType() && !b.weakType()) x = convertElementType(x, b.dtype(), false);
            else throw new Jax4jException("lax." + p.name() + " requires arguments of one dtype, got " + a.str() + " and " + b.str()
                    + " (Np." + p.name() + " promotes; or convert one with astype)");
        }
        if (!x.aval().shape().equals(y.aval().shape()) && x.ndim() > 0 && y.ndim() > 0) {
            throw new Jax4jException("lax." + p.name() + " requires arguments of one shape, got " + a.str() + " and " + b.str()
                    + " (Np." + p.name() + " broadcasts)");
        }
        return p.bind1(Params.NONE, x, y);
    }

    // ---------------------------------------------------------------- selection and conversion
    /** {@code which ? onTrue : onFalse} elementwise; a scalar {@code which} is broadcast. */
    public static Array select(Array which, Array onTrue, Array onFalse) {
        return selectN(which, List.of(onFalse, onTrue));
    }

    /** {@code cases[which]} elementwise (JAX's select_n). */
    public static Array selectN(Array which, List<Array> cases) {
        if (which.ndim() == 0 && cases.getFirst().ndim() > 0) which = broadcastInDim(which, cases.getFirst().shape(), new int[0]);
        List<Array> in = new ArrayList<>(cases.size() + 1);
        in.add(which);
        in.addAll(cases);
        return Structural.SELECT_N.bind(Params.NONE, in).getFirst();
    }

    /** {@code lax.convert_element_type}. */
    public static Array convertElementType(Array x, DType dtype) { return convertElementType(x, dtype, false); }

    /** {@code lax.convert_element_type}. */
    public static Array convertElementType(Array x, DType dtype, boolean weakType) {
        if (x.dtype() == dtype && x.aval().weakType() == weakType) return x;
        var params = new Structural.ConvertParams(dtype, weakType);
        if (x instanceof ArrayImpl c && c.ndim() == 0) {
            // a concrete scalar (a Java literal) is converted now, as JAX converts Python scalars with numpy
            return io.jax4j.core.EvalTrace.INSTANCE.process(Structural.CONVERT_ELEMENT_TYPE, params, List.of(x)).getFirst();
        }
        return Structural.CONVERT_ELEMENT_TYPE.bind1(params, x);
    }

    // ---------------------------------------------------------------- shapes
    /** {@code lax.broadcast_in_dim}. */
    public static Array broadcastInDim(Array x, int[] shape, int[] broadcastDimensions) {
        if (x.ndim() == shape.length && java.util.Arrays.equals(x.shape(), shape)) return x;
        return Structural.BROADCAST_IN_DIM.bind1(new Structural.BroadcastParams(Ints.of(shape), Ints.of(broadcastDimensions)), x);
    }

    /** {@code lax.reshape}. */
    public static Array reshape(Array x, int... newSizes) {
        if (java.util.Arrays.equals(x.shape(), newSizes)) return x;
        return Structural.RESHAPE.bind1(new Structural.ReshapeParams(Ints.of(newSizes)), x);
    }

    /** {@code lax.transpose}. */
    public static Array transpose(Array x, int... permutation) {
        boolean identity = true;
        for (int i = 0; i < permutation.length; i++) identity &= permutation[i] == i;
        if (identity && permutation.length == x.ndim()) return x;
        return Structural.TRANSPOSE.bind1(new Structural.TransposeParams(Ints.of(permutation)), x);
    }

    // ---------------------------------------------------------------- reductions
    /** {@code lax.reduce_sum}. */
    public static Array reduceSum(Array x, int... axes) { return reduce(Reductions.REDUCE_SUM, x, axes); }
    /** {@code lax.reduce_max}. */
    public static Array reduceMax(Array x, int... axes) { return reduce(Reductions.REDUCE_MAX, x, axes); }
    /** {@code lax.reduce_min}. */
    public static Array reduceMin(Array x, int... axes) { return reduce(Reductions.REDUCE_MIN, x, axes); }

    private static Array reduce(Primitive p, Array x, int[] axes) {
        if (axes.length == 0) return x;
        int[] sorted = axes.clone();
        java.util.Arrays.sort(sorted);
        return p.bind1(new Reductions.AxesParams(Ints.of(sorted)), x);
    }

    /** {@code lax.argmax}. */
    public static Array argmax(Array x, int axis, DType indexDtype) {
        return Reductions.ARGMAX.bind1(new Reductions.ArgParams(Ints.of(axis), indexDtype), x);
    }

    /** {@code lax.argmin}. */
    public static Array argmin(Array x, int axis, DType indexDtype) {
        return Reductions.ARGMIN.bind1(new Reductions.ArgParams(Ints.of(axis), indexDtype), x);
    }

    // ---------------------------------------------------------------- constants
    /** A zero array with x's aval (concrete: a constant folded into jaxprs as a broadcast literal). */
    public static Array zerosLike(Array x) { return fullLike(x, 0); }

    /** An array of {@code value} with x's shape and dtype (weak type kept). */
    public static Array fullLike(Array x, double value) {
        ShapedArray aval = x.aval();
        ArrayImpl scalar = ArrayImpl.ofDoubles(new ShapedArray(aval.dtype(), Shape.scalar(), aval.weakType()), new double[]{value});
        return aval.ndim() == 0 ? scalar : broadcastInDim(scalar, aval.dims(), new int[0]);
    }

    /** A scalar of {@code value} in {@code dtype}. */
    public static Array scalar(double value, DType dtype) {
        return ArrayImpl.ofDoubles(new ShapedArray(dtype, Shape.scalar()), new double[]{value});
    }

    // ---- section: linear algebra and convolutions (dot_general, conv_general_dilated, reduce_window)
    /** {@code lax.dot_general} with ((lhs_contracting, rhs_contracting), (lhs_batch, rhs_batch)). */
    public static Array dotGeneral(Array x, Array y, io.jax4j.prims.LinearAlgebra.DotParams dims) {
        return io.jax4j.prims.LinearAlgebra.DOT_GENERAL.bind1(dims, x, y);
    }

    /** {@code lax.dot_general}. */
    public static Array dotGeneral(Array x, Array y, int[] lhsContracting, int[] rhsContracting, int[] lhsBatch, int[] rhsBatch) {
        return dotGeneral(x, y, new io.jax4j.prims.LinearAlgebra.DotParams(Ints.of(lhsContracting), Ints.of(rhsContracting),
                Ints.of(lhsBatch), Ints.of(rhsBatch)));
    }

    /**
     * {@code lax.conv_general_dilated} with padding "SAME" / "VALID" (computed as
     * {@code lax.padtype_to_pads} on the rhs-dilated window); null dilations mean 1, null
     * dimension numbers mean NC.../OI.../NC....
     */
    public static Array convGeneralDilated(Array lhs, Array rhs, int[] windowStrides, String padding, int[] lhsDilation, int[] rhsDilation,
                                           io.jax4j.prims.Convolution.ConvDimensionNumbers dimensionNumbers, int featureGroupCount) {
        var dn = dimensionNumbers != null ? dimensionNumbers : io.jax4j.prims.Convolution.ConvDimensionNumbers.identity(lhs.ndim());
        if (lhs.ndim() != rhs.ndim() || dn.lhsSpec().size() != lhs.ndim()) {
            throw new Jax4jException("conv_general_dilated(" + lhs.aval().str() + ", " + rhs.aval().str()
                    + "): lhs and rhs must have the rank of the dimension numbers " + dn);
        }
        int ns = lhs.ndim() - 2;
        int[] rd = rhsDilation != null ? rhsDilation : ones(ns);
        int[] strides = windowStrides != null ? windowStrides : ones(ns);
        if (rd.length != ns || strides.length != ns) {
            throw new Jax4jException("conv_general_dilated(" + lhs.aval().str() + ", " + rhs.aval().str() + "): window_strides "
                    + java.util.Arrays.toString(strides) + " and rhs_dilation " + java.util.Arrays.toString(rd) + " need one entry per spatial "
                    + "dimension (" + ns + ")");
        }
        int[] in = new int[ns], window = new int[ns];
        for (int d = 0; d < ns; d++) {
            in[d] = lhs.dim(dn.lhsSpec().get(d + 2));
            window[d] = 1 + rd[d] * (rhs.dim(dn.rhsSpec().get(d + 2)) - 1);
        }
        return convGeneralDilated(lhs, rhs, strides, io.jax4j.prims.Convolution.padtypeToPads(in, window, strides, padding), lhsDilation, rd, dn,
                featureGroupCount, 1);
    }

    /** {@code lax.conv_general_dilated} with explicit (lo, hi) padding per spatial dimension. */
    public static Array convGeneralDilated(Array lhs, Array rhs, int[] windowStrides, int[][] padding, int[] lhsDilation, int[] rhsDilation,
                                           io.jax4j.prims.Convolution.ConvDimensionNumbers dimensionNumbers, int featureGroupCount) {
        return convGeneralDilated(lhs, rhs, windowStrides, padding, lhsDilation, rhsDilation, dimensionNumbers, featureGroupCount, 1);
    }

    /** {@code lax.conv_general_dilated} with explicit padding pairs per spatial axis and dilations (JAX's full signature). */
    public static Array convGeneralDilated(Array lhs, Array rhs, int[] windowStrides, int[][] padding, int[] lhsDilation, int[] rhsDilation,
                                           io.jax4j.prims.Convolution.ConvDimensionNumbers dimensionNumbers, int featureGroupCount, int batchGroupCount) {
        var dn = dimensionNumbers != null ? dimensionNumbers : io.jax4j.prims.Convolution.ConvDimensionNumbers.identity(lhs.ndim());
        int ns = lhs.ndim() - 2;
        if (padding.length != ns) {
            throw new Jax4jException("conv_general_dilated: padding needs one (lo, hi) pair per spatial dimension (" + ns + "), got "
                    + padding.length);
        }
        return convGeneralDilated(lhs, rhs, new io.jax4j.prims.Convolution.ConvParams(Ints.of(windowStrides != null ? windowStrides : ones(ns)),
                flatPairs(padding), Ints.of(lhsDilation != null ? lhsDilation : ones(ns)), Ints.of(rhsDilation != null ? rhsDilation : ones(ns)),
                dn, featureGroupCount, batchGroupCount));
    }

    /** {@code lax.conv_general_dilated}. */
    public static Array convGeneralDilated(Array lhs, Array rhs, io.jax4j.prims.Convolution.ConvParams params) {
        return io.jax4j.prims.Convolution.CONV_GENERAL_DILATED.bind1(params, lhs, rhs);
    }

    /** {@code lax.conv}: NCHW / OIHW, no dilation, no groups. */
    public static Array conv(Array lhs, Array rhs, int[] windowStrides, String padding) {
        return convGeneralDilated(lhs, rhs, windowStrides, padding, null, null, null, 1);
    }

    /** {@code lax.reduce_window} with add: sums over windows ("SAME" / "VALID" as {@code padtype_to_pads}). */
    public static Array reduceWindowSum(Array x, int[] windowDimensions, int[] windowStrides, String padding) {
        return reduceWindowSum(x, windowDimensions, windowStrides, windowPads(x, windowDimensions, windowStrides, padding), null, null);
    }

    /** {@code lax.reduce_window_sum} with explicit padding pairs per spatial axis and dilations (JAX's full signature). */
    public static Array reduceWindowSum(Array x, int[] windowDimensions, int[] windowStrides, int[][] padding, int[] baseDilation,
                                        int[] windowDilation) {
        return io.jax4j.prims.Windows.REDUCE_WINDOW_SUM.bind1(windowParams(x, windowDimensions, windowStrides, padding, baseDilation, windowDilation), x);
    }

    /** {@code lax.reduce_window} with max (padding holds −inf). */
    public static Array reduceWindowMax(Array x, int[] windowDimensions, int[] windowStrides, String padding) {
        return reduceWindowMax(x, windowDimensions, windowStrides, windowPads(x, windowDimensions, windowStrides, padding), null, null);
    }

    /** {@code lax.reduce_window_max} with explicit padding pairs per spatial axis and dilations (JAX's full signature). */
    public static Array reduceWindowMax(Array x, int[] windowDimensions, int[] windowStrides, int[][] padding, int[] baseDilation,
                                        int[] windowDilation) {
        return io.jax4j.prims.Windows.REDUCE_WINDOW_MAX.bind1(windowParams(x, windowDimensions, windowStrides, padding, baseDilation, windowDilation), x);
    }

    /** {@code lax.reduce_window} with min (padding holds +inf). */
    public static Array reduceWindowMin(Array x, int[] windowDimensions, int[] windowStrides, String padding) {
        return reduceWindowMin(x, windowDimensions, windowStrides, windowPads(x, windowDimensions, windowStrides, padding), null, null);
    }

    /** {@code lax.reduce_window_min} with explicit padding pairs per spatial axis and dilations (JAX's full signature). */
    public static Array reduceWindowMin(Array x, int[] windowDimensions, int[] windowStrides, int[][] padding, int[] baseDilation,
                                        int[] windowDilation) {
        return io.jax4j.prims.Windows.REDUCE_WINDOW_MIN.bind1(windowParams(x, windowDimensions, windowStrides, padding, baseDilation, windowDilation), x);
    }

    private static int[][] windowPads(Array x, int[] windowDimensions, int[] windowStrides, String padding) {
        int[] strides = windowStrides != null ? windowStrides : ones(x.ndim());
        if (windowDimensions.length != x.ndim() || strides.length != x.ndim()) {
            throw new Jax4jException("reduce_window: window_dimensions " + java.util.Arrays.toString(windowDimensions) + " and strides "
                    + java.util.Arrays.toString(strides) + " need one entry per axis of " + x.aval().str());
        }
        return io.jax4j.prims.Convolution.padtypeToPads(x.shape(), windowDimensions, strides, padding);
    }

    private static io.jax4j.prims.Windows.WindowParams windowParams(Array x, int[] window, int[] strides, int[][] padding, int[] baseDilation,
                                                     int[] windowDilation) {
        int n = window.length;
        return new io.jax4j.prims.Windows.WindowParams(Ints.of(window), Ints.of(strides != null ? strides : ones(n)),
                flatPairs(padding != null ? padding : new int[n][2]), Ints.of(baseDilation != null ? baseDilation : ones(n)),
                Ints.of(windowDilation != null ? windowDilation : ones(n)));
    }

    private static Ints flatPairs(int[][] pairs) {
        int[] flat = new int[2 * pairs.length];
        for (int i = 0; i < pairs.length; i++) {
            if (pairs[i].length != 2) throw new Jax4jException("padding entries must be (lo, hi) pairs, got " + java.util.Arrays.toString(pairs[i]));
            flat[2 * i] = pairs[i][0];
            flat[2 * i + 1] = pairs[i][1];
        }
        return Ints.of(flat);
    }

    private static int[] ones(int n) {
        int[] r = new int[n];
        java.util.Arrays.fill(r, 1);
        return r;
    }

    // ---- section: indexing and movement (slice, pad, concatenate, rev, gather, scatter, iota, cumsum, sort)
    /** {@code x[start:limit]} per axis (unit strides). */
    public static Array slice(Array x, int[] startIndices, int[] limitIndices) {
        int[] ones = new int[startIndices.length];
        java.util.Arrays.fill(ones, 1);
        return slice(x, startIndices, limitIndices, ones);
    }

    /**
     * {@code lax.slice}: {@code x[start:limit:stride]} per axis, all static, {@code 0 <= start <= limit <= dim}.
     * {@code strides} null is JAX's {@code strides=None}: 1 on every axis.
     */
    public static Array slice(Array x, int[] startIndices, int[] limitIndices, int[] strides) {
        if (startIndices == null || limitIndices == null) {
            throw new IllegalArgumentException("Lax.slice: " + (startIndices == null ? "start_indices" : "limit_indices")
                    + " is null; give one index per axis of the operand " + (x == null ? "" : x.aval().str()) + " (only strides may be null, for all 1)");
        }
        if (strides == null) {
            strides = new int[startIndices.length];
            java.util.Arrays.fill(strides, 1);
        }
        return io.jax4j.prims.Indexing.SLICE.bind1(new io.jax4j.prims.Indexing.SliceParams(Ints.of(startIndices),
                Ints.of(limitIndices), Ints.of(strides)), x);
    }

    /** {@code lax.slice_in_dim}: a slice of one axis. */
    public static Array sliceInDim(Array x, int start, int limit, int stride, int axis) {
        int[] s = new int[x.ndim()], l = x.shape(), st = new int[x.ndim()];
        java.util.Arrays.fill(st, 1);
        s[axis] = start;
        l[axis] = limit;
        st[axis] = stride;
        return slice(x, s, l, st);
    }

    /** {@code lax.dynamic_slice}: start indices are integer scalars, clamped so the slice fits. */
    public static Array dynamicSlice(Array x, List<Array> startIndices, int[] sliceSizes) {
        List<Array> in = new ArrayList<>(startIndices.size() + 1);
        in.add(x);
        in.addAll(startIndices);
        return io.jax4j.prims.Indexing.DYNAMIC_SLICE.bind(new io.jax4j.prims.Indexing.DynamicSliceParams(Ints.of(sliceSizes)), in).getFirst();
    }

    /** {@code lax.dynamic_update_slice}: x with {@code update} written at the (clamped) start indices. */
    public static Array dynamicUpdateSlice(Array x, Array update, List<Array> startIndices) {
        List<Array> in = new ArrayList<>(startIndices.size() + 2);
        in.add(x);
        in.add(update);
        in.addAll(startIndices);
        return io.jax4j.prims.Indexing.DYNAMIC_UPDATE_SLICE.bind(Params.NONE, in).getFirst();
    }

    /** {@code lax.pad} with {@code config[i] = {lo, hi, interior}} (lo and hi may be negative: cropping). */
    public static Array pad(Array x, Array paddingValue, int[][] config) {
        int n = config.length;
        int[] lo = new int[n], hi = new int[n], interior = new int[n];
        for (int i = 0; i < n; i++) {
            if (config[i].length != 3) throw new Jax4jException("lax.pad: each padding_config entry must be {lo, hi, interior}, got "
                    + java.util.Arrays.toString(config[i]));
            lo[i] = config[i][0];
            hi[i] = config[i][1];
            interior[i] = config[i][2];
        }
        if (paddingValue.dtype() != x.dtype() && paddingValue.aval().weakType()) {
            paddingValue = convertElementType(paddingValue, x.dtype(), x.aval().weakType());
        }
        return io.jax4j.prims.Indexing.PAD.bind1(new io.jax4j.prims.Indexing.PadParams(Ints.of(lo), Ints.of(hi), Ints.of(interior)),
                x, paddingValue);
    }

    /** {@code lax.concatenate} along {@code dimension}; operands share dtype and the other sizes. */
    public static Array concatenate(List<Array> xs, int dimension) {
        if (xs.size() == 1) return xs.getFirst();
        return io.jax4j.prims.Indexing.CONCATENATE.bind(new io.jax4j.prims.Indexing.ConcatenateParams(dimension), xs).getFirst();
    }

    /** {@code lax.rev}: reverses the given axes. */
    public static Array rev(Array x, int... dimensions) {
        if (dimensions.length == 0) return x;
        return io.jax4j.prims.Indexing.REV.bind1(new io.jax4j.prims.Indexing.RevParams(Ints.of(dimensions)), x);
    }

    /** {@code lax.iota}: {@code 0..size-1} in {@code dtype}. */
    public static Array iota(DType dtype, int size) { return broadcastedIota(dtype, new int[]{size}, 0); }

    /** {@code lax.broadcasted_iota}: the index along {@code dimension} of an array of {@code shape}. */
    public static Array broadcastedIota(DType dtype, int[] shape, int dimension) {
        return io.jax4j.prims.Indexing.IOTA.bind(new io.jax4j.prims.Indexing.IotaParams(dtype, Ints.of(shape), dimension), List.of())
                .getFirst();
    }

    /** {@code lax.clamp(min, x, max)}; min and max are scalars or of x's shape (weak scalars take x's dtype). */
    public static Array clamp(Array min, Array x, Array max) {
        if (min.dtype() != x.dtype() && min.aval().weakType()) min = convertElementType(min, x.dtype(), false);
        if (max.dtype() != x.dtype() && max.aval().weakType()) max = convertElementType(max, x.dtype(), false);
        return io.jax4j.prims.Indexing.CLAMP.bind(Params.NONE, List.of(min, x, max)).getFirst();
    }

    /**
     * {@code lax.gather} (the index vector is the last axis of {@code indices}); {@code fillValue}
     * null: JAX's default fill for FILL_OR_DROP (NaN for floats).
     */
    public static Array gather(Array x, Array indices, io.jax4j.prims.Scatter.GatherDimensionNumbers dimensionNumbers,
                               int[] sliceSizes, io.jax4j.prims.Scatter.GatherScatterMode mode, Double fillValue) {
        return io.jax4j.prims.Scatter.GATHER.bind1(new io.jax4j.prims.Scatter.GatherParams(dimensionNumbers, Ints.of(sliceSizes),
                mode, fillValue), x, indices);
    }

    /** {@code lax.scatter_add}: x with the update windows added at the indexed positions. */
    public static Array scatterAdd(Array x, Array indices, Array updates, io.jax4j.prims.Scatter.ScatterDimensionNumbers dimensionNumbers,
                                   io.jax4j.prims.Scatter.GatherScatterMode mode) {
        return io.jax4j.prims.Scatter.SCATTER_ADD.bind(new io.jax4j.prims.Scatter.ScatterParams(dimensionNumbers, mode),
                List.of(x, indices, updates)).getFirst();
    }

    /** {@code lax.scatter}: x with the update windows written at the indexed positions (the last update wins on duplicates). */
    public static Array scatter(Array x, Array indices, Array updates, io.jax4j.prims.Scatter.ScatterDimensionNumbers dimensionNumbers,
                                io.jax4j.prims.Scatter.GatherScatterMode mode, boolean uniqueIndices) {
        return scatterWith(io.jax4j.prims.Scatter.SCATTER, x, indices, updates, dimensionNumbers, mode, uniqueIndices);
    }

    /** {@code lax.scatter_mul}: x with the indexed windows multiplied by the updates. */
    public static Array scatterMul(Array x, Array indices, Array updates, io.jax4j.prims.Scatter.ScatterDimensionNumbers dimensionNumbers,
                                   io.jax4j.prims.Scatter.GatherScatterMode mode, boolean uniqueIndices) {
        return scatterWith(io.jax4j.prims.Scatter.SCATTER_MUL, x, indices, updates, dimensionNumbers, mode, uniqueIndices);
    }

    /** {@code lax.scatter_min}: x with the indexed windows replaced by their minimum with the updates. */
    public static Array scatterMin(Array x, Array indices, Array updates, io.jax4j.prims.Scatter.ScatterDimensionNumbers dimensionNumbers,
                                   io.jax4j.prims.Scatter.GatherScatterMode mode) {
        return scatterWith(io.jax4j.prims.Scatter.SCATTER_MIN, x, indices, updates, dimensionNumbers, mode, false);
    }

    /** {@code lax.scatter_max}: x with the indexed windows replaced by their maximum with the updates. */
    public static Array scatterMax(Array x, Array indices, Array updates, io.jax4j.prims.Scatter.ScatterDimensionNumbers dimensionNumbers,
                                   io.jax4j.prims.Scatter.GatherScatterMode mode) {
        return scatterWith(io.jax4j.prims.Scatter.SCATTER_MAX, x, indices, updates, dimensionNumbers, mode, false);
    }

    private static Array scatterWith(Primitive p, Array x, Array indices, Array updates, io.jax4j.prims.Scatter.ScatterDimensionNumbers dn,
                                     io.jax4j.prims.Scatter.GatherScatterMode mode, boolean uniqueIndices) {
        return p.bind(new io.jax4j.prims.Scatter.ScatterParams(dn, mode, uniqueIndices), List.of(x, indices, updates)).getFirst();
    }

    /** {@code lax.cumsum}. */
    public static Array cumsum(Array x, int axis, boolean reverse) { return cumulative(io.jax4j.prims.Sorting.CUMSUM, x, axis, reverse); }
    /** {@code lax.cumprod}. */
    public static Array cumprod(Array x, int axis, boolean reverse) { return cumulative(io.jax4j.prims.Sorting.CUMPROD, x, axis, reverse); }
    /** {@code lax.cummax}. */
    public static Array cummax(Array x, int axis, boolean reverse) { return cumulative(io.jax4j.prims.Sorting.CUMMAX, x, axis, reverse); }
    /** {@code lax.cummin}. */
    public static Array cummin(Array x, int axis, boolean reverse) { return cumulative(io.jax4j.prims.Sorting.CUMMIN, x, axis, reverse); }

    private static Array cumulative(Primitive p, Array x, int axis, boolean reverse) {
        return p.bind1(new io.jax4j.prims.Sorting.CumulativeParams(axis, reverse), x);
    }

    /** {@code lax.sort} of several operands by the first {@code numKeys} (lexicographically). */
    public static List<Array> sort(List<Array> operands, int dimension, boolean isStable, int numKeys) {
        return io.jax4j.prims.Sorting.SORT.bind(new io.jax4j.prims.Sorting.SortParams(dimension, isStable, numKeys), operands);
    }

    /** Sorts one operand along {@code dimension}. */
    public static Array sort(Array x, int dimension) { return sort(List.of(x), dimension, true, 1).getFirst(); }

    /** Π over the axes. */
    public static Array reduceProd(Array x, int... axes) { return reduce(io.jax4j.prims.Sorting.REDUCE_PROD, x, axes); }


    // ---- section: randomness (threefry2x32, random_bits, erf_inv)
    /** The threefry-2x32 cipher keyed by (key0, key1) on counters (x0, x1), all u32: two u32 outputs. */
    public static List<Array> threefry2x32(Array key0, Array key1, Array x0, Array x1) {
        return io.jax4j.prims.RandomPrimitives.THREEFRY2X32.bind(Params.NONE, List.of(key0, key1, x0, x1));
    }

    /** The inverse error function, elementwise (float). */
    public static Array erfInv(Array x) { return io.jax4j.prims.RandomPrimitives.ERF_INV.bind1(Params.NONE, x); }

    /** Reinterprets the bits of x as {@code dtype} (f64 ↔ u32[..., 2] changes the shape). */
    public static Array bitcastConvertType(Array x, DType dtype) {
        if (x.dtype() == dtype) return x;
        return io.jax4j.prims.RandomPrimitives.BITCAST_CONVERT_TYPE.bind1(new io.jax4j.prims.RandomPrimitives.BitcastParams(dtype), x);
    }

    /** {@code lax.sort_key_val}: values sorted (stably) by keys along {@code dimension}; returns [keys, values]. */
    public static List<Array> sortKeyVal(Array keys, Array values, int dimension) {
        return io.jax4j.prims.Sorting.sortKeyVal(keys, values, dimension);
    }

    // ---- section: control flow (cond, while_loop, scan)

    // ---------------------------------------------------------------- control flow (lax.cond, lax.scan, ...)

    private static volatile io.jax4j.spi.ControlFlowProvider controlFlow;

    private static io.jax4j.spi.ControlFlowProvider controlFlow(String fn) {
        io.jax4j.spi.ControlFlowProvider p = controlFlow;
        if (p == null) {
            for (io.jax4j.spi.ControlFlowProvider found : java.util.ServiceLoader.load(io.jax4j.spi.ControlFlowProvider.class,
                    Lax.class.getClassLoader())) {
                p = found;
                break;
            }
            if (p == null) {
                throw new io.jax4j.core.Jax4jException("Lax." + fn + ": the control-flow primitives live in io.jax4j:jax4j-autodiff (module "
                        + "io.jax4j.autodiff), which is not on the class or module path; add it (the io.jax4j:jax4j artifact brings it)");
            }
            controlFlow = p;
        }
        return p;
    }

    /** {@code lax.cond(pred, true_fun, false_fun, operand)}: one branch by a scalar bool, both traced (differentiable, batched). */
    public static <A, R> R cond(Array pred, io.vavr.Function1<A, R> trueFn, io.vavr.Function1<A, R> falseFn, A operand) {
        return controlFlow("cond").cond(pred, trueFn, falseFn, operand);
    }

    /** {@code lax.switch(index, branches, operand)}: the branch of the (clamped) int32 index. */
    public static <A, R> R switchCase(Array index, List<io.vavr.Function1<A, R>> branches, A operand) {
        return controlFlow("switchCase").switchCase(index, branches, operand);
    }

    /** {@code lax.scan(f, init, xs)}: a loop carrying {@code c} over the leading axis of the pytree {@code xs}, stacking the {@code y}s. */
    public static <C, X, Y> io.vavr.Tuple2<C, Y> scan(io.vavr.Function2<C, X, io.vavr.Tuple2<C, Y>> f, C init, X xs) {
        return controlFlow("scan").scan(f, init, xs, null, false);
    }

    /** {@code lax.scan(f, init, xs, length, reverse)}; {@code xs} may be null with a {@code length}. */
    public static <C, X, Y> io.vavr.Tuple2<C, Y> scan(io.vavr.Function2<C, X, io.vavr.Tuple2<C, Y>> f, C init, X xs, Integer length, boolean reverse) {
        return controlFlow("scan").scan(f, init, xs, length, reverse);
    }

    /** {@code lax.fori_loop(lower, upper, body, init)}: {@code body(i, carry)} for i in [lower, upper). */
    public static <C> C foriLoop(int lower, int upper, io.vavr.Function2<Array, C, C> body, C init) {
        return controlFlow("foriLoop").foriLoop(lower, upper, body, init);
    }

    /** {@code lax.while_loop(cond_fun, body_fun, init)}: the carry updated while {@code condFn} gives true. */
    public static <C> C whileLoop(io.vavr.Function1<C, Array> condFn, io.vavr.Function1<C, C> bodyFn, C init) {
        return controlFlow("whileLoop").whileLoop(condFn, bodyFn, init);
    }

    // ---------------------------------------------------------------- collectives over named axes (lax.psum, ...)

    private static void requireBound(String op, String axisName) {
        if (io.jax4j.core.BatchTrace.binding(axisName) == null) throw io.jax4j.prims.Collectives.unbound(axisName, op);
    }

    /** {@code lax.psum(x, axis_name)}: the sum over the named mapped axis, the same on every replica. */
    public static Array psum(Array x, String axisName) {
        requireBound("psum", axisName);
        return io.jax4j.prims.Collectives.PSUM.bind1(new io.jax4j.prims.Collectives.AxisParams(axisName), x);
    }

    /** {@code lax.psum} of every array leaf of a pytree (gradients). */
    public static <T> T psum(T tree, String axisName) {
        return io.jax4j.tree.Tree.<Array, T>mapLeavesOfType(Array.class, x -> psum(x, axisName), tree);
    }

    /**
     * {@code lax.axis_size(axis_name)}: the number of replicas along the named axis (over every
     * process a multi-process {@code pmap} spans), known when tracing.
     */
    public static int axisSize(String axisName) {
        requireBound("axis_size", axisName);
        return io.jax4j.core.BatchTrace.binding(axisName).globalAxisSize();
    }

    /** {@code lax.pmean(x, axis_name)}: the mean over the named axis. */
    public static Array pmean(Array x, String axisName) {
        Array s = psum(x, axisName);
        return div(s, fullLike(s, axisSize(axisName)));
    }

    /** {@code lax.pmean} of every array leaf of a pytree (the data-parallel gradient average). */
    public static <T> T pmean(T tree, String axisName) {
        return io.jax4j.tree.Tree.<Array, T>mapLeavesOfType(Array.class, x -> pmean(x, axisName), tree);
    }

    /** {@code lax.pmax(x, axis_name)}. */
    public static Array pmax(Array x, String axisName) {
        requireBound("pmax", axisName);
        return io.jax4j.prims.Collectives.PMAX.bind1(new io.jax4j.prims.Collectives.AxisParams(axisName), x);
    }

    /** {@code lax.pmin(x, axis_name)}. */
    public static Array pmin(Array x, String axisName) {
        requireBound("pmin", axisName);
        return io.jax4j.prims.Collectives.PMIN.bind1(new io.jax4j.prims.Collectives.AxisParams(axisName), x);
    }

    /** {@code lax.axis_index(axis_name)}: this replica's index along the named axis (int32). */
    public static Array axisIndex(String axisName) {
        requireBound("axis_index", axisName);
        return io.jax4j.prims.Collectives.AXIS_INDEX.bind1(new io.jax4j.prims.Collectives.AxisParams(axisName));
    }

    /** {@code lax.all_gather(x, axis_name, axis=axis, tiled=tiled)}: every replica's x, stacked (or concatenated when tiled) at {@code axis}. */
    public static Array allGather(Array x, String axisName, int axis, boolean tiled) {
        io.jax4j.core.BatchTrace b = io.jax4j.core.BatchTrace.binding(axisName);
        if (b == null) throw io.jax4j.prims.Collectives.unbound(axisName, "all_gather");
        return io.jax4j.prims.Collectives.ALL_GATHER.bind1(new io.jax4j.prims.Collectives.AllGatherParams(axisName, b.globalAxisSize(), axis, tiled), x);
    }

    /**
     * {@code lax.psum_scatter(x, axis_name, scatter_dimension=..., tiled=...)}: the sum over the named
     * axis, of which replica i keeps block i along {@code scatterDimension} (tiled: a block of
     * {@code size / axisSize}; not tiled: that dimension, equal to the axis size, is dropped). The
     * reduce half of an all-reduce; its transpose is {@link #allGather}.
     */
    public static Array psumScatter(Array x, String axisName, int scatterDimension, boolean tiled) {
        io.jax4j.core.BatchTrace b = io.jax4j.core.BatchTrace.binding(axisName);
        if (b == null) throw io.jax4j.prims.Collectives.unbound(axisName, "psum_scatter");
        var params = new io.jax4j.prims.Collectives.ReduceScatterParams(axisName, b.globalAxisSize(), scatterDimension, tiled);
        io.jax4j.prims.Collectives.scatteredAval(params, x.aval());   // JAX's errors before the trace applies it
        return io.jax4j.prims.Collectives.REDUCE_SCATTER.bind1(params, x);
    }

    /** {@code lax.psum_scatter(x, axis_name)}: dimension 0, which equals the axis size, scattered. */
    public static Array psumScatter(Array x, String axisName) { return psumScatter(x, axisName, 0, false); }

    /** {@code lax.all_gather(x, axis_name)}: stacked on a new leading axis. */
    public static Array allGather(Array x, String axisName) { return allGather(x, axisName, 0, false); }

    /**
     * {@code lax.ppermute(x, axis_name, perm)}: replica {@code dst} receives replica {@code src}'s x
     * for each {@code {src, dst}} pair; replicas that receive nothing get zeros.
     */
    public static Array ppermute(Array x, String axisName, int[][] perm) {
        requireBound("ppermute", axisName);
        List<List<Integer>> pairs = new ArrayList<>();
        for (int[] pair : perm) {
            if (pair.length != 2) throw new Jax4jException("ppermute: perm entries are {source, destination} pairs, got " + java.util.Arrays.toString(pair));
            pairs.add(List.of(pair[0], pair[1]));
        }
        return io.jax4j.prims.Collectives.PPERMUTE.bind1(new io.jax4j.prims.Collectives.PpermuteParams(axisName, List.copyOf(pairs)), x);
    }
}
