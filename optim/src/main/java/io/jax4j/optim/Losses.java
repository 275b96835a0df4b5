package io.jax4j.optim;

import io.jax4j.Array;
import io.jax4j.Np;

/**
 * Optax's losses ({@code optax/losses}), elementwise or per example (the last axis is the class
 * axis); reduce them with {@code mean()} as Optax users do. Log-sum-exp is stabilised by
 * subtracting the maximum, as JAX's {@code log_softmax} does.
 */
public final class Losses {
    private Losses() {}

    /** {@code log_softmax} over the last axis: {@code (x - max) - log(sum(exp(x - max)))}. */
    public static Array logSoftmax(Array logits) {
        Array shifted = logits.sub(Np.max(logits, new int[]{-1}, true));
        return shifted.sub(Np.log(Np.sum(Np.exp(shifted), new int[]{-1}, true)));
    }

    /** {@code softmax_cross_entropy}: {@code -sum(labels * log_softmax(logits), -1)}. */
    public static Array softmaxCrossEntropy(Array logits, Array labels) {
        checkSameShape("softmaxCrossEntropy", logits, labels);
        return Np.sum(labels.mul(logSoftmax(logits)), -1).neg();
    }

    /**
     * {@code softmax_cross_entropy_with_integer_labels}: {@code logsumexp(logits) - logits[label]},
     * the label's logit picked with a one-hot mask (labels {@code [...]}, logits {@code [..., C]}).
     */
    public static Array softmaxCrossEntropyWithIntegerLabels(Array logits, Array labels) {
        if (labels.dtype().isFloating()) {
            throw new IllegalArgumentException("softmaxCrossEntropyWithIntegerLabels: labels must be integers, got " + labels.aval().str()
                    + " (use softmaxCrossEntropy for one-hot or soft labels)");
        }
        if (logits.ndim() != labels.ndim() + 1 || !java.util.Arrays.equals(java.util.Arrays.copyOf(logits.shape(), labels.ndim()), labels.shape())) {
            throw new IllegalArgumentException("softmaxCrossEntropyWithIntegerLabels: logits " + logits.aval().str() + " need labels of shape "
                    + io.jax4j.Shape.of(java.util.Arrays.copyOf(logits.shape(), Math.max(0, logits.ndim() - 1))) + ", got " + labels.aval().str());
        }
        Array shifted = logits.sub(Np.max(logits, new int[]{-1}, true));
        Array oneHot = Np.expandDims(labels, -1).eq(Array.arange(logits.dim(-1)));
        Array labelLogits = Np.sum(Np.where(oneHot, shifted, Np.zerosLike(shifted)), -1);
        Array logNormalizers = Np.log(Np.sum(Np.exp(shifted), -1));
        return logNormalizers.sub(labelLogits);
    }

    /** {@code log_sigmoid(x) = -softplus(-x) = min(x, 0) - log1p(exp(-|x|))}. */
    static Array logSigmoid(Array x) {
        return Np.minimum(x, Array.weak(0.0)).sub(Np.log1p(Np.exp(x.abs().neg())));
    }

    /** {@code sigmoid_binary_cross_entropy}: {@code -labels log(sigmoid(x)) - (1 - labels) log(sigmoid(-x))}. */
    public static Array sigmoidBinaryCrossEntropy(Array logits, Array labels) {
        checkSameShape("sigmoidBinaryCrossEntropy", logits, labels);
        Array logP = logSigmoid(logits), logNotP = logSigmoid(logits.neg());
        return labels.neg().mul(logP).sub(labels.rsub(1.0).mul(logNotP));
    }

    /** {@code l2_loss}: {@code 0.5 * (predictions - targets)^2}. */
    public static Array l2Loss(Array predictions, Array targets) {
        Array e = predictions.sub(targets);
        return e.mul(e).mul(0.5);
    }

    public static Array l2Loss(Array predictions) { return predictions.mul(predictions).mul(0.5); }

    /** {@code squared_error}: {@code (predictions - targets)^2}. */
    public static Array squaredError(Array predictions, Array targets) {
        Array e = predictions.sub(targets);
        return e.mul(e);
    }

    /** {@code huber_loss}: {@code 0.5 q^2 + delta (|e| - q)} with {@code q = min(|e|, delta)}. */
    public static Array huberLoss(Array predictions, Array targets, double delta) {
        Array abs = predictions.sub(targets).abs();
        Array quadratic = Np.minimum(abs, Array.weak(delta));
        return quadratic.mul(quadratic).mul(0.5).add(abs.sub(quadratic).mul(delta));
    }

    public static Array huberLoss(Array predictions, Array targets) { return huberLoss(predictions, targets, 1.0); }

    /** {@code cosine_similarity} over the last axis; each norm is clipped below at {@code epsilon}. */
    public static Array cosineSimilarity(Array predictions, Array targets, double epsilon) {
        checkSameShape("cosineSimilarity", predictions, targets);
        return Np.sum(unit(predictions, epsilon).mul(unit(targets, epsilon)), -1);
    }

    public static Array cosineSimilarity(Array predictions, Array targets) { return cosineSimilarity(predictions, targets, 0.0); }

    private static Array unit(Array x, double epsilon) {
        Array norm = Np.sqrt(Np.sum(x.mul(x), -1));
        return x.div(Np.expandDims(Np.maximum(norm, Array.weak(epsilon)), -1));
    }

    private static void checkSameShape(String api, Array a, Array b) {
        if (!java.util.Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException(api + ": the two arguments need one shape, got " + a.aval().str() + " and " + b.aval().str());
        }
    }
}
