package io.jax4j;

import io.jax4j.core.Jax4jException;

/**
 * {@code jax.nn}: activations, softmax and friends, and {@code one_hot}, written as compositions of
 * {@link Lax} and {@link Np} with JAX's formulas (JAX 0.11, {@code jax/_src/nn/functions.py} and
 * {@code jax/_src/ops/special.py}), so values and derivatives agree with JAX's to float rounding.
 *
 * <p>Where JAX attaches a custom JVP only to pin the derivative at a kink, the same derivative
 * falls out of a {@code select}: {@code relu} is {@code where(x <= 0, 0, x)}, whose derivative at
 * exactly 0 is 0 as in JAX (a plain {@code max(x, 0)} would give 1/2 there), and NaN passes
 * through as in {@code max}. Stabilising maxima are subtracted under {@code stop_gradient}, as in
 * JAX, so they contribute no derivative terms.
 */
public final class Nn {
    private Nn() {}

    // ---------------------------------------------------------------- piecewise linear

    /** {@code max(x, 0)}; the derivative is {@code x > 0 ? 1 : 0} (0 at 0, as JAX's custom JVP). */
    public static Array relu(Array x) {
        Array f = floating("relu", x);
        return Lax.select(Np.lessEqual(f, zero(f)), Lax.zerosLike(f), f);
    }

    /** {@code min(max(x, 0), 6)}; the derivative is 1 on (0, 6) and 0 elsewhere (JAX's custom JVP). */
    public static Array relu6(Array x) {
        Array f = floating("relu6", x);
        Array upper = Lax.select(Np.greaterEqual(f, Lax.scalarLike(f, 6)), Lax.fullLike(f, 6), f);
        return Lax.select(Np.lessEqual(f, zero(f)), Lax.zerosLike(f), upper);
    }

    /** {@code where(x >= 0, x, negativeSlope * x)}. */
    public static Array leakyRelu(Array x, double negativeSlope) {
        Array f = floating("leakyRelu", x);
        return Lax.select(Np.greaterEqual(f, zero(f)), f, Lax.mulScalar(f, negativeSlope));
    }

    /** {@link #leakyRelu(Array, double)} with JAX's default slope 0.01. */
    public static Array leakyRelu(Array x) { return leakyRelu(x, 0.01); }

    /** {@code where(x > 1, 1, where(x < -1, -1, x))}. */
    public static Array hardTanh(Array x) {
        Array f = floating("hardTanh", x);
        return Np.where(Np.greater(f, Array.weak(1)), Lax.fullLike(f, 1),
                Np.where(Np.less(f, Array.weak(-1)), Lax.fullLike(f, -1), f));
    }

    // ---------------------------------------------------------------- smooth activations

    /** The logistic function {@code 1 / (1 + exp(-x))} (the {@code logistic} primitive). */
    public static Array sigmoid(Array x) { return Lax.logistic(floating("sigmoid", x)); }

    /** {@code log(sigmoid(x)) = -softplus(-x)}. */
    public static Array logSigmoid(Array x) { return Lax.neg(softplus(Lax.neg(floating("logSigmoid", x)))); }

    /**
     * {@code log(1 + exp(x)) = logaddexp(x, 0) = max(x, 0) + log1p(exp(-|x|))}, stable for large |x|.
     * JAX's logaddexp also returns {@code x1 + x2} where {@code x1 - x2} is NaN (NaN or like-signed
     * infinities); the same select is here.
     */
    public static Array softplus(Array x) {
        Array f = floating("softplus", x);
        return logaddexp(f, Lax.zerosLike(f));
    }

    /** {@code jnp.logaddexp(x1, x2) = max + log1p(exp(-|x1 - x2|))}, NaN-safe as JAX's. */
    public static Array logaddexp(Array x1, Array x2) {
        Array[] a = Np.promoteBroadcast("logaddexp", floating("logaddexp", x1), floating("logaddexp", x2));
        Array amax = Lax.max(a[0], a[1]);
        Array delta = Lax.sub(a[0], a[1]);
        Array isNan = Lax.ne(delta, delta);
        return Lax.select(isNan, Lax.add(a[0], a[1]), Lax.add(amax, Lax.log1p(Lax.exp(Lax.neg(Lax.abs(delta))))));
    }

