package io.jax4j.linen;

import com.fasterxml.jackson.databind.JsonNode;
import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Nn;
import io.jax4j.Np;
import io.jax4j.Random;
import io.jax4j.autodiff.HasAux;
import io.jax4j.autodiff.Jax;
import io.jax4j.optim.GradientTransformation;
import io.jax4j.optim.Losses;
import io.jax4j.optim.Optim;
import io.jax4j.optim.ScaleByAdamState;
import io.jax4j.optim.ScaleByScheduleState;
import io.jax4j.optim.Schedules;
import io.jax4j.serialization.FlaxSerialization;
import io.jax4j.serialization.SerializationException;
import io.jax4j.tree.Static;
import io.jax4j.tree.Tree;
import io.vavr.Function3;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Flax {@code TrainState} subclass written by {@code flax.serialization.to_bytes}
 * ({@code train_state_public.msgpack}: the dropout-0.5 run of the fixture script after 20 Adam steps)
 * restores into our {@code TrainState<Extra>}, writes back to the same bytes, and trains on in Java.
 */
class TrainStateSerializationTest {

    /** The fixture script's {@code Net}: Dense(16), BatchNorm(momentum 0.9), relu, Dropout(0.5), Dense(3). */
    record Net() implements LinenModule {
        Array call(Array x, boolean train) {
            return compact(() -> {
                Array h = new Dense(16).call(x);
                h = BatchNorm.builder().useRunningAverage(!train).momentum(0.9).build().call(h);
                h = Nn.relu(h);
                h = new Dropout(0.5, !train).call(h);
                return new Dense(3).call(h);
            });
        }
    }

    /** {@code class TS(train_state.TrainState): batch_stats: dict; key: jax.Array}. */
    record Extra(Dict batchStats, Array key) {}

    record StepOut(TrainState<Extra> state, Array loss) {}

    static final Net NET = new Net();

