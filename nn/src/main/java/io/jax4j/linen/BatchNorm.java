package io.jax4j.linen;

import io.jax4j.Array;
import io.jax4j.Init;
import io.jax4j.Np;

/**
 * {@code flax.linen.BatchNorm}: in training ({@code useRunningAverage = false}) normalises with the
 * batch statistics and, unless initialising, updates the running averages in {@code batch_stats}
 * ({@code mean}, {@code var}: {@code ra = momentum * ra + (1 - momentum) * batch}), which must be
 * mutable; in evaluation it normalises with the running averages. {@code scale} and {@code bias} are
 * params.
 */
public record BatchNorm(Boolean useRunningAverage, int axis, double momentum, double epsilon, boolean useBias, boolean useScale,
                        Init.Initializer biasInit, Init.Initializer scaleInit, String name, String axisName) implements LinenModule, Layer {

    public static Builder builder() { return new Builder(); }

    /** {@code nn.BatchNorm()} with Flax's defaults (momentum 0.99, epsilon 1e-5); {@code useRunningAverage} given to {@code call}. */
    public BatchNorm() { this(null, -1, 0.99, 1e-5, true, true, Init.zeros(), Init.ones(), null, null); }

    /** {@code nn.BatchNorm(use_running_average=...)}, as the other layers' constructors: the rest Flax's defaults. */
    public BatchNorm(boolean useRunningAverage) { this(useRunningAverage, -1, 0.99, 1e-5, true, true, Init.zeros(), Init.ones(), null, null); }

    /** {@code nn.BatchNorm(use_running_average, momentum=..., epsilon=...)}. */
    public BatchNorm(boolean useRunningAverage, double momentum, double epsilon) {
        this(useRunningAverage, -1, momentum, epsilon, true, true, Init.zeros(), Init.ones(), null, null);
    }

    @Override
    public Array call(Array x) { return call(x, null); }

    /** {@code useRunningAverage} given here overrides (merges with) the field, as in Flax. */
    public Array call(Array x, Boolean useRunningAverageArg) {
        boolean useRa = mergeParam(useRunningAverage, useRunningAverageArg);
        return compact(() -> {
            int[] featureAxes = Normalization.canonicalAxes(x.ndim(), axis);
            int[] reductionAxes = Normalization.complement(x.ndim(), featureAxes);
            int[] featureShape = new int[featureAxes.length];
            for (int i = 0; i < featureAxes.length; i++) featureShape[i] = x.dim(featureAxes[i]);
            String what = "the feature axes " + java.util.Arrays.toString(featureAxes) + " of the input " + x.aval().str();
            VariableRef raMean = variable("batch_stats", "mean", () -> Array.zeros(featureShape)).requireShape(featureShape, what);
            VariableRef raVar = variable("batch_stats", "var", () -> Array.ones(featureShape)).requireShape(featureShape, what);
            Array mean, var;
            if (useRa) {
                mean = raMean.value();
                var = raVar.value();
            } else {
                Normalization.Stats s = Normalization.compute(x, reductionAxes, axisName);
                mean = s.mean();
                var = s.var();
                if (!isInitializing()) {
                    raMean.set(Np.add(raMean.value().mul((float) momentum), mean.mul((float) (1 - momentum))));
                    raVar.set(Np.add(raVar.value().mul((float) momentum), var.mul((float) (1 - momentum))));
                }
            }
            return Normalization.normalize(this, x, mean, var, reductionAxes, featureAxes, epsilon, useBias, useScale, biasInit, scaleInit);
        });
    }

    static boolean mergeParam(Boolean field, Boolean arg) {
        if (field != null && arg != null) {
            throw new io.jax4j.core.Jax4jException("BatchNorm: useRunningAverage was given both as a field and as a call argument; give it once");
        }
        if (field == null && arg == null) {
            throw new io.jax4j.core.Jax4jException("BatchNorm: useRunningAverage must be given, as a field (builder) or as a call argument");
        }
        return field != null ? field : arg;
    }

    public static final class Builder {
        private Boolean useRunningAverage;
        private int axis = -1;
        private double momentum = 0.99;
        private double epsilon = 1e-5;
        private boolean useBias = true, useScale = true;
        private Init.Initializer biasInit = Init.zeros(), scaleInit = Init.ones();
        private String name;
        private String axisName;

        /**
         * Flax's {@code axis_name}: the batch statistics averaged over the replicas of this named
         * mapped axis ({@code Jax.pmap(f, "batch")}), as one BatchNorm over the global batch.
         */
        public Builder axisName(String v) { this.axisName = v; return this; }

        public Builder useRunningAverage(boolean v) { this.useRunningAverage = v; return this; }
        public Builder axis(int v) { this.axis = v; return this; }
        public Builder momentum(double v) { this.momentum = v; return this; }
        public Builder epsilon(double v) { this.epsilon = v; return this; }
        public Builder useBias(boolean v) { this.useBias = v; return this; }
        public Builder useScale(boolean v) { this.useScale = v; return this; }
        public Builder biasInit(Init.Initializer v) { this.biasInit = v; return this; }
        public Builder scaleInit(Init.Initializer v) { this.scaleInit = v; return this; }
        public Builder name(String v) { this.name = v; return this; }
        public BatchNorm build() {
            return new BatchNorm(useRunningAverage, axis, momentum, epsilon, useBias, useScale, biasInit, scaleInit, name, axisName);
        }
    }
}