    /** {@code x * sigmoid(x)}. */
    public static Array silu(Array x) {
        Array f = floating("silu", x);
        return Lax.mul(f, Lax.logistic(f));
    }

    /** The same function as {@link #silu}. */
    public static Array swish(Array x) { return silu(x); }

    /**
     * {@code jax.nn.gelu}. Approximate: {@code x * 0.5 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x³)))};
     * exact: {@code 0.5 x erfc(-x / sqrt(2)) = 0.5 x (1 + erf(x / sqrt(2)))}.
     */
    public static Array gelu(Array x, boolean approximate) {
        Array f = floating("gelu", x);
        if (approximate) {
            Array inner = Lax.add(f, Lax.mulScalar(Np.integerPow(f, 3), 0.044715));
            Array cdf = Lax.mulScalar(Lax.addScalar(Lax.tanh(Lax.mulScalar(inner, Math.sqrt(2 / Math.PI))), 1), 0.5);
            return Lax.mul(f, cdf);
        }
        Array erfc = Lax.addScalar(Lax.erf(Lax.mulScalar(f, Math.sqrt(0.5))), 1);
        return Lax.mul(Lax.mulScalar(f, 0.5), erfc);
    }

    /** {@code gelu(x, approximate=True)}, JAX's default. */
    public static Array gelu(Array x) { return gelu(x, true); }

    /** {@code where(x > 0, x, alpha * expm1(where(x > 0, 0, x)))}. */
    public static Array elu(Array x, double alpha) {
        Array f = floating("elu", x);
        Array positive = Np.greater(f, zero(f));
        Array safe = Lax.select(positive, Lax.zerosLike(f), f);
        return Lax.select(positive, f, Lax.mulScalar(Lax.expm1(safe), alpha));
    }

    public static Array elu(Array x) { return elu(x, 1.0); }

    /** {@code max(x, 0) + alpha * expm1(min(x, 0) / alpha)}. */
    public static Array celu(Array x, double alpha) {
        Array f = floating("celu", x);
        Array neg = Lax.div(Lax.min(f, Lax.zerosLike(f)), Lax.scalarLike(f, alpha));
        return Lax.add(Lax.max(f, Lax.zerosLike(f)), Lax.mulScalar(Lax.expm1(neg), alpha));
    }

    public static Array celu(Array x) { return celu(x, 1.0); }

    /** {@code scale * elu(x, alpha)} with the self-normalising constants of Klambauer et al. */
    public static Array selu(Array x) {
        double alpha = 1.6732632423543772848170429916717;
        double scale = 1.0507009873554804934193349852946;
        return Lax.mulScalar(elu(floating("selu", x), alpha), scale);
    }

    // ---------------------------------------------------------------- softmax family

    /** {@code exp(x - max) / sum(exp(x - max))} along {@code axis}, the max under stop_gradient. */
    public static Array softmax(Array x, int axis) {
        Array f = floating("softmax", x);
        int[] ax = Np.normalizeAxes("softmax", f, axis);
        Array unnormalized = Lax.exp(Lax.sub(f, Np.broadcastTo(stoppedMax(f, ax), f.shape())));
        return Lax.div(unnormalized, Np.broadcastTo(Np.sum(unnormalized, ax, true), f.shape()));
    }

    public static Array softmax(Array x) { return softmax(x, -1); }

    /** {@code shifted - log(sum(exp(shifted)))} with {@code shifted = x - stop_gradient(max(x))}. */
    public static Array logSoftmax(Array x, int axis) {
        Array f = floating("logSoftmax", x);
        int[] ax = Np.normalizeAxes("logSoftmax", f, axis);
        Array shifted = Lax.sub(f, Np.broadcastTo(stoppedMax(f, ax), f.shape()));
        Array lse = Lax.log(Np.sum(Lax.exp(shifted), ax, true));
        return Lax.sub(shifted, Np.broadcastTo(lse, f.shape()));
    }

