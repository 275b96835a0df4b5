package io.jax4j.optim;

import io.jax4j.Array;

import java.util.Objects;

/**
 * A learning rate as Optax accepts it: a constant (scaled statelessly, {@link EmptyState}), a
 * {@link Schedule} of the step (with a {@link ScaleByScheduleState} counter), or an array (the
 * form {@link Optim#injectHyperparams} hands to its factory).
 */
public sealed interface LearningRate {

    record Constant(double value) implements LearningRate {}

    record Scheduled(Schedule schedule) implements LearningRate {
        public Scheduled { Objects.requireNonNull(schedule, "schedule is null"); }
    }

    record Dynamic(Array value) implements LearningRate {
        public Dynamic { Objects.requireNonNull(value, "value is null"); }
    }

    static LearningRate of(double value) { return new Constant(value); }

    static LearningRate of(Schedule schedule) { return new Scheduled(schedule); }

    static LearningRate of(Array value) { return new Dynamic(value); }
}
