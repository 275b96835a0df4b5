package io.jax4j.examples.conformance;

import io.jax4j.Array;
import io.jax4j.Lax;
import io.jax4j.Nn;
import io.jax4j.Np;

/**
 * The few Optax losses the ops cases use, with Optax 0.2.8's formulas. They move to
 * {@code io.jax4j.optim.Losses} (issue 5); the table in {@link OpsCases} should call that once merged.
 */
final class OpsLosses {
    private OpsLosses() {}

    /** {@code -sum(labels * log_softmax(logits), axis=-1)}. */
    static Array softmaxCrossEntropy(Array logits, Array labels) {
        return Np.negative(Np.sum(Np.multiply(labels, Nn.logSoftmax(logits, -1)), -1));
    }

    /**
     * {@code log(sum(exp(s))) - s[label]} along the last axis, {@code s = logits - stop_gradient(max)}.
     * The label's entry is picked with a one-hot sum, which equals {@code take_along_axis} exactly
     * for finite logits (one non-zero term); switch to {@code Np.takeAlongAxis} when it lands.
     */
    static Array softmaxCrossEntropyWithIntegerLabels(Array logits, Array labels) {
        Array max = Lax.stopGradient(Np.max(logits, new int[]{-1}, true));
        Array shifted = Np.subtract(logits, max);
        Array picked = Np.sum(Np.multiply(shifted, Nn.oneHot(labels, logits.dim(-1), logits.dtype())), -1);
        return Lax.sub(Np.log(Np.sum(Np.exp(shifted), -1)), picked);
    }

    /** {@code -labels * log_sigmoid(logits) - (1 - labels) * log_sigmoid(-logits)}. */
    static Array sigmoidBinaryCrossEntropy(Array logits, Array labels) {
        Array logP = Nn.logSigmoid(logits);
        Array logNotP = Nn.logSigmoid(Np.negative(logits));
        return Np.subtract(Np.multiply(Np.negative(labels), logP), Np.multiply(Np.subtract(Array.weak(1.0), labels), logNotP));
    }

    /** {@code 0.5 * (predictions - targets) ** 2}. */
    static Array l2Loss(Array predictions, Array targets) {
        return Np.multiply(Array.weak(0.5), Np.power(Np.subtract(predictions, targets), 2));
    }
}
