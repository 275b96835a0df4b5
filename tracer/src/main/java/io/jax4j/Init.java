package io.jax4j;

import io.jax4j.core.Jax4jException;

import java.util.Arrays;

/**
 * Flax's (= {@code jax.nn.initializers}) parameter initializers, with their exact semantics: an
 * {@link Initializer} maps (key, shape, dtype) to an array, drawing from {@link Random}.
 *
 * <p>{@link #varianceScaling} is the general one: variance = scale / n where n is fan_in, fan_out
 * or their mean; fan_in = shape[inAxis] · receptive field, fan_out = shape[outAxis] · receptive
 * field, the receptive field being the product of the other dimensions (the spatial dims of a
 * convolution kernel).
 */
public final class Init {
    private Init() {}

    /** {@code init(key, shape, dtype)}, the signature of Flax's initializers. */
    @FunctionalInterface
    public interface Initializer {
        Array apply(Array key, int[] shape, DType dtype);

        /** In float32. */
        default Array apply(Array key, int... shape) { return apply(key, shape, DType.F32); }
    }

    /** How {@link #varianceScaling} counts the units the variance is divided by. */
    public enum Mode { FAN_IN, FAN_OUT, FAN_AVG }

    /** The distribution {@link #varianceScaling} draws from. */
    public enum Distribution { TRUNCATED_NORMAL, NORMAL, UNIFORM }

    /** stddev of the standard normal truncated to (-2, 2): scales the truncated normal to unit variance. */
    static final double TRUNCATED_NORMAL_STDDEV = .87962566103423978;

    public static Initializer lecunNormal() { return varianceScaling(1.0, Mode.FAN_IN, Distribution.TRUNCATED_NORMAL); }

    public static Initializer lecunUniform() { return varianceScaling(1.0, Mode.FAN_IN, Distribution.UNIFORM); }

    public static Initializer glorotNormal() { return varianceScaling(1.0, Mode.FAN_AVG, Distribution.TRUNCATED_NORMAL); }

    public static Initializer glorotUniform() { return varianceScaling(1.0, Mode.FAN_AVG, Distribution.UNIFORM); }

    public static Initializer heNormal() { return varianceScaling(2.0, Mode.FAN_IN, Distribution.TRUNCATED_NORMAL); }

    public static Initializer heUniform() { return varianceScaling(2.0, Mode.FAN_IN, Distribution.UNIFORM); }

    /** {@code variance_scaling(scale, mode, distribution)} with in_axis=-2, out_axis=-1. */
    public static Initializer varianceScaling(double scale, Mode mode, Distribution distribution) {
        return varianceScaling(scale, mode, distribution, new int[]{-2}, new int[]{-1});
    }

    /**
     * JAX's {@code variance_scaling}: variance = scale / denominator (in dtype); truncated normal ·
     * √variance / 0.8796…, normal · √variance, or uniform(-1, 1) · √(3·variance).
     */
    public static Initializer varianceScaling(double scale, Mode mode, Distribution distribution, int[] inAxis, int[] outAxis) {
        if (!(scale > 0)) throw new Jax4jException("Init.varianceScaling: scale must be positive, got " + scale);
        return (key, shape, dtype) -> {
            double[] fans = computeFans(shape, inAxis, outAxis);
            double denominator = switch (mode) {
                case FAN_IN -> fans[0];
                case FAN_OUT -> fans[1];
                case FAN_AVG -> (fans[0] + fans[1]) / 2;
            };
            Array variance = Lax.scalar(scale / denominator, floatDtype(dtype));
            return switch (distribution) {
                case TRUNCATED_NORMAL -> {
                    Array stddev = Lax.div(Lax.sqrt(variance), Lax.scalar(TRUNCATED_NORMAL_STDDEV, dtype));
                    yield Np.multiply(Random.truncatedNormal(key, -2, 2, shape, dtype), stddev);
                }
                case NORMAL -> Np.multiply(Random.normal(key, shape, dtype), Lax.sqrt(variance));
                case UNIFORM -> Np.multiply(Random.uniform(key, shape, dtype, -1, 1), Lax.sqrt(Np.multiply(Array.weak(3), variance)));
            };
        };
    }

    /** {@code varianceScaling} by names as Flax spells them: "fan_in", "truncated_normal", ... */
    public static Initializer varianceScaling(double scale, String mode, String distribution, int inAxis, int outAxis) {
        Mode m = switch (mode) {
            case "fan_in" -> Mode.FAN_IN;
            case "fan_out" -> Mode.FAN_OUT;
            case "fan_avg" -> Mode.FAN_AVG;
            default -> throw new Jax4jException("Init.varianceScaling: mode must be fan_in, fan_out or fan_avg, got '" + mode + "'");
        };
        Distribution d = switch (distribution) {
            case "truncated_normal" -> Distribution.TRUNCATED_NORMAL;
            case "normal" -> Distribution.NORMAL;
            case "uniform" -> Distribution.UNIFORM;
            default -> throw new Jax4jException("Init.varianceScaling: distribution must be truncated_normal, normal or uniform, got '"
                    + distribution + "'");
        };
        return varianceScaling(scale, m, d, new int[]{inAxis}, new int[]{outAxis});
    }

    /** (fan_in, fan_out) as JAX's {@code _compute_fans}: in/out sizes times the receptive field size. */
    static double[] computeFans(int[] shape, int[] inAxis, int[] outAxis) {
        if (shape.length <= 1) {
            throw new Jax4jException("Init.varianceScaling: can't compute input and output sizes of a " + shape.length
                    + "-dimensional weights tensor " + Arrays.toString(shape) + ". Must be at least 2D.");
        }
        double inSize = product(shape, inAxis), outSize = product(shape, outAxis);
        double total = 1;
        for (int d : shape) total *= d;
        double receptive = total / inSize / outSize;
        return new double[]{inSize * receptive, outSize * receptive};
    }

    private static double product(int[] shape, int[] axes) {
        double p = 1;
        for (int a : axes) p *= shape[a < 0 ? a + shape.length : a];
        return p;
    }

    /** {@code normal(key, shape) · stddev}. */
    public static Initializer normal(double stddev) {
        return (key, shape, dtype) -> Np.multiply(Random.normal(key, shape, dtype), Array.weak(stddev));
    }

    /** {@code uniform(key, shape) · scale}: uniform in [0, scale). */
    public static Initializer uniform(double scale) {
        return (key, shape, dtype) -> Np.multiply(Random.uniform(key, shape, dtype, 0, 1), Array.weak(scale));
    }

    public static Initializer zeros() { return (key, shape, dtype) -> Array.zeros(dtype, shape); }

    public static Initializer ones() { return (key, shape, dtype) -> Array.ones(dtype, shape); }

    public static Initializer constant(double value) { return (key, shape, dtype) -> Array.full(dtype, value, shape); }

    private static DType floatDtype(DType dtype) {
        if (!dtype.isFloating()) {
            throw new Jax4jException("Init.varianceScaling: dtype must be a float dtype, got " + dtype);
        }
        return dtype;
    }
}
