package io.jax4j.checkpoint;

import io.jax4j.Array;
import io.jax4j.Nn;
import io.jax4j.Np;
import io.jax4j.Random;
import io.jax4j.autodiff.HasAux;
import io.jax4j.autodiff.Jax;
import io.jax4j.autodiff.ValueAndGradWithAux;
import io.jax4j.linen.Apply;
import io.jax4j.linen.Applied;
import io.jax4j.linen.BatchNorm;
import io.jax4j.linen.Dense;
import io.jax4j.linen.Dict;
import io.jax4j.linen.Dropout;
import io.jax4j.linen.LinenModule;
import io.jax4j.linen.TrainState;
import io.jax4j.linen.Variables;
import io.jax4j.optim.Optim;
import io.jax4j.optim.Schedules;
import io.vavr.Function1;
import io.vavr.Function2;

/**
 * A small training run for the resume tests: a Dense + BatchNorm + Dropout MLP on random regression
 * data, Adam on a warm-up + cosine schedule, a jitted train step whose dropout key is
 * {@code foldIn(key, step)}. Everything is a function of the step, so any split of the run (k steps,
 * save, restore elsewhere, N-k steps) must give the same bits as the run straight through.
 */
final class TinyTraining {
    private TinyTraining() {}

    /** The TrainState subclass fields of the tutorial: batch stats and the dropout key. */
    record Extra(Dict batchStats, Array key) {}

    record Batch(Array x, Array y) {}

    record Mlp() implements LinenModule {
        Array call(Array x, boolean train) {
            return compact(() -> {
                Array h = new Dense(16).call(x);
                h = BatchNorm.builder().useRunningAverage(!train).build().call(h);
                h = Nn.relu(h);
                h = new Dropout(0.25, !train).call(h);
                return new Dense(1).call(h);
            });
        }
    }

    static final Mlp MODEL = new Mlp();
    static final int BATCH = 8;
    static final int FEATURES = 5;

    /** A fresh state: the same params, optimizer state and key every time (a new JVM included). */
    static TrainState<Extra> freshState() {
        Variables v = MODEL.init(Random.key(0), () -> MODEL.call(Array.ones(BATCH, FEATURES), false));
        var tx = Optim.adam(Schedules.warmupCosineDecay(0.0, 0.02, 3, 30, 0.001));
        return TrainState.create(MODEL::apply, v.get("params"), tx, new Extra(v.get("batch_stats"), Random.key(7)));
    }

    /** The batch of a step: a function of the step only. */
    static Batch batch(int step) {
        Array x = Random.normal(Random.foldIn(Random.key(123), step), BATCH, FEATURES);
        Array y = Np.sum(Np.sin(x), 1).reshape(BATCH, 1);
        return new Batch(x, y);
    }

    static final Function2<TrainState<Extra>, Batch, TrainState<Extra>> TRAIN_STEP = Jax.jit(TinyTraining::trainStep);

    private static TrainState<Extra> trainStep(TrainState<Extra> state, Batch batch) {
        Array dropoutKey = Random.foldIn(state.extra().key(), state.step());
        Function1<Dict, HasAux<Dict>> loss = params -> {
            Applied<Array> out = state.apply(Variables.of("params", params, "batch_stats", state.extra().batchStats()),
                    () -> MODEL.call(batch.x(), true),
                    Apply.mutable("batch_stats"), Apply.rngs("dropout", dropoutKey));
            Array mse = Np.mean(Np.square(Np.subtract(out.value(), batch.y())));
            return HasAux.of(mse, out.updates().get("batch_stats"));
        };
        ValueAndGradWithAux<Dict, Dict> r = Jax.valueAndGradWithAux(loss).apply(state.params());
        return state.applyGradients(r.grad()).withExtra(new Extra(r.aux(), state.extra().key()));
    }

    /** Runs steps {@code from} (inclusive) to {@code to} (exclusive). */
    static TrainState<Extra> train(TrainState<Extra> state, int from, int to) {
        for (int step = from; step < to; step++) state = TRAIN_STEP.apply(state, batch(step));
        return state;
    }
}
