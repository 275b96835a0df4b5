package io.jax4j.prims;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Lax;
import io.jax4j.ShapedArray;
import io.jax4j.core.ArrayImpl;
import io.jax4j.core.Batching;
import io.jax4j.core.Jax4jException;
import io.jax4j.core.Params;
import io.jax4j.core.Primitive;
import io.jax4j.core.UndefinedPrimal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.LongBinaryOperator;
import java.util.function.LongUnaryOperator;

/**
 * The helper factories that make a new primitive a few lines, named like JAX's: {@link #unop},
 * {@link #binop}, {@link #defJvp}, {@link #defLinear}, {@link #vectorized}, {@link #broadcasting}.
 */
public final class Defs {
    private Defs() {}

    /** Which dtypes an elementwise primitive accepts. */
    public enum Accepts {
        FLOAT, NUMBER, INT, INT_OR_BOOL, ANY;

        boolean ok(DType d) {
            return switch (this) {
                case FLOAT -> d.isFloating();
                case NUMBER -> d != DType.BOOL;
                case INT -> d.isInteger();
                case INT_OR_BOOL -> !d.isFloating();
                case ANY -> true;
            };
        }

        String describe() {
            return switch (this) {
                case FLOAT -> "a floating-point";
                case NUMBER -> "a numeric (non-bool)";
                case INT -> "an integer";
                case INT_OR_BOOL -> "an integer or bool";
                case ANY -> "any";
            };
        }
    }

    // ---- elementwise

    /** A unary elementwise primitive: same shape and dtype out, weak type kept. */
    public static Primitive unop(String name, Accepts accepts, DoubleUnaryOperator f, LongUnaryOperator fInt) {
        Primitive p = new Primitive(name).withProperties(Primitive.Property.ELEMENTWISE);
        p.abstractEval((params, in) -> {
            ShapedArray x = in.getFirst();
            if (!accepts.ok(x.dtype())) {
                throw new Jax4jException(name + " requires " + accepts.describe() + " input, got " + x.str());
            }
            return List.of(x);
        });
        p.impl((params, in) -> List.of(map1(in.getFirst(), in.getFirst().aval(), f, fInt)));
        p.batch(vectorized(p));
        return p;
    }

    /**
     * A binary elementwise primitive on operands of one shape and one dtype (Np broadcasts and
     * promotes before). The output dtype is {@code outDtype} or the operands' one; weak only if both are.
     */
    public static Primitive binop(String name, Accepts accepts, DType outDtype, DoubleBinaryOperator f, LongBinaryOperator fInt) {
        Primitive p = new Primitive(name).withProperties(Primitive.Property.ELEMENTWISE);
        p.abstractEval((params, in) -> List.of(naryAval(name, accepts, outDtype, in)));
        p.impl((params, in) -> {
            ShapedArray out = naryAval(name, accepts, outDtype, List.of(in.get(0).aval(), in.get(1).aval()));
            return List.of(map2(in.get(0), in.get(1), out, f, fInt));
        });
        p.batch(broadcasting(p));
        return p;
    }

    /**
     * Operands share one dtype and one shape, except that rank-0 operands broadcast (as in JAX's
     * jaxprs: {@code mul b 2.0:f32[]}).
     */
    static ShapedArray naryAval(String name, Accepts accepts, DType outDtype, List<ShapedArray> in) {
        ShapedArray first = in.getFirst();
        for (ShapedArray a : in) if (a.ndim() > 0) { first = a; break; }
        boolean weak = true;
        for (ShapedArray a : in) {
            if ((a.ndim() > 0 && !a.shape().equals(first.shape())) || a.dtype() != first.dtype()) {
                throw new Jax4jException(name + " requires operands of one shape and dtype, got "
                        + in.stream().map(ShapedArray::str).toList()
                        + " (Np." + name + " broadcasts and promotes; Lax." + name + " does not)");
            }
            if (!accepts.ok(a.dtype())) {
                throw new Jax4jException(name + " requires " + accepts.describe() + " operands, got " + a.str());
            }
            weak &= a.weakType();
        }
        DType dt = outDtype != null ? outDtype : first.dtype();
        return new ShapedArray(dt, first.shape(), outDtype == null && weak);
    }

    public static ArrayImpl map1(ArrayImpl x, ShapedArray out, DoubleUnaryOperator f, LongUnaryOperator fInt) {
        int n = Math.toIntExact(x.size());
        ArrayImpl r = ArrayImpl.allocate(out);
        if (fInt != null && !x.dtype().isFloating()) {
            for (int i = 0; i < n; i++) r.setLong(i, fInt.applyAsLong(x.getLong(i)));
        } else {
            for (int i = 0; i < n; i++) r.setDouble(i, f.applyAsDouble(x.getDouble(i)));
        }
        return r;
    }

    public static ArrayImpl map2(ArrayImpl x, ArrayImpl y, ShapedArray out, DoubleBinaryOperator f, LongBinaryOperator fInt) {
        int n = Math.toIntExact(out.size());
        int sx = x.ndim() == 0 ? 0 : 1, sy = y.ndim() == 0 ? 0 : 1;
        ArrayImpl r = ArrayImpl.allocate(out);
        if (fInt != null && !x.dtype().isFloating()) {
            for (int i = 0; i < n; i++) r.setLong(i, fInt.applyAsLong(x.getLong(i * sx), y.getLong(i * sy)));
        } else {
            for (int i = 0; i < n; i++) r.setDouble(i, f.applyAsDouble(x.getDouble(i * sx), y.getDouble(i * sy)));
        }
        return r;
    }