    static byte[] fixtureBytes() {
        try (InputStream in = TrainStateSerializationTest.class.getResourceAsStream("/fixtures/train_state_public.msgpack")) {
            if (in == null) throw new IllegalStateException("missing test resource fixtures/train_state_public.msgpack");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode training() { return FlaxFixtures.flax().get("training"); }

    static JsonNode run() { return training().get("trajectories").get("dropout_0.5"); }

    /** A fresh state of the script's structure: our init (not Flax's), adam on the script's schedule, PRNGKey(1). */
    static TrainState<Extra> template() {
        Variables v = NET.init(Random.key(0), () -> NET.call(Array.ones(2, 8), false));
        GradientTransformation tx = Optim.adam(Schedules.warmupCosineDecay(0, 0.05, 5, 20, 0));
        return TrainState.create(NET::apply, v.get("params"), tx, new Extra(v.get("batch_stats"), Random.key(1)));
    }

    static ScaleByAdamState adam(TrainState<?> s) { return assertInstanceOf(ScaleByAdamState.class, ((List<?>) s.optState()).get(0)); }

    static ScaleByScheduleState schedule(TrainState<?> s) { return assertInstanceOf(ScaleByScheduleState.class, ((List<?>) s.optState()).get(1)); }

    /** Every leaf bit for bit. */
    static void assertSameTree(Object expected, Object actual, String what) {
        var e = Tree.flattenWithPath(expected);
        var a = Tree.flattenWithPath(actual);
        assertEquals(e.size(), a.size(), what + ": leaf count");
        for (int i = 0; i < e.size(); i++) {
            assertEquals(e.get(i).path().toString(), a.get(i).path().toString(), what);
            Array x = (Array) e.get(i).leaf(), y = (Array) a.get(i).leaf();
            assertEquals(x.aval().str(), y.aval().str(), what + e.get(i).path());
            assertArrayEquals(x.toDoubleArray(), y.toDoubleArray(), 0.0, what + e.get(i).path());
        }
    }

    @Test
    void ourStateDictHasFlaxsLayout() {
        Object sd = FlaxSerialization.toStateDict(template());
        @SuppressWarnings("unchecked")
        Map<String, Object> top = assertInstanceOf(Map.class, sd);
        // TrainState's dataclass fields, then the subclass's fields; no "extra"
        assertEquals(List.of("step", "params", "opt_state", "batch_stats", "key"), List.copyOf(top.keySet()));
        assertEquals(shapesJson(FlaxFixtures.flax().get("train_state_msgpack_state_dict_keys")), shapes(sd));
        // ... which is also the structure of the Flax file, key order included
        assertEquals(List.copyOf(top.keySet()), List.copyOf(((Map<?, ?>) FlaxSerialization.fromBytes(fixtureBytes())).keySet()));
    }

    @Test
    void flaxTrainStateRestoresIntoOurs() {
        byte[] bytes = fixtureBytes();
        TrainState<Extra> target = template();
        TrainState<Extra> restored = FlaxSerialization.fromBytes(target, bytes);

        assertSame(target.tx(), restored.tx());
        assertSame(target.applyFn(), restored.applyFn());
        assertEquals(DType.I32, restored.step().dtype());
        assertEquals(20, restored.step().intValue());
        assertSameTree(FlaxFixtures.tree(run().get("final_params")), restored.params(), "params");
        assertSameTree(FlaxFixtures.tree(run().get("final_batch_stats")), restored.extra().batchStats(), "batch_stats");
        assertInstanceOf(Dict.class, restored.params());
        assertInstanceOf(Dict.class, restored.extra().batchStats());
        Map<?, ?> raw = (Map<?, ?>) FlaxSerialization.fromBytes(bytes);
        assertArrayEquals(((Array) raw.get("key")).toDoubleArray(), restored.extra().key().toDoubleArray(), 0.0);
        assertEquals(DType.U32, restored.extra().key().dtype());
        assertEquals(20, adam(restored).count().intValue());
        assertEquals(20, schedule(restored).count().intValue());
        assertInstanceOf(Dict.class, adam(restored).mu());
        Map<?, ?> rawAdam = (Map<?, ?>) ((Map<?, ?>) raw.get("opt_state")).get("0");
        assertSameTree(rawAdam.get("nu"), ((Dict) adam(restored).nu()).unfreeze(), "opt_state.0.nu");

        // writing our TrainState gives the bytes Flax wrote (so Flax's from_bytes reads ours)
        assertArrayEquals(bytes, FlaxSerialization.toBytes(restored));

        // the restored model is Flax's model: the script's eval on X
        Array x = FlaxFixtures.array(training().get("X")), y = FlaxFixtures.array(training().get("Y"));
        Array logits = NET.apply(Variables.of("params", restored.params(), "batch_stats", restored.extra().batchStats()),
                () -> NET.call(x, false)).value();
        double sum = Np.sum(logits).item(), want = run().get("eval_logits_sum").asDouble();
        assertEquals(want, sum, 1e-4 * Math.abs(want) + 1e-5 * logits.size(), "eval_logits_sum");
        double acc = Np.mean(Np.astype(Np.equal(Np.argmax(logits, -1), y), DType.F32)).item();
        assertEquals(run().get("eval_accuracy").asDouble(), acc, 0.0, "eval_accuracy");
    }

    /** The script's jitted {@code step(st, xb, yb)}. */
    static final Function3<TrainState<Extra>, Array, Array, StepOut> STEP = Jax.jit((TrainState<Extra> st, Array xb, Array yb) -> {
        Array dk = Random.foldIn(st.extra().key(), st.step());
        var r = Jax.valueAndGradWithAux((Dict p) -> {
            Applied<Array> out = st.apply(Variables.of("params", p, "batch_stats", st.extra().batchStats()), () -> NET.call(xb, true),
                    Apply.mutable("batch_stats"), Apply.rngs("dropout", dk));
            return HasAux.of(Np.mean(Losses.softmaxCrossEntropyWithIntegerLabels(out.value(), yb)), out.updates().get("batch_stats"));
        }).apply(st.params());
        return new StepOut(st.applyGradients(r.grad()).withExtra(new Extra(r.aux(), st.extra().key())), r.value());
    });

    @Test
    void theFlaxRunResumesInJava() {
        TrainState<Extra> restored = FlaxSerialization.fromBytes(template(), fixtureBytes());
        Array x = FlaxFixtures.array(training().get("X")), y = FlaxFixtures.array(training().get("Y"));
        int batch = training().get("batch").asInt();
        TrainState<Extra> state = restored;
        for (int i = 20; i < 23; i++) {
            int from = (i % 4) * batch;
            StepOut out = STEP.apply(state, rows(x, from, from + batch), rows(y, from, from + batch));
            state = out.state();
            double loss = out.loss().item();
            assertTrue(Double.isFinite(loss), "loss at step " + i + " is " + loss);
            // the trained model: well below the run's first loss (1.13; the last Flax steps on these batches: 0.49 to 0.64)
            assertTrue(loss < 1.0, "loss at step " + i + " is " + loss);
        }
        assertEquals(23, state.step().intValue());
        assertEquals(23, adam(state).count().intValue());
        assertEquals(23, schedule(state).count().intValue());
        // warmup_cosine_decay_schedule(0, 0.05, 5, 20, 0) is 0 from count 20 on: the restored schedule count
        // keeps the params fixed (a count restarted at 0 would give 0.01 at the second step)
        assertSameTree(restored.params(), state.params(), "params");
        // while the optimizer moments and the batch stats move on
        assertFalse(Arrays.equals(((Array) Tree.leaves(adam(restored).mu()).getFirst()).toDoubleArray(),
                ((Array) Tree.leaves(adam(state).mu()).getFirst()).toDoubleArray()), "mu after 3 more steps");
        assertFalse(Arrays.equals(((Array) restored.extra().batchStats().at("BatchNorm_0", "mean")).toDoubleArray(),
                ((Array) state.extra().batchStats().at("BatchNorm_0", "mean")).toDoubleArray()), "batch mean after 3 more steps");
        // the resumed state writes and reads back as Flax's layout
        TrainState<Extra> again = FlaxSerialization.fromBytes(template(), FlaxSerialization.toBytes(state));
        assertArrayEquals(FlaxSerialization.toBytes(state), FlaxSerialization.toBytes(again));
    }

    // ---- the extra record's fields at the top level

    record Tagged(@Static String tag, Array key, List<Array> history) {}

    @Test
    void extraFieldsAreMergedAtTheTopLevelAndSplitBack() {
        Dict params = Dict.of("w", Array.of(1f, 2f));
        var state = TrainState.create(null, params, Optim.sgd(0.1),
                new Tagged("run-1", Array.of(3, 4), List.of(Array.of(5f), Array.of(6f))));
        Map<?, ?> sd = (Map<?, ?>) FlaxSerialization.toStateDict(state);
        assertEquals(List.of("step", "params", "opt_state", "key", "history"), List.copyOf(sd.keySet()));
        assertEquals(List.of("0", "1"), List.copyOf(((Map<?, ?>) sd.get("history")).keySet()));

        var target = TrainState.create(null, Dict.of("w", Array.zeros(2)), Optim.sgd(0.1),
                new Tagged("target-tag", Array.zeros(DType.I32, 2), List.of(Array.zeros(1), Array.zeros(1))));
        TrainState<Tagged> back = FlaxSerialization.fromBytes(target, FlaxSerialization.toBytes(state));
        assertEquals("target-tag", back.extra().tag());        // @Static: from the target, not saved
        assertArrayEquals(new int[]{3, 4}, back.extra().key().toIntArray());
        assertArrayEquals(new float[]{6f}, back.extra().history().get(1).toFloatArray());
        assertArrayEquals(new float[]{1f, 2f}, back.params().get("w") instanceof Array a ? a.toFloatArray() : null);
    }

    @Test
    void aVoidExtraContributesNothing() {
        TrainState<Void> state = TrainState.create(null, Dict.of("w", Array.of(1f, 2f)), Optim.sgd(0.1, 0.9));
        Map<?, ?> sd = (Map<?, ?>) FlaxSerialization.toStateDict(state);
        assertEquals(List.of("step", "params", "opt_state"), List.copyOf(sd.keySet()));
        TrainState<Void> back = FlaxSerialization.fromStateDict(TrainState.create(null, Dict.of("w", Array.zeros(2)), Optim.sgd(0.1, 0.9)), sd);
        assertNull(back.extra());
        assertArrayEquals(new float[]{1f, 2f}, ((Array) back.params().get("w")).toFloatArray());
    }

    @Test
    void restoreIsStrictAboutTheExtraFields() {
        byte[] bytes = fixtureBytes();
        Map<?, ?> raw = (Map<?, ?>) FlaxSerialization.fromBytes(bytes);

        var noKey = new LinkedHashMap<Object, Object>(raw);
        noKey.remove("key");
        var e1 = assertThrows(SerializationException.class, () -> FlaxSerialization.fromStateDict(template(), noKey));
        assertTrue(e1.getMessage().contains("at the root the keys differ") && e1.getMessage().contains("missing from the state dict [key]"),
                e1.getMessage());

        // a target without the subclass fields: the file's batch_stats and key are extra keys
        TrainState<Void> bare = TrainState.create(null, template().params(), template().tx());
        var e2 = assertThrows(SerializationException.class, () -> FlaxSerialization.fromBytes(bare, bytes));
        assertTrue(e2.getMessage().contains("not in the target [batch_stats, key]"), e2.getMessage());

        // a wrong shape inside an extra field names its top-level path
        TrainState<Extra> t = template();
        Dict stats = t.extra().batchStats();
        Dict wide = stats.with("BatchNorm_0", stats.dict("BatchNorm_0").with("mean", Array.zeros(17)));
        var e3 = assertThrows(SerializationException.class, () -> FlaxSerialization.fromBytes(t.withExtra(new Extra(wide, t.extra().key())), bytes));
        assertTrue(e3.getMessage().contains("at batch_stats.BatchNorm_0.mean") && e3.getMessage().contains("f32[17]"), e3.getMessage());

        var e4 = assertThrows(SerializationException.class, () -> FlaxSerialization.fromBytes(t.withExtra(new Extra(stats, null)), bytes));
        assertTrue(e4.getMessage().contains("at key "), e4.getMessage());
    }

    record Clashing(Array step) {}

    @Test
    void extraFieldsMustNotClashAndExtraMustBeARecord() {
        var clash = TrainState.create(null, Dict.of("w", Array.zeros(2)), Optim.sgd(0.1), new Clashing(Array.scalar(1)));
        var e1 = assertThrows(SerializationException.class, () -> FlaxSerialization.toBytes(clash));
        assertTrue(e1.getMessage().contains("'step'") && e1.getMessage().contains("Clashing"), e1.getMessage());

        var notRecord = TrainState.create(null, Dict.of("w", Array.zeros(2)), Optim.sgd(0.1), Map.of("k", Array.zeros(1)));
        var e2 = assertThrows(SerializationException.class, () -> FlaxSerialization.toStateDict(notRecord));
        assertTrue(e2.getMessage().contains("make extra a record"), e2.getMessage());
    }

    // ---- helpers

    static Array rows(Array a, int from, int to) {
        int[] shape = a.shape();
        int row = Arrays.stream(shape).skip(1).reduce(1, (p, q) -> p * q);
        shape[0] = to - from;
        return Array.fromDoubles(a.dtype(), Arrays.copyOfRange(a.toDoubleArray(), from * row, to * row), shape);
    }

    /** Each array as its shape, maps as sorted maps. */
    static Object shapes(Object tree) {
        if (tree instanceof Map<?, ?> m) {
            var out = new java.util.TreeMap<String, Object>();
            m.forEach((k, v) -> out.put((String) k, shapes(v)));
            return out;
        }
        return Arrays.stream(((Array) tree).shape()).boxed().toList();
    }

    static Object shapesJson(JsonNode n) {
        if (n.isArray()) {
            var l = new java.util.ArrayList<Integer>();
            n.forEach(d -> l.add(d.asInt()));
            return l;
        }
        var out = new java.util.TreeMap<String, Object>();
        n.fields().forEachRemaining(e -> out.put(e.getKey(), shapesJson(e.getValue())));
        return out;
    }
}
