package io.jax4j.examples.train;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Lax;
import io.jax4j.Np;
import io.jax4j.Random;
import io.jax4j.autodiff.HasAux;
import io.jax4j.autodiff.Jax;
import io.jax4j.autodiff.JitOptions;
import io.jax4j.linen.Applied;
import io.jax4j.linen.Apply;
import io.jax4j.linen.Dict;
import io.jax4j.linen.TrainState;
import io.jax4j.linen.Variables;
import io.jax4j.optim.GradientTransformation;
import io.jax4j.optim.Losses;
import io.jax4j.optim.Optim;
import io.jax4j.optim.Schedule;
import io.jax4j.optim.Schedules;
import io.vavr.Function2;
import io.vavr.Function3;

import java.util.List;

/**
 * The tutorial's training functions, one to one:
 * <pre>{@code
 * def create_learning_rate_fn(config, base_learning_rate, steps_per_epoch)   -> learningRateFn
 * class TrainState(train_state.TrainState): batch_stats; key               -> TrainState<Extra>
 * def create_train_state(...)                                               -> createTrainState
 * @jax.jit def train_step(state, batch)                                     -> trainStep (jitted)
 * @jax.jit def eval_step(state, batch)                                      -> evalStep (jitted)
 * }</pre>
 */
public final class Training {
    private Training() {}

    /** The fields the tutorial adds to {@code TrainState}: the BatchNorm statistics and the dropout key. */
    public record Extra(Dict batchStats, Array key) {}

    /** A batch's mean loss and accuracy (scalars). */
    public record Metrics(Array loss, Array accuracy) {}

    /** What {@code train_step} returns: the next state and the batch's metrics. */
    public record StepOut(TrainState<Extra> state, Metrics metrics) {}

    /** What the loss function returns as aux: the logits and the updated BatchNorm statistics. */
    public record Aux(Array logits, Dict batchStats) {}

    /**
     * {@code create_learning_rate_fn}: a linear warm-up from 0 to {@code baseLr} over
     * {@code warmupEpochs}, then a cosine decay to 0 over the remaining epochs (at least one).
     */
    public static Schedule learningRateFn(double baseLr, int warmupEpochs, int numEpochs, int stepsPerEpoch) {
        Schedule warmup = Schedules.linear(0.0, baseLr, warmupEpochs * stepsPerEpoch);
        int cosineEpochs = Math.max(numEpochs - warmupEpochs, 1);
        Schedule cosine = Schedules.cosineDecay(baseLr, cosineEpochs * stepsPerEpoch);
        return Schedules.joinSchedules(List.of(warmup, cosine), new int[]{warmupEpochs * stepsPerEpoch});
    }

    /**
     * {@code create_train_state}: the model initialised with {@code paramsKey} on a dummy batch of
     * {@code inputShape} (batch dimension 1), SGD with momentum on the schedule.
     */
    public static TrainState<Extra> createTrainState(Cnn model, Array paramsKey, Array dropoutKey, int[] inputShape,
                                                     GradientTransformation tx) {
        int[] shape = inputShape.clone();
        shape[0] = 1;
        Variables v = model.init(paramsKey, () -> model.call(Array.ones(shape), false));
        return TrainState.create(model::apply, v.get("params"), tx, new Extra(v.get("batch_stats"), dropoutKey));
    }

    /** The tutorial's optimizer: {@code optax.sgd(learning_rate_fn, momentum)}. */
    public static GradientTransformation sgd(Schedule lr, double momentum) { return Optim.sgd(lr, momentum); }

    /**
     * The jitted {@code train_step} of {@code model}, {@code jax.jit(train_step, donate_argnums=0)}: the
     * state's buffers are updated in place, so the caller must use only the state it returns.
     */
    public static Function3<TrainState<Extra>, Array, Array, StepOut> trainStep(Cnn model) {
        return Jax.jit((TrainState<Extra> state, Array images, Array labels) -> trainStepBody(model, state, images, labels),
                new JitOptions("train_step", java.util.Set.of(0)));
    }

