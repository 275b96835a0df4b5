package io.jax4j.linen;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Nn;
import io.jax4j.Np;
import io.jax4j.Random;
import io.jax4j.autodiff.HasAux;
import io.jax4j.autodiff.Jax;
import io.jax4j.core.Jax4jException;
import io.jax4j.optim.Losses;
import io.jax4j.optim.Optim;
import io.vavr.Function2;
import io.vavr.Function3;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static io.jax4j.linen.FlaxFixtures.assertClose;
import static io.jax4j.linen.FlaxFixtures.assertTreeClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Flax guides' {@code train_step} and {@code eval_step}, ported line by line: BatchNorm state returned by
 * {@code loss_fn} as aux and stored with {@code state.replace(batch_stats=...)}; the Dropout guide's
 * {@code train_step} with {@code fold_in(dropout_key, state.step)}. Also {@code sow}, and
 * {@code bind(...).child(...).unbind()}.
 */
class TutorialStepsTest {

    /** The BatchNorm guide's MLP, with a classifier head. */
    record MLP(int classes) implements LinenModule {
        Array call(Array x, boolean train) {
            return compact(() -> {
                Array h = new Dense(4).call(x);
                h = BatchNorm.builder().useRunningAverage(!train).build().call(h);
                h = Nn.relu(h);
                return new Dense(classes).call(h);
            });
        }
    }

    /** {@code class TrainState(train_state.TrainState): batch_stats: Any}. */
    record BatchStats(Dict batchStats) {}

    record Batch(Array image, Array label) {}

    record StepResult<S>(TrainState<S> state, Map<String, Array> metrics) {}

    record LossAux(Array logits, Variables updates) {}

    static Batch batch(long seed, int n) {
        Array image = Random.normal(Random.key(seed), n, 3);
        Array label = Random.randint(Random.key(seed + 100), new int[]{n}, 0, 3);
        return new Batch(image, label);
    }

    @Test
    void batchNormTrainStepAndEvalStep() {
        MLP model = new MLP(3);
        Variables variables = model.init(Random.key(0), () -> model.call(Array.ones(1, 3), false));
        TrainState<BatchStats> state0 = TrainState.create(model::apply, variables.get("params"), Optim.adam(1e-2),
                new BatchStats(variables.get("batch_stats")));
        AtomicInteger traces = new AtomicInteger();

        // @jax.jit def train_step(state, batch):
        Function2<TrainState<BatchStats>, Batch, StepResult<BatchStats>> trainStep = Jax.jit((state, batch) -> {
            traces.incrementAndGet();
            //   def loss_fn(params):
            //     logits, updates = state.apply_fn({'params': params, 'batch_stats': state.batch_stats},
            //                                      x=batch['image'], train=True, mutable=['batch_stats'])
            //     loss = optax.softmax_cross_entropy_with_integer_labels(logits=logits, labels=batch['label']).mean()
            //     return loss, (logits, updates)
            Function2<Dict, Object, HasAux<LossAux>> lossFn = (params, unused) -> {
                Applied<Array> out = state.apply(Variables.of("params", params, "batch_stats", state.extra().batchStats()),
                        () -> model.call(batch.image(), true), Apply.mutable("batch_stats"));
                Array loss = Np.mean(Losses.softmaxCrossEntropyWithIntegerLabels(out.value(), batch.label()));
                return HasAux.of(loss, new LossAux(out.value(), out.updates()));
            };
            //   grad_fn = jax.value_and_grad(loss_fn, has_aux=True)
            //   (loss, (logits, updates)), grads = grad_fn(state.params)
            var r = Jax.valueAndGradWithAux(lossFn).apply(state.params(), null);
            //   state = state.apply_gradients(grads=grads)
            //   state = state.replace(batch_stats=updates['batch_stats'])
            TrainState<BatchStats> next = state.applyGradients(r.grad()).withExtra(new BatchStats(r.aux().updates().get("batch_stats")));
            //   metrics = {'loss': loss, 'accuracy': jnp.mean(jnp.argmax(logits, -1) == batch['label'])}
            return new StepResult<>(next, Map.of("loss", r.value(), "accuracy", accuracy(r.aux().logits(), batch.label())));
        });

        // @jax.jit def eval_step(state, batch):
        Function2<TrainState<BatchStats>, Batch, StepResult<BatchStats>> evalStep = Jax.jit((state, batch) -> {
            Array logits = state.apply(Variables.of("params", state.params(), "batch_stats", state.extra().batchStats()),
                    () -> model.call(batch.image(), false)).value();
            Array loss = Np.mean(Losses.softmaxCrossEntropyWithIntegerLabels(logits, batch.label()));
            return new StepResult<>(state, Map.of("loss", loss, "accuracy", accuracy(logits, batch.label())));
        });

        Batch b = batch(1, 16);
        StepResult<BatchStats> s1 = trainStep.apply(state0, b);
        // the step equals the same computation done eagerly, piece by piece
        Applied<Array> eager = model.apply(Variables.of("params", state0.params(), "batch_stats", state0.extra().batchStats()),
                () -> model.call(b.image(), true), Apply.mutable("batch_stats"));
        Array eagerLoss = Np.mean(Losses.softmaxCrossEntropyWithIntegerLabels(eager.value(), b.label()));
        assertClose(eagerLoss, s1.metrics().get("loss"), 1e-6, 1e-6, "loss");
        assertClose(accuracy(eager.value(), b.label()), s1.metrics().get("accuracy"), 0, 0, "accuracy");
        assertTreeClose(eager.updates().get("batch_stats"), s1.state().extra().batchStats(), 1e-6, 1e-7, "batch stats from aux");
        assertNotEquals(0.0, Np.max(Np.abs((Array) s1.state().extra().batchStats().at("BatchNorm_0", "mean"))).toDoubleArray()[0],
                "the running mean moved");
        assertEquals(1, s1.state().step().toIntArray()[0]);

        StepResult<BatchStats> s = s1;
        for (int i = 0; i < 30; i++) s = trainStep.apply(s.state(), b);
        assertEquals(1, traces.get(), "train_step traces once");
        double first = s1.metrics().get("loss").toDoubleArray()[0], last = s.metrics().get("loss").toDoubleArray()[0];
        assertTrue(last < 0.9 * first, "training lowers the loss: " + first + " -> " + last);

        StepResult<BatchStats> ev = evalStep.apply(s.state(), b);
        Array logits = model.apply(Variables.of("params", s.state().params(), "batch_stats", s.state().extra().batchStats()),
                () -> model.call(b.image(), false)).value();
        assertClose(Np.mean(Losses.softmaxCrossEntropyWithIntegerLabels(logits, b.label())), ev.metrics().get("loss"), 1e-6, 1e-6, "eval loss");
        assertSame(s.state().applyFn(), ev.state().applyFn(), "eval_step returns the state");
    }

