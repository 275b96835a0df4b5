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

    /**
     * {@code kl_divergence(log_predictions, targets)}: {@code sum(targets (log targets - log_predictions))}
     * over the last axis, a target of 0 contributing 0.
     */
    public static Array klDivergence(Array logPredictions, Array targets) {
        requireFloat("kl_divergence", logPredictions);
        requireFloat("kl_divergence", targets);
        Array logT = Np.where(Np.equal(targets, Np.zerosLike(targets)), Np.zerosLike(targets), Np.log(targets));
        return Np.sum(Np.multiply(targets, Np.subtract(logT, logPredictions)), -1);
    }

    /**
     * {@code sigmoid_focal_loss(logits, labels, alpha, gamma)}: the sigmoid cross-entropy weighted by
     * {@code (1 - p_t)^gamma}, computed in log space as Optax does; {@code alpha} (nullable) weights
     * positives by alpha and negatives by 1 - alpha. Elementwise.
     */
    public static Array sigmoidFocalLoss(Array logits, Array labels, Double alpha, double gamma) {
        requireFloat("sigmoid_focal_loss", logits);
        Array y = labels.astype(logits.dtype());
        Array ce = sigmoidBinaryCrossEntropy(logits, y);
        Array positive = Np.greaterEqual(y, Array.weak(0.5));
        Array yPrime = Np.where(positive, y, Np.subtract(Array.weak(1.0), y));
        Array xPrime = Np.where(positive, Np.negative(logits), logits);
        Array logOneMinusPt = Np.add(Np.add(io.jax4j.Nn.logSigmoid(xPrime), Np.log(yPrime)),
                io.jax4j.Nn.softplus(Np.subtract(Np.add(Np.negative(xPrime), Np.log1p(Np.negative(yPrime))), Np.log(yPrime))));
        Array loss = Np.multiply(ce, Np.exp(Np.multiply(Array.weak(gamma), logOneMinusPt)));
        if (alpha == null) return loss;
        Array weight = Np.add(Np.multiply(Array.weak(alpha), y), Np.multiply(Array.weak(1.0 - alpha), Np.subtract(Array.weak(1.0), y)));
        return Np.multiply(weight, loss);
    }

    /** {@code sigmoid_focal_loss(logits, labels)}: gamma 2, no alpha. */
    public static Array sigmoidFocalLoss(Array logits, Array labels) { return sigmoidFocalLoss(logits, labels, null, 2.0); }

    /** {@code hinge_loss(predictor_outputs, targets)}: {@code max(0, 1 - y t)} for targets in {-1, 1}. */
    public static Array hingeLoss(Array predictorOutputs, Array targets) {
        return Np.maximum(Array.weak(0), Np.subtract(Array.weak(1), Np.multiply(predictorOutputs, targets)));
    }

    /** {@code log_cosh(predictions, targets)}: {@code logaddexp(e, -e) - log 2} of the error (targets nullable: 0). */
    public static Array logCosh(Array predictions, Array targets) {
        requireFloat("log_cosh", predictions);
        Array e = targets == null ? predictions : Np.subtract(predictions, targets);
        return Np.subtract(io.jax4j.Nn.logaddexp(e, Np.negative(e)), Np.log(Array.scalar(2.0, e.dtype())));
    }

    /** {@code smooth_labels(labels, alpha)}: {@code (1 - alpha) labels + alpha / num_categories} over the last axis. */
    public static Array smoothLabels(Array labels, double alpha) {
        requireFloat("smooth_labels", labels);
        return Np.add(Np.multiply(Array.weak(1.0 - alpha), labels), Array.weak(alpha / labels.dim(-1)));
    }

    /**
     * What {@link #ctcLossWithForwardProbs} returns: the per-sequence loss {@code [B]} and the log
     * forward probabilities of being in a blank ({@code logalphaBlank}, {@code [T, B, N + 1]}) or a
     * label ({@code logalphaEmit}, {@code [T, B, N]}) state after each frame.
     */
    public record CtcForward(Array loss, Array logalphaBlank, Array logalphaEmit) {}

    /**
     * {@code ctc_loss(logits, logit_paddings, labels, label_paddings, blank_id=0, log_epsilon=-1e5)}:
     * the negative log-likelihood of each label sequence under Connectionist Temporal Classification
     * (Graves et al., 2006), {@code [B]}. {@code logits} are {@code [B, T, K]} with K classes including
     * the blank, {@code logitPaddings} {@code [B, T]} (1 marks a padded frame), {@code labels}
     * {@code [B, N]} integers, right-padded as {@code labelPaddings} {@code [B, N]} says.
     */
    public static Array ctcLoss(Array logits, Array logitPaddings, Array labels, Array labelPaddings) {
        return ctcLossWithForwardProbs(logits, logitPaddings, labels, labelPaddings, 0, -1e5).loss();
    }

    /** {@link #ctcLoss} with Optax's keyword arguments {@code blank_id} and {@code log_epsilon} (the stand-in for log 0). */
    public static Array ctcLoss(Array logits, Array logitPaddings, Array labels, Array labelPaddings, int blankId, double logEpsilon) {
        return ctcLossWithForwardProbs(logits, logitPaddings, labels, labelPaddings, blankId, logEpsilon).loss();
    }

    /**
     * {@code ctc_loss_with_forward_probs}: Optax's forward recursion in log space, one {@code lax.scan}
     * over the frames carrying the blank and label log-alphas; a padded frame keeps the previous
     * alphas; the loss reads the blank state after each sequence's last label. Differentiable
     * (through the scan), jit-able and batched like any composition of primitives.
     */
    public static CtcForward ctcLossWithForwardProbs(Array logits, Array logitPaddings, Array labels, Array labelPaddings,
                                                     int blankId, double logEpsilon) {
        checkCtcArguments(logits, logitPaddings, labels, labelPaddings, blankId);
        int batch = logits.dim(0), numClasses = logits.dim(2), maxLabelLen = labels.dim(1);
        io.jax4j.DType dt = logits.dtype();
        Array logprobs = io.jax4j.Nn.logSoftmax(logits);
        Array labelLens = Np.subtract(Array.scalar(maxLabelLen), Np.sum(labelPaddings, 1).astype(io.jax4j.DType.I32));
        // repeat[b, n] = 1 where labels[b, n] == labels[b, n + 1]: no blank-free step between them
        Array repeat = Np.pad(Np.equal(labels.get(":", ":-1"), labels.get(":", "1:")).astype(dt), new int[][]{{0, 0}, {0, 1}});
        Array logprobsPhi = Np.transpose(logprobs.get(":", ":", (blankId) + ":" + (blankId + 1)), 1, 0, 2);  // [T, B, 1]
        Array oneHot = io.jax4j.Nn.oneHot(labels, numClasses, dt);                                          // [B, N, K]
        Array logprobsEmit = Np.transpose(Np.einsum("btk,bnk->btn", logprobs, oneHot), 1, 0, 2);         // [T, B, N]
        Array eps = Array.scalar(logEpsilon, dt), one = Array.scalar(1.0, dt);
        Array phiInit = Array.full(dt, logEpsilon, batch, maxLabelLen + 1).at(":", 0).set(0.0);
        Array emitInit = Array.full(dt, logEpsilon, batch, maxLabelLen);
        Array repeatEps = Np.multiply(eps, repeat), notRepeatEps = Np.multiply(eps, Np.subtract(one, repeat));
        var xs = io.vavr.Tuple.of(logprobsEmit, logprobsPhi, Np.transpose(logitPaddings.astype(dt)));
        var scanned = io.jax4j.Lax.scan((io.vavr.Tuple2<Array, Array> prev, io.vavr.Tuple3<Array, Array, Array> x) -> {
            Array prevPhiOrig = prev._1, prevEmit = prev._2;
            // emit-to-blank epsilon transition, except before a repeated label
            Array prevPhi = addToPhi(prevPhiOrig, Np.add(prevEmit, repeatEps));
            Array logprobEmit = x._1, logprobPhi = x._2, pad = x._3.reshape(batch, 1);
            Array nextEmit = io.jax4j.Nn.logaddexp(Np.add(prevPhi.get(":", ":-1"), logprobEmit), Np.add(prevEmit, logprobEmit));
            Array nextPhi = Np.add(prevPhi, logprobPhi);
            // emit-to-blank transition through a blank frame, only before a repeated label
            nextPhi = addToPhi(nextPhi, Np.add(Np.add(prevEmit, logprobPhi), notRepeatEps));
            Array keep = Np.subtract(one, pad);
            nextEmit = Np.add(Np.multiply(pad, prevEmit), Np.multiply(keep, nextEmit));
            nextPhi = Np.add(Np.multiply(pad, prevPhiOrig), Np.multiply(keep, nextPhi));
            var next = io.vavr.Tuple.of(nextPhi, nextEmit);
            return io.vavr.Tuple.of(next, next);
        }, io.vavr.Tuple.of(phiInit, emitInit), xs);
        Array logalphaPhi = scanned._2._1, logalphaEmit = scanned._2._2;
        // the last frame still takes the final emit-to-blank epsilon transition
        Array phiLast = addToPhi(logalphaPhi.get(-1), logalphaEmit.get(-1));
        logalphaPhi = logalphaPhi.at(-1).set(phiLast);
        Array pick = io.jax4j.Nn.oneHot(labelLens, maxLabelLen + 1, dt);
        Array loss = Np.negative(Np.einsum("bn,bn->b", phiLast, pick));
        return new CtcForward(loss, logalphaPhi, logalphaEmit);
    }

    /** {@code phi[:, 1:] = logaddexp(phi[:, 1:], added)}, the blank state after each label. */
    private static Array addToPhi(Array phi, Array added) {
        return Np.concatenate(java.util.List.of(phi.get(":", ":1"), io.jax4j.Nn.logaddexp(phi.get(":", "1:"), added)), -1);
    }

    private static void checkCtcArguments(Array logits, Array logitPaddings, Array labels, Array labelPaddings, int blankId) {
        String fix = " (logits [B, T, K], logit_paddings [B, T], labels [B, N], label_paddings [B, N])";
        if (logits.ndim() != 3 || !logits.dtype().isFloating()) {
            throw new IllegalArgumentException("ctc_loss: logits must be a float array [B, T, K], got " + logits.aval().str() + fix);
        }
        if (labels.ndim() != 2 || labels.dtype().isFloating() || labels.dtype() == io.jax4j.DType.BOOL) {
            throw new IllegalArgumentException("ctc_loss: labels must be integers [B, N], got " + labels.aval().str() + fix);
        }
        if (!java.util.Arrays.equals(labelPaddings.shape(), labels.shape())) {
            throw new IllegalArgumentException("ctc_loss: label_paddings " + labelPaddings.aval().str() + " must have the labels' shape "
                    + labels.aval().str() + fix);
        }
        if (!java.util.Arrays.equals(logitPaddings.shape(), new int[]{logits.dim(0), logits.dim(1)})) {
            throw new IllegalArgumentException("ctc_loss: logit_paddings " + logitPaddings.aval().str() + " must be [B, T] = ["
                    + logits.dim(0) + ", " + logits.dim(1) + "] for logits " + logits.aval().str() + fix);
        }
        if (labels.dim(0) != logits.dim(0)) {
            throw new IllegalArgumentException("ctc_loss: expected labels to have batch size " + logits.dim(0) + ", got "
                    + labels.aval().str() + fix);
        }
        if (logits.dim(1) == 0) throw new IllegalArgumentException("ctc_loss: logits " + logits.aval().str() + " have no frames (T = 0)");
        if (blankId < 0 || blankId >= logits.dim(2)) {
            throw new IllegalArgumentException("ctc_loss: blank_id " + blankId + " is not a class of logits " + logits.aval().str()
                    + " (0 <= blank_id < " + logits.dim(2) + ")");
        }
    }

    private static void requireFloat(String fn, Array x) {
        if (!x.dtype().isFloating()) throw new IllegalArgumentException(fn + ": needs a float array, got " + x.aval().str());
    }
}
