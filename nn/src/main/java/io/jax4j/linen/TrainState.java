package io.jax4j.linen;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.optim.GradientTransformation;
import io.jax4j.optim.Optim;
import io.jax4j.tree.Static;

/**
 * {@code flax.training.train_state.TrainState}: the step, the params, the optimizer and its state,
 * plus the user's extra fields (the tutorial's batch stats and dropout key) in a typed record
 * {@code E} — Java records cannot be subclassed, so {@code TrainState<Extra>} stands for Flax's
 * subclass. A pytree: jit takes and returns it; {@code applyFn} and {@code tx} are static.
 */
public record TrainState<E>(Array step, @Static ApplyFn applyFn, Dict params, @Static GradientTransformation tx, Object optState, E extra) {

    /** The model's apply function, as Flax stores {@code model.apply}. */
    @FunctionalInterface
    public interface ApplyFn {
        <T> Applied<T> apply(java.util.Map<String, ?> variables, java.util.function.Supplier<T> call, Apply... options);
    }

    public static <E> TrainState<E> create(ApplyFn applyFn, Dict params, GradientTransformation tx, E extra) {
        return new TrainState<>(Array.scalar(0), applyFn, params, tx, tx.init(params), extra);
    }

    public static TrainState<Void> create(ApplyFn applyFn, Dict params, GradientTransformation tx) {
        return create(applyFn, params, tx, null);
    }

    /** One optimizer step: {@code updates, opt_state = tx.update(grads, opt_state, params)}, params updated, step + 1. */
    public TrainState<E> applyGradients(Object grads) {
        var r = tx.update(grads, optState, params);
        Dict newParams = (Dict) Optim.applyUpdates(params, r.updates());
        return new TrainState<>(step.add(1), applyFn, newParams, tx, r.state(), extra);
    }

    public TrainState<E> withParams(Dict p) { return new TrainState<>(step, applyFn, p, tx, optState, extra); }

    public TrainState<E> withExtra(E e) { return new TrainState<>(step, applyFn, params, tx, optState, e); }

    public TrainState<E> withOptState(Object s) { return new TrainState<>(step, applyFn, params, tx, s, extra); }

    public TrainState<E> withStep(Array s) {
        if (s.dtype() != DType.I32 || s.ndim() != 0) throw new IllegalArgumentException("step must be an i32[] scalar, got " + s.aval().str());
        return new TrainState<>(s, applyFn, params, tx, optState, extra);
    }

    /** Runs the model's apply function. */
    public <T> Applied<T> apply(java.util.Map<String, ?> variables, java.util.function.Supplier<T> call, Apply... options) {
        return applyFn.apply(variables, call, options);
    }
}
