package io.jax4j.bench;

import io.jax4j.Array;
import io.jax4j.Nn;
import io.jax4j.Np;
import io.jax4j.Pooling;
import io.jax4j.Random;
import io.jax4j.autodiff.HasAux;
import io.jax4j.autodiff.Jax;
import io.jax4j.linen.Applied;
import io.jax4j.linen.Apply;
import io.jax4j.linen.BatchNorm;
import io.jax4j.linen.Conv;
import io.jax4j.linen.Dense;
import io.jax4j.linen.Dict;
import io.jax4j.linen.Dropout;
import io.jax4j.linen.LinenModule;
import io.jax4j.linen.TrainState;
import io.jax4j.linen.Variables;
import io.jax4j.optim.Losses;
import io.jax4j.optim.Optim;
import io.jax4j.optim.Schedules;
import io.vavr.Function2;
import io.vavr.Function3;

/**
 * The train-step workloads W1–W3 (listed in the README), built from {@code io.jax4j.linen} and {@code io.jax4j.optim}
 * exactly as a user writes them: W1 (MLP 784-512-512-10, Adam 1e-3), W2 (the Flax MNIST CNN, SGD
 * momentum 0.9) and W3 (W1 with BatchNorm and Dropout 0.5 after each hidden layer, Adam on warm-up
 * + cosine), all batch 128 with integer labels and softmax cross-entropy. Each step is jitted with
 * its train state donated ({@code jax.jit(train_step, donate_argnums=0)}), as JAX's performance
 * guides advise for a training loop: the new state is written into the old one's buffers.
 */
public final class Workloads {
    private Workloads() {}

    public static final int BATCH = 128;

    /** A batch of inputs and integer labels. */
    public record Batch(Array x, Array y) {}

    /** {@code state -> state}: one jitted train step with a fixed batch. */
    public interface Step {
        Object init();

        Object step(Object state);

        /** The loss of the last state a step returned (for sanity checks). */
        double loss(Object result);

        /** The step's jaxpr (traced, not run), e.g. to find its GEMMs. */
        io.jax4j.ir.Jaxpr jaxpr();

    }

    record Mlp(boolean bnDropout) implements LinenModule {
        Array call(Array x, boolean train) {
            return compact(() -> {
                Array h = x;
                for (int i = 0; i < 2; i++) {
                    h = new Dense(512).call(h);
                    if (bnDropout) h = BatchNorm.builder().useRunningAverage(!train).momentum(0.9).build().call(h);
                    h = Nn.relu(h);
                    if (bnDropout) h = new Dropout(0.5, !train).call(h);
                }
                return new Dense(10).call(h);
            });
        }
    }

    /** The Flax tutorial's CNN. */
    record Cnn() implements LinenModule {
        Array call(Array x) {
            return compact(() -> {
                Array h = Nn.relu(new Conv(32, 3, 3).call(x));
                h = Pooling.avgPool(h, new int[]{2, 2}, new int[]{2, 2}, "VALID");
                h = Nn.relu(new Conv(64, 3, 3).call(h));
                h = Pooling.avgPool(h, new int[]{2, 2}, new int[]{2, 2}, "VALID");
                h = Np.reshape(h, h.dim(0), -1);
                h = Nn.relu(new Dense(256).call(h));
                return new Dense(10).call(h);
            });
        }
    }

    public record Result<S>(TrainState<S> state, Array loss) {}

    record Extra(Dict batchStats, Array key) {}

    public static Batch batch(int... shape) {
        return new Batch(Random.normal(Random.key(1), shape), Random.randint(Random.key(2), new int[]{shape[0]}, 0, 10));
    }

    /** W1: MLP 784-512-512-10, ReLU, Adam 1e-3. */
    public static Step w1() { return w1(true); }

    /** W1 with its train state donated or not (the soak compares the two). */
    public static Step w1(boolean donate) {
        Mlp model = new Mlp(false);
        Batch b = batch(BATCH, 784);
        Variables v = model.init(Random.key(0), () -> model.call(b.x(), false));
        TrainState<Void> s0 = TrainState.create(model::apply, v.get("params"), Optim.adam(1e-3));
        Function2<TrainState<Void>, Batch, Result<Void>> step = (state, batch) -> {
            var r = Jax.valueAndGrad((Dict p) -> Np.mean(Losses.softmaxCrossEntropyWithIntegerLabels(
                    state.apply(Variables.of("params", p), () -> model.call(batch.x(), true)).value(), batch.y())))
                    .apply(state.params());
            return new Result<>(state.applyGradients(r.grad()), r.value());
        };
        return simple(s0, b, step, donate);
    }

    /** W2: the Flax MNIST CNN, SGD momentum 0.9 (lr 0.1). */
    public static Step w2() {
        Cnn model = new Cnn();
        Batch b = batch(BATCH, 28, 28, 1);
        Variables v = model.init(Random.key(0), () -> model.call(b.x()));
        TrainState<Void> s0 = TrainState.create(model::apply, v.get("params"), Optim.sgd(0.1, 0.9));
        Function2<TrainState<Void>, Batch, Result<Void>> step = (state, batch) -> {
            var r = Jax.valueAndGrad((Dict p) -> Np.mean(Losses.softmaxCrossEntropyWithIntegerLabels(
                    state.apply(Variables.of("params", p), () -> model.call(batch.x())).value(), batch.y())))
                    .apply(state.params());
            return new Result<>(state.applyGradients(r.grad()), r.value());
        };
        return simple(s0, b, step, true);
    }