    // ---- batching

    /** Batching for unary elementwise primitives: apply to the batched operand as is. */
    public static Primitive.BatchRule vectorized(Primitive p) {
        return (params, xs, dims) -> Primitive.BatchResult.single(p.bind(params, xs).getFirst(), dims[0]);
    }

    /**
     * Batching for n-ary elementwise primitives: batch axes to the front; unmapped scalars stay
     * scalars, other operands are broadcast to the full batched shape.
     */
    public static Primitive.BatchRule broadcasting(Primitive p) { return broadcasting(p, true); }

    /**
     * As {@link #broadcasting(Primitive)}; with {@code scalarsStay} false every operand is broadcast to
     * the batched shape, for primitives whose operands must share one shape ({@code select_n}).
     */
    public static Primitive.BatchRule broadcasting(Primitive p, boolean scalarsStay) {
        return (params, xs, dims) -> {
            boolean same = true;
            int rank = -1;
            for (int i = 0; i < dims.length; i++) {
                same &= dims[i] == dims[0] && xs.get(i).ndim() == xs.get(0).ndim();
                rank = Math.max(rank, xs.get(i).ndim() - (dims[i] == Batching.NOT_MAPPED ? 0 : 1));
            }
            if (same) return Primitive.BatchResult.single(p.bind(params, xs).getFirst(), dims[0]);
            int size = Batching.batchSize(xs, dims);
            int[] full = null;
            for (int i = 0; i < xs.size(); i++) {
                Array x = xs.get(i);
                int perExample = x.ndim() - (dims[i] == Batching.NOT_MAPPED ? 0 : 1);
                if (perExample == rank) {
                    int[] s = Batching.moveAxis(x, dims[i], 0, size).shape();
                    full = s;
                    break;
                }
            }
            List<Array> out = new ArrayList<>(xs.size());
            for (int i = 0; i < xs.size(); i++) {
                Array x = xs.get(i);
                if (scalarsStay && dims[i] == Batching.NOT_MAPPED && x.ndim() == 0) {
                    out.add(x);
                    continue;
                }
                Array moved = Batching.moveAxis(x, dims[i], 0, size);
                if (moved.ndim() != full.length) moved = Lax.broadcastInDim(moved, full, new int[]{0});
                out.add(moved);
            }
            return Primitive.BatchResult.single(p.bind(params, out).getFirst(), 0);
        };
    }

    /** Sums a cotangent down to a rank-0 operand's shape (scalars broadcast in elementwise primitives). */
    public static Array unbroadcast(Object operand, Array ct) {
        if (ct == null) return null;
        ShapedArray aval = avalOf(operand);
        if (aval.ndim() == 0 && ct.ndim() > 0) {
            int[] axes = new int[ct.ndim()];
            for (int i = 0; i < axes.length; i++) axes[i] = i;
            return Lax.reduceSum(ct, axes);
        }
        return ct;
    }

    // ---- JVP

    /** A JVP contribution of one operand: {@code (g, ans, operands) -> dans}. */
    @FunctionalInterface
    public interface JvpPart { Array apply(Array g, Array ans, List<Array> operands); }

    /**
     * JAX's {@code defjvp}: the tangent is the sum of per-operand contributions, skipping operands
     * whose tangent is symbolically zero; {@code null} parts mark non-differentiable operands.
     */
    public static Primitive defJvp(Primitive p, JvpPart... parts) {
        return p.jvp((params, primals, tangents) -> {
            Array ans = p.bind(params, primals).getFirst();
            Array total = null;
            for (int i = 0; i < parts.length; i++) {
                Array t = tangents.get(i);
                if (t == null || parts[i] == null) continue;
                Array d = parts[i].apply(t, ans, primals);
                total = total == null ? d : Lax.add(total, d);
            }
            return new Primitive.JvpResult(List.of(ans), Arrays.asList(total));
        });
    }

    /** A primitive linear in all operands: its JVP applies it to the tangents (zeros instantiated). */
    public static Primitive defLinear(Primitive p, Primitive.TransposeRule transpose) {
        p.jvp((params, primals, tangents) -> {
            List<Array> out = p.bind(params, primals);
            boolean allZero = tangents.stream().allMatch(t -> t == null);
            if (allZero) return new Primitive.JvpResult(out, nulls(out.size()));
            List<Array> ts = new ArrayList<>(tangents.size());
            for (int i = 0; i < tangents.size(); i++) {
                Array t = tangents.get(i);
                ts.add(t != null ? t : Lax.zerosLike(primals.get(i)));
            }
            if (p.has(Primitive.Property.ELEMENTWISE)) {
                // a rank-0 tangent of a broadcast operand stays rank 0; the primitive broadcasts it
            }
            return new Primitive.JvpResult(out, p.bind(params, ts));
        });
        return p.transpose(transpose);
    }

    public static List<Array> nulls(int n) { return Arrays.asList(new Array[n]); }

    /** The aval of an operand of a transpose rule, defined or not. */
    public static ShapedArray avalOf(Object operand) {
        return operand instanceof UndefinedPrimal u ? u.aval() : ((Array) operand).aval();
    }

    public static boolean isUndefined(Object operand) { return operand instanceof UndefinedPrimal; }

    /** Shortcut for single-output results. */
    public static List<Array> one(Array a) { return List.of(a); }

    /** Params with no fields beyond the defaults. */
    public static Params none() { return Params.NONE; }
}