    /** The Dropout guide's MyModel. */
    record MyModel(int numNeurons) implements LinenModule {
        Array call(Array x, boolean training) {
            return compact(() -> new Dropout(0.5, !training).call(new Dense(numNeurons).call(x)));
        }
    }

    @Test
    void dropoutTrainStepFoldsTheStepIntoTheKey() {
        Array keys = Random.split(Random.key(0), 3);
        Array paramsKey = FlaxFixtures.row(keys, 1), dropoutKey = FlaxFixtures.row(keys, 2);
        MyModel model = new MyModel(3);
        Batch b = batch(2, 8);
        Variables variables = model.init(paramsKey, () -> model.call(b.image(), false));
        TrainState<Void> state0 = TrainState.create(model::apply, variables.get("params"), Optim.sgd(0.1));

        // @jax.jit def train_step(state, batch, dropout_key):
        Function3<TrainState<Void>, Batch, Array, TrainState<Void>> trainStep = Jax.jit((state, batch, key) -> {
            //   dropout_train_key = jax.random.fold_in(key=dropout_key, data=state.step)
            Array dropoutTrainKey = Random.foldIn(key, state.step());
            //   def loss_fn(params):
            //     logits = state.apply_fn({'params': params}, x=batch['image'], training=True, rngs={'dropout': dropout_train_key})
            //     loss = optax.softmax_cross_entropy_with_integer_labels(logits=logits, labels=batch['label'])
            //     return loss, logits
            Function2<Dict, Object, HasAux<Array>> lossFn = (params, unused) -> {
                Array logits = state.apply(Variables.of("params", params), () -> model.call(batch.image(), true),
                        Apply.rngs("dropout", dropoutTrainKey)).value();
                return HasAux.of(Np.mean(Losses.softmaxCrossEntropyWithIntegerLabels(logits, batch.label())), logits);
            };
            //   (loss, logits), grads = jax.value_and_grad(loss_fn, has_aux=True)(state.params)
            var r = Jax.valueAndGradWithAux(lossFn).apply(state.params(), null);
            //   state = state.apply_gradients(grads=grads)
            return state.applyGradients(r.grad());
        });

        TrainState<Void> s1 = trainStep.apply(state0, b, dropoutKey);
        TrainState<Void> s2 = trainStep.apply(s1, b, dropoutKey);
        // each step's update is SGD on the loss with the mask of fold_in(dropout_key, step)
        for (var pair : List.of(List.of(state0, s1), List.of(s1, s2))) {
            TrainState<Void> before = pair.get(0), after = pair.get(1);
            Array k = Random.foldIn(dropoutKey, before.step());
            Dict g = Jax.grad((Dict p) -> Np.mean(Losses.softmaxCrossEntropyWithIntegerLabels(
                    model.apply(Variables.of("params", p), () -> model.call(b.image(), true), Apply.rngs("dropout", k)).value(), b.label())))
                    .apply(before.params());
            Array expectedKernel = Np.subtract((Array) before.params().at("Dense_0", "kernel"), ((Array) g.at("Dense_0", "kernel")).mul(0.1));
            assertClose(expectedKernel, (Array) after.params().at("Dense_0", "kernel"), 1e-5, 1e-6, "step " + before.step());
        }
        // the two steps drew different masks
        Array m0 = model.apply(variables, () -> model.call(b.image(), true), Apply.rngs("dropout", Random.foldIn(dropoutKey, 0))).value();
        Array m1 = model.apply(variables, () -> model.call(b.image(), true), Apply.rngs("dropout", Random.foldIn(dropoutKey, 1))).value();
        assertTrue(Np.max(Np.abs(Np.subtract(m0, m1))).toDoubleArray()[0] > 0, "fold_in(key, step) changes the mask each step");
    }

