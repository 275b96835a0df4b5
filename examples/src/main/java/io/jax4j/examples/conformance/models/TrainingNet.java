package io.jax4j.examples.conformance.models;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Nn;
import io.jax4j.Np;
import io.jax4j.Random;
import io.jax4j.autodiff.HasAux;
import io.jax4j.autodiff.Jax;
import io.jax4j.linen.Applied;
import io.jax4j.linen.Apply;
import io.jax4j.linen.BatchNorm;
import io.jax4j.linen.Dense;
import io.jax4j.linen.Dict;
import io.jax4j.linen.Dropout;
import io.jax4j.linen.LinenModule;
import io.jax4j.linen.TrainState;
import io.jax4j.linen.Variables;
import io.jax4j.optim.GradientTransformation;
import io.jax4j.optim.Losses;
import io.vavr.Function3;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The network of the reference script's training trajectories: Dense(16), BatchNorm(momentum 0.9),
 * relu, Dropout(rate), Dense(3); and its jitted train step ({@link #trainStep}) as the script writes
 * it: a TrainState with batch stats and a key, the dropout key {@code fold_in(state.key, state.step)},
 * a loss function returning the logits and the batch-stats updates as aux.
 */
public record TrainingNet(double dropout) implements LinenModule {
    public Array call(Array x, boolean train) {
        return compact(() -> {
            Array h = new Dense(16).call(x);
            h = BatchNorm.builder().useRunningAverage(!train).momentum(0.9).build().call(h);
            h = Nn.relu(h);
            h = new Dropout(dropout, !train).call(h);
            return new Dense(3).call(h);
        });
    }

    /** The TrainState's extra fields of the script's {@code TS(TrainState)}: batch_stats and key. */
    public record Extra(Dict batchStats, Array key) {}

    /** What one step returns: the new state, the batch loss and the batch accuracy. */
    public record StepOut(TrainState<Extra> state, Array loss, Array accuracy) {}

    public record Aux(Array logits, Variables updates) {}

    /** A fresh TrainState: {@code params} and {@code batch_stats} of {@code variables}, the optimizer and the dropout key. */
    public TrainState<Extra> createState(Variables variables, GradientTransformation tx, Array key) {
        return TrainState.create(this::apply, variables.get("params"), tx, new Extra(variables.get("batch_stats"), key));
    }

    /** The jitted {@code train_step(state, x, y)}; {@code traces} counts how often it is traced. */
    public Function3<TrainState<Extra>, Array, Array, StepOut> trainStep(AtomicInteger traces) { return trainStep(true, traces); }

    /** {@code train_step(state, x, y)}, jitted or eager; {@code traces} counts the calls of the Python-level body. */
    public Function3<TrainState<Extra>, Array, Array, StepOut> trainStep(boolean jit, AtomicInteger traces) {
        Function3<TrainState<Extra>, Array, Array, StepOut> step = (st, xb, yb) -> {
            traces.incrementAndGet();
            Array dk = Random.foldIn(st.extra().key(), st.step());
            var grad = Jax.valueAndGradWithAux((Dict p) -> {
                Applied<Array> out = st.apply(Variables.of("params", p, "batch_stats", st.extra().batchStats()), () -> call(xb, true),
                        Apply.mutable("batch_stats"), Apply.rngs("dropout", dk));
                Array loss = Np.mean(Losses.softmaxCrossEntropyWithIntegerLabels(out.value(), yb));
                return new HasAux<>(loss, new Aux(out.value(), out.updates()));
            }).apply(st.params());
            TrainState<Extra> next = st.applyGradients(grad.grad())
                    .withExtra(new Extra(grad.aux().updates().get("batch_stats"), st.extra().key()));
            return new StepOut(next, grad.value(), accuracy(grad.aux().logits(), yb));
        };
        return jit ? Jax.jit(step) : step;
    }

    /** The eval-mode logits of {@code x} with the given params and batch stats. */
    public Array eval(Dict params, Dict batchStats, Array x) {
        return apply(Variables.of("params", params, "batch_stats", batchStats), () -> call(x, false)).value();
    }

    /** {@code mean(argmax(logits, -1) == labels)} as float32. */
    public static Array accuracy(Array logits, Array labels) {
        return Np.mean(Np.astype(Np.equal(Np.argmax(logits, -1), labels), DType.F32));
    }

    /** Rows {@code [from, to)} of {@code a} (host-side slicing of the data set). */
    public static Array rows(Array a, int from, int to) {
        int[] shape = a.shape();
        int rowSize = Arrays.stream(shape).skip(1).reduce(1, (p, q) -> p * q);
        shape[0] = to - from;
        if (a.dtype().isFloating()) {
            double[] d = Arrays.copyOfRange(a.toDoubleArray(), from * rowSize, to * rowSize);
            return Array.fromDoubles(a.dtype(), d, shape);
        }
        int[] d = Arrays.copyOfRange(a.toIntArray(), from * rowSize, to * rowSize);
        return Array.fromInts(d, shape);
    }
}
