package io.jax4j.xla;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.ShapedArray;
import io.jax4j.core.ArrayImpl;
import io.jax4j.core.StagingTrace;
import io.jax4j.ir.ClosedJaxpr;
import io.jax4j.ir.Jaxpr;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/** Test helpers: trace a function of arrays to a jaxpr, make random inputs. */
public final class Traced {
    private Traced() {}

    public static Jaxpr trace(Function<List<Array>, List<Array>> f, ShapedArray... avals) {
        StagingTrace t = new StagingTrace("test");
        List<Array> args = new ArrayList<>();
        for (ShapedArray a : avals) args.add(t.newArg(a));
        List<Array> out = t.run(() -> f.apply(args));
        ClosedJaxpr closed = t.build(out);
        if (!closed.consts().isEmpty()) throw new IllegalArgumentException("test functions must not capture arrays");
        return closed.jaxpr();
    }

    /** The jaxpr of {@code f}, captured constants (e.g. a random function's scalars) becoming leading inputs, as jit passes them. */
    public static Jaxpr traceWithConstants(Function<List<Array>, List<Array>> f, ShapedArray... avals) {
        StagingTrace t = new StagingTrace("test");
        List<Array> args = new ArrayList<>();
        for (ShapedArray a : avals) args.add(t.newArg(a));
        List<Array> out = t.run(() -> f.apply(args));
        return t.build(out).jaxpr().constvarsAsInvars();
    }

    /** The captured constants of {@code f}'s trace, in the order {@link #traceWithConstants} makes them inputs. */
    public static List<ArrayImpl> constants(Function<List<Array>, List<Array>> f, ShapedArray... avals) {
        StagingTrace t = new StagingTrace("test");
        List<Array> args = new ArrayList<>();
        for (ShapedArray a : avals) args.add(t.newArg(a));
        List<Array> out = t.run(() -> f.apply(args));
        List<ArrayImpl> cs = new ArrayList<>();
        for (Array c : t.build(out).consts()) cs.add((ArrayImpl) c);
        return cs;
    }

    public static ShapedArray f32(int... dims) { return ShapedArray.of(DType.F32, dims); }

    public static ShapedArray f64(int... dims) { return ShapedArray.of(DType.F64, dims); }

    public static ShapedArray i32(int... dims) { return ShapedArray.of(DType.I32, dims); }

    /** Random values: floats in [-2, 2) (with a few special values when {@code specials}), ints in [-5, 5), bools. */
    public static ArrayImpl random(ShapedArray aval, Random rnd, boolean specials) {
        int n = Math.toIntExact(aval.size());
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = switch (aval.dtype()) {
                case BOOL -> rnd.nextBoolean() ? 1 : 0;
                case I32 -> rnd.nextInt(10) - 5;
                case U32 -> rnd.nextInt(10);
                default -> rnd.nextDouble() * 4 - 2;
            };
        }
        if (specials && aval.dtype().isFloating() && n >= 8) {
            v[0] = Double.NaN;
            v[1] = Double.POSITIVE_INFINITY;
            v[2] = Double.NEGATIVE_INFINITY;
            v[3] = 0.0;
            v[4] = -0.0;
        }
        return ArrayImpl.ofDoubles(aval, v);
    }
}