    /** A module that sows its hidden activation, as Flax's sow guide. */
    record Sower() implements LinenModule {
        Array call(Array x) {
            return compact(() -> {
                Array h = new Dense(3).call(x);
                sow("intermediates", "h", h);
                sow("intermediates", "h", Nn.relu(h));
                return new Dense(1).call(Nn.relu(h));
            });
        }
    }

    @Test
    void sowCapturesIntermediatesOnlyWhenMutable() {
        Sower m = new Sower();
        Array x = Random.normal(Random.key(5), 2, 4);
        Variables v = m.init(Random.key(0), () -> m.call(x));
        assertEquals(List.of("params", "intermediates"), List.copyOf(v.keySet()), "init keeps every collection");
        Variables params = Variables.of("params", v.get("params"));
        Applied<Array> plain = m.apply(params, () -> m.call(x));
        assertTrue(plain.updates().isEmpty(), "nothing is sown when intermediates is not mutable");
        Applied<Array> out = m.apply(params, () -> m.call(x), Apply.mutable("intermediates"));
        @SuppressWarnings("unchecked") List<Array> hs = (List<Array>) out.updates().get("intermediates").get("h");
        assertEquals(2, hs.size(), "sow appends to a tuple");
        Array h = Np.add(Np.matmul(x, (Array) v.get("params").at("Dense_0", "kernel")), (Array) v.get("params").at("Dense_0", "bias"));
        assertClose(h, hs.get(0), 1e-6, 1e-6, "h");
        assertClose(Nn.relu(h), hs.get(1), 0, 0, "relu(h)");
        assertClose(plain.value(), out.value(), 0, 0, "sowing does not change the output");
    }

    /** The transfer-learning guide's shape: a backbone record component and a head. */
    record Classifier(Dense backbone, Dense head) implements LinenModule {
        Array call(Array x) { return compact(() -> head.call(Nn.relu(backbone.call(x)))); }
    }

    @Test
    void bindChildUnbindTakesOutTheBackboneWithItsVariables() {
        Classifier clf = new Classifier(new Dense(5), new Dense(2));
        Array x = Random.normal(Random.key(6), 3, 4);
        Variables v = clf.init(Random.key(0), () -> clf.call(x));
        assertEquals(List.of("backbone", "head"), List.copyOf(v.get("params").keySet()), "named after the record components");
        // vision_model, vision_model_vars = clip.bind(variables).vision_model.unbind()
        Bound<Dense> bb = clf.bind(v).child(Classifier::backbone).unbind();
        assertSame(clf.backbone(), bb.module());
        assertEquals(v.get("params").get("backbone"), bb.variables().get("params"));
        Array features = bb.module().apply(bb.variables(), () -> bb.module().call(x)).value();
        Array expected = Np.add(Np.matmul(x, (Array) v.get("params").at("backbone", "kernel")), (Array) v.get("params").at("backbone", "bias"));
        assertClose(expected, features, 1e-6, 1e-6, "backbone features");
        // the extracted backbone in a new model: its variables plug in under the new name
        Classifier fresh = new Classifier(bb.module(), new Dense(7));
        Variables newVars = fresh.init(Random.key(1), () -> fresh.call(x));
        Dict params = newVars.get("params").with("backbone", bb.variables().get("params"));
        Array y = fresh.apply(Variables.of("params", params), () -> fresh.call(x)).value();
        assertEquals(7, y.dim(-1));
        var err = assertThrows(Jax4jException.class, () -> clf.bind(v).child(c -> new Dense(5)));
        assertTrue(err.getMessage().contains("not a record component"), err.getMessage());
    }

    static Array accuracy(Array logits, Array labels) {
        return Np.mean(Np.astype(Np.equal(Np.argmax(logits, -1), labels), DType.F32));
    }
}