    public static Array logSoftmax(Array x) { return logSoftmax(x, -1); }

    /**
     * {@code log(sum(exp(x)))} over {@code axes}: {@code log(sum(exp(x - m))) + m} with {@code m} the
     * maximum under stop_gradient, replaced by 0 where it is not finite (all {@code -inf} gives
     * {@code -inf}, as in {@code jax.nn.logsumexp}).
     */
    public static Array logsumexp(Array x, int[] axes, boolean keepdims) {
        Array f = floating("logsumexp", x);
        int[] ax = Np.normalizeAxes("logsumexp", f, axes);
        Array amax = Np.max(f, ax, true);
        amax = Lax.stopGradient(Lax.select(Lax.isFinite(amax), amax, Lax.zerosLike(amax)));
        Array sumexp = Np.sum(Lax.exp(Lax.sub(f, Np.broadcastTo(amax, f.shape()))), ax, keepdims);
        Array m = keepdims ? amax : Lax.reshape(amax, sumexp.shape());
        return Lax.add(Lax.log(sumexp), m);
    }

    public static Array logsumexp(Array x, int axis) { return logsumexp(x, new int[]{axis}, false); }

    public static Array logsumexp(Array x) { return logsumexp(x, Np.allAxes(x), false); }

    // ---------------------------------------------------------------- normalisation and encodings

    /**
     * {@code (x - mean) * rsqrt(var + epsilon)} along {@code axis}, with JAX's variance
     * {@code mean(x²) - mean(x)²}.
     */
    public static Array standardize(Array x, int axis, double epsilon) {
        Array f = floating("standardize", x);
        int[] ax = Np.normalizeAxes("standardize", f, axis);
        Array mean = Np.mean(f, ax, true);
        Array variance = Lax.sub(Np.mean(Lax.square(f), ax, true), Lax.square(mean));
        return Lax.mul(Lax.sub(f, Np.broadcastTo(mean, f.shape())),
                Np.broadcastTo(Lax.rsqrt(Lax.addScalar(variance, epsilon)), f.shape()));
    }

    public static Array standardize(Array x) { return standardize(x, -1, 1e-5); }

    /** The old name of {@link #standardize}. */
    public static Array normalize(Array x, int axis, double epsilon) { return standardize(x, axis, epsilon); }

    /** {@code labels[..., None] == arange(numClasses)} as {@code dtype}; out-of-range labels give a zero row. */
    public static Array oneHot(Array labels, int numClasses, DType dtype) {
        if (labels.dtype().isFloating()) {
            throw new Jax4jException("oneHot: labels must be integers, got " + labels.aval().str() + " (convert with Np.astype(labels, DType.I32))");
        }
        if (numClasses < 0) throw new Jax4jException("oneHot: numClasses must be >= 0, got " + numClasses);
        Array classes = Lax.convertElementType(Array.arange(numClasses), labels.dtype());
        return Lax.convertElementType(Np.equal(Np.expandDims(labels, -1), classes), dtype);
    }

    public static Array oneHot(Array labels, int numClasses) { return oneHot(labels, numClasses, DType.F32); }

    // ---------------------------------------------------------------- helpers

    private static Array stoppedMax(Array x, int[] axes) { return Lax.stopGradient(Np.max(x, axes, true)); }

    private static Array zero(Array like) { return Lax.scalarLike(like, 0); }

    private static Array floating(String op, Array x) {
        if (x.dtype().isFloating()) return x;
        if (x.dtype() == DType.BOOL) throw new Jax4jException("Nn." + op + ": expected a number array, got " + x.aval().str());
        return Lax.convertElementType(x, DType.F32, x.aval().weakType());
    }
}
