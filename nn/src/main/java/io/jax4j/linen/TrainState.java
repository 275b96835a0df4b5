package io.jax4j.linen;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.optim.GradientTransformation;
import io.jax4j.optim.Optim;
import io.jax4j.serialization.SerializationException;
import io.jax4j.serialization.StateDictNode;
import io.jax4j.tree.Static;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SequencedMap;

/**
 * {@code flax.training.train_state.TrainState}: the step, the params, the optimizer and its state,
 * plus the user's extra fields (the tutorial's batch stats and dropout key) in a typed record
 * {@code E} — Java records cannot be subclassed, so {@code TrainState<Extra>} stands for Flax's
 * subclass. A pytree: jit takes and returns it; {@code applyFn} and {@code tx} are static.
 *
 * <p>Its Flax state dict is the subclass's: {@code {"step", "params", "opt_state"}} followed by the
 * fields of {@code extra} at the top level ({@code {"batch_stats", "key"}} for {@code record
 * Extra(Dict batchStats, Array key)}), so {@code flax.serialization.from_bytes} reads what
 * {@code FlaxSerialization.toBytes(state)} writes and a Flax run resumes here. {@code extra} is a
 * record (its {@code @Static} components are not saved) or null (nothing saved).
 */
public record TrainState<E>(Array step, @Static ApplyFn applyFn, Dict params, @Static GradientTransformation tx, Object optState, E extra)
        implements StateDictNode {

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

    /** Flax's layout: {@code step}, {@code params}, {@code opt_state}, then the fields of {@code extra}. */
    @Override
    public SequencedMap<String, Object> stateDictChildren() {
        var out = new LinkedHashMap<String, Object>();
        out.put("step", step);
        out.put("params", params);
        out.put("opt_state", optState);
        extraFields().forEach((name, value) -> {
            if (out.containsKey(name)) {
                throw new SerializationException("TrainState: the extra field '" + name + "' of " + extra.getClass().getSimpleName()
                        + " collides with TrainState's own '" + name + "' in the state dict; rename the extra record's component");
            }
            out.put(name, value);
        });
        return out;
    }

    /** This state (its applyFn and tx kept) holding the restored step, params, opt_state and extra fields. */
    @Override
    @SuppressWarnings("unchecked")
    public TrainState<E> withStateDictChildren(Map<String, Object> children) {
        E e = extra instanceof Record r ? (E) StateDictNode.withRecordFields(r, children) : extra;
        return new TrainState<>((Array) children.get("step"), applyFn, (Dict) children.get("params"), tx, children.get("opt_state"), e);
    }

    private SequencedMap<String, Object> extraFields() {
        return switch (extra) {
            case null -> new LinkedHashMap<>();
            case Record r -> StateDictNode.recordFields(r);
            default -> throw new SerializationException("TrainState: extra is a " + extra.getClass().getName()
                    + ", but its fields go into the state dict next to step and params, as Flax's TrainState subclass fields do;"
                    + " make extra a record (e.g. record Extra(Dict batchStats, Array key)) or null");
        };
    }

    /** Runs the model's apply function. */
    public <T> Applied<T> apply(java.util.Map<String, ?> variables, java.util.function.Supplier<T> call, Apply... options) {
        return applyFn.apply(variables, call, options);
    }
}