    /** W3: W1 with BatchNorm (momentum 0.9) and Dropout 0.5, Adam on warm-up + cosine. */
    public static Step w3() {
        Mlp model = new Mlp(true);
        Batch b = batch(BATCH, 784);
        Variables v = model.init(Random.key(0), () -> model.call(b.x(), false));
        TrainState<Extra> s0 = TrainState.create(model::apply, v.get("params"),
                Optim.adam(Schedules.warmupCosineDecay(0.0, 1e-3, 100, 10_000, 1e-5)), new Extra(v.get("batch_stats"), Random.key(3)));
        Function2<TrainState<Extra>, Batch, Result<Extra>> step = (state, batch) -> {
            Array key = Random.foldIn(state.extra().key(), state.step());
            Function2<Dict, Object, HasAux<Dict>> lossFn = (p, unused) -> {
                Applied<Array> out = state.apply(Variables.of("params", p, "batch_stats", state.extra().batchStats()),
                        () -> model.call(batch.x(), true), Apply.mutable("batch_stats"), Apply.rngs("dropout", key));
                return HasAux.of(Np.mean(Losses.softmaxCrossEntropyWithIntegerLabels(out.value(), batch.y())),
                        out.updates().get("batch_stats"));
            };
            var r = Jax.valueAndGradWithAux(lossFn).apply(state.params(), null);
            TrainState<Extra> next = state.applyGradients(r.grad()).withExtra(new Extra(r.aux(), state.extra().key()));
            return new Result<>(next, r.value());
        };
        return simple(s0, b, step, true);
    }

    /**
     * W1 ({@code w2 == false}) or W2 data-parallel: {@code jax.jit(jax.pmap(train_step, 'batch',
     * in_axes=(None, 0), out_axes=None), donate_argnums=0)} over {@code replicas} replicas of this
     * process (with the processes of a multi-process run), the global batch of 128 split evenly
     * over all of them, the gradients averaged with {@code pmean}.
     */
    public static Step dataParallel(boolean w2, int replicas) {
        LinenModule model = w2 ? new Cnn() : new Mlp(false);
        int shards = replicas * Jax.processCount(), rows = BATCH / shards;
        Batch global = w2 ? batch(BATCH, 28, 28, 1) : batch(BATCH, 784);
        int first = Jax.processIndex() * replicas * rows;
        int[] shape = global.x().shape();
        int[] mine = shape.clone();
        mine[0] = replicas * rows;
        int[] split = new int[shape.length + 1];
        split[0] = replicas;
        split[1] = rows;
        System.arraycopy(shape, 1, split, 2, shape.length - 1);
        int[] start = new int[shape.length];
        start[0] = first;
        int[] limit = shape.clone();
        limit[0] = first + replicas * rows;
        Batch b = new Batch(io.jax4j.Lax.slice(global.x(), start, limit).reshape(split),
                io.jax4j.Lax.slice(global.y(), new int[]{first}, new int[]{first + replicas * rows}).reshape(replicas, rows));
        java.util.function.Function<Array, Array> forward = w2 ? ((Cnn) model)::call : x -> ((Mlp) model).call(x, true);
        Variables v = model.init(Random.key(0), () -> forward.apply(global.x()));
        TrainState<Void> s0 = TrainState.create(model::apply, v.get("params"), w2 ? Optim.sgd(0.1, 0.9) : Optim.adam(1e-3));
        Function2<TrainState<Void>, Batch, Result<Void>> replica = (state, batch) -> {
            var r = Jax.valueAndGrad((Dict p) -> Np.mean(Losses.softmaxCrossEntropyWithIntegerLabels(
                    state.apply(Variables.of("params", p), () -> forward.apply(batch.x())).value(), batch.y())))
                    .apply(state.params());
            return new Result<>(state.applyGradients(io.jax4j.Lax.pmean(r.grad(), "batch")), io.jax4j.Lax.pmean(r.value(), "batch"));
        };
        Function2<TrainState<Void>, Batch, Result<Void>> pmapped = Jax.pmap(replica, "batch", io.jax4j.autodiff.InAxes.of(null, 0), null);
        return simple(s0, b, pmapped, true);
    }

    @SuppressWarnings("unchecked")
    private static <S> Step simple(TrainState<S> s0, Batch b, Function2<TrainState<S>, Batch, Result<S>> raw, boolean donate) {
        Function2<TrainState<S>, Batch, Result<S>> step = donate ? Jax.jit(raw, io.jax4j.autodiff.JitOptions.donate(0)) : Jax.jit(raw);
        return new Step() {
            @Override
            public io.jax4j.ir.Jaxpr jaxpr() {
                return Jax.makeJaxpr((io.vavr.Tuple2<TrainState<S>, Batch> t) -> raw.apply(t._1(), t._2()))
                        .apply(io.vavr.Tuple.of(s0, b)).jaxpr();
            }


            @Override
            public Object init() { return new Result<>(s0, null); }

            @Override
            public Object step(Object state) { return step.apply(((Result<S>) state).state(), b); }

            @Override
            public double loss(Object result) { return ((Result<S>) result).loss().toDoubleArray()[0]; }
        };
    }
}