    /**
     * The data-parallel {@code train_step}, {@code jax.jit(jax.pmap(train_step, axis_name='batch',
     * in_axes=(None, 0, 0), out_axes=None), donate_argnums=0)}: images {@code [replicas, rows, H, W, C]}
     * and labels {@code [replicas, rows]}, one shard of the batch per replica (in a multi-process run,
     * this process's replicas); the state and the metrics come back replicated. The gradients, the
     * loss, the accuracy and the BatchNorm statistics are averaged over every replica, and dropout
     * masks are the whole batch's ({@link Cnn#dataParallel}), so the step equals the one-device step
     * on the whole batch up to floating-point reduction order.
     */
    public static Function3<TrainState<Extra>, Array, Array, StepOut> dataParallelTrainStep(Cnn model) {
        Cnn sharded = model.dataParallel(BATCH_AXIS);
        var step = Jax.pmap((TrainState<Extra> state, Array images, Array labels) -> trainStepBody(sharded, state, images, labels, BATCH_AXIS),
                BATCH_AXIS, io.jax4j.autodiff.InAxes.of(null, 0, 0), null);
        return Jax.jit(step, new JitOptions("train_step", java.util.Set.of(0)));
    }

    /** The mapped axis of the data-parallel step. */
    public static final String BATCH_AXIS = "batch";

    /**
     * The tutorial's {@code train_step}: the dropout key folded with the step, the loss and its
     * gradient with the logits and batch statistics as aux, the optimizer step, the new statistics.
     */
    public static StepOut trainStepBody(Cnn model, TrainState<Extra> state, Array images, Array labels) {
        return trainStepBody(model, state, images, labels, null);
    }

    /** {@link #trainStepBody} on one shard of the batch, averaging gradients and metrics over {@code axisName} (null: one device). */
    static StepOut trainStepBody(Cnn model, TrainState<Extra> state, Array images, Array labels, String axisName) {
        Array dropoutKey = Random.foldIn(state.extra().key(), state.step());
        var grad = Jax.valueAndGradWithAux((Dict params) -> {
            Variables vars = Variables.of("params", params, "batch_stats", state.extra().batchStats());
            Apply[] options = {Apply.mutable("batch_stats"), Apply.rngs("dropout", dropoutKey)};
            // data-parallel, the sharded variant of the state's model (same variables) is the root module
            Applied<Array> out = axisName == null ? state.apply(vars, () -> model.call(images, true), options)
                    : model.apply(vars, () -> model.call(images, true), options);
            Array loss = Losses.softmaxCrossEntropyWithIntegerLabels(out.value(), labels).mean();
            return HasAux.of(loss, new Aux(out.value(), out.updates().get("batch_stats")));
        });
        var r = grad.apply(state.params());
        Dict grads = r.grad();
        Array loss = r.value(), acc = accuracy(r.aux().logits(), labels);
        if (axisName != null) {
            grads = Lax.pmean(grads, axisName);
            loss = Lax.pmean(loss, axisName);
            acc = Lax.pmean(acc, axisName);
        }
        TrainState<Extra> next = state.applyGradients(grads).withExtra(new Extra(r.aux().batchStats(), state.extra().key()));
        return new StepOut(next, new Metrics(loss, acc));
    }

    /** The jitted {@code eval_step}: loss and accuracy with the running BatchNorm statistics, no dropout. */
    public static Function3<TrainState<Extra>, Array, Array, Metrics> evalStep(Cnn model) {
        return Jax.jit((TrainState<Extra> state, Array images, Array labels) -> {
            Array logits = state.apply(Variables.of("params", state.params(), "batch_stats", state.extra().batchStats()),
                    () -> model.call(images, false)).value();
            return new Metrics(Losses.softmaxCrossEntropyWithIntegerLabels(logits, labels).mean(), accuracy(logits, labels));
        }, JitOptions.named("eval_step"));
    }

    /** The jitted logits of a batch in eval mode (predictions). */
    public static Function2<TrainState<Extra>, Array, Array> predict(Cnn model) {
        return Jax.jit((TrainState<Extra> state, Array images) -> state.apply(
                Variables.of("params", state.params(), "batch_stats", state.extra().batchStats()),
                () -> model.call(images, false)).value(), JitOptions.named("predict"));
    }

    /** {@code jnp.mean(jnp.argmax(logits, -1) == labels)}. */
    public static Array accuracy(Array logits, Array labels) {
        return Np.equal(Np.argmax(logits, -1), labels).astype(DType.F32).mean();
    }
}
