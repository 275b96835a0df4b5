package io.jax4j.linen;

import io.jax4j.Array;
import io.jax4j.Np;
import io.jax4j.Pooling;
import io.jax4j.Random;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** init, apply and tabulate spelled as Flax spells them, and linen pooling's defaults. */
class FlaxSpellingTest {
    /** A module with a train flag, BatchNorm state and a second method, as Flax modules often have. */
    record Net(int features) implements LinenModule {
        public Array call(Array x, boolean train) {
            return compact(() -> {
                Array h = new Dense(features).call(x);
                h = BatchNorm.builder().useRunningAverage(!train).build().call(h);
                return new Dense(2).call(h);
            });
        }

        public Array encode(Array x) { return compact(() -> new Dense(features).call(x)); }
    }

    private static final Array X = Random.normal(Random.key(1), 4, 3);

    @Test
    void initAndApplyTakeTheArgumentsAsFlaxDoes() {
        Net net = new Net(5);
        Variables byArgs = net.init(Random.key(0), X, false);
        Variables byLambda = net.init(Random.key(0), () -> net.call(X, false));
        assertEquals(byLambda.keySet(), byArgs.keySet());
        assertArrayEquals(((Array) byLambda.at("params", "Dense_0", "kernel")).toFloatArray(),
                ((Array) byArgs.at("params", "Dense_0", "kernel")).toFloatArray(), "the same variables");

        Applied<Array> out = net.apply(byArgs, X, true, Apply.mutable("batch_stats"));
        Applied<Array> expected = net.apply(byArgs, () -> net.call(X, true), Apply.mutable("batch_stats"));
        assertArrayEquals(expected.value().toFloatArray(), out.value().toFloatArray());
        assertTrue(out.updates().containsKey("batch_stats"), "mutable collections come back, as Flax's (y, updates)");

        Applied<Array> eval = net.apply(byArgs, X, false);
        assertArrayEquals(new int[]{4, 2}, eval.value().shape());
    }

    @Test
    void applyMethodCallsAnotherMethod() {
        Net net = new Net(5);
        Variables v = net.init(Random.key(0), X, false);
        Applied<Array> enc = net.applyMethod(Variables.of("params", v.get("params")), "encode", X);
        Array want = Np.add(Np.matmul(X, (Array) v.at("params", "Dense_0", "kernel")), (Array) v.at("params", "Dense_0", "bias"));
        assertArrayEquals(want.toFloatArray(), enc.value().toFloatArray(), 1e-6f);
    }

    @Test
    void aCallThatFitsNoMethodSaysWhichExist() {
        Net net = new Net(5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.init(Random.key(0), X));
        assertTrue(e.getMessage().contains("no method call that takes [ArrayImpl]") && e.getMessage().contains("[Array, boolean]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> net.applyMethod(Variables.empty(), "decode", X));
        assertTrue(e.getMessage().contains("no method of that name"), e.getMessage());
    }

    @Test
    void tabulateListsTheModulesTheirOutputsAndVariables() {
        String table = new Net(5).tabulate(Random.key(0), X, false);
        assertTrue(table.startsWith("| path"), table);
        assertTrue(table.contains("| Dense_0") && table.contains("params/kernel f32[3,5]"), table);
        assertTrue(table.contains("BatchNorm_0") && table.contains("batch_stats/mean f32[5]"), table);
        assertTrue(table.contains("f32[4,2]"), "the root's output shape:\n" + table);
        // 3*5+5 + 5+5 (scale, bias) + 5*2+2 = 42 parameters; 10 batch statistics
        assertTrue(table.contains("Total params: 42 (168 B)") && table.contains("Total batch_stats: 10 (40 B)"), table);
        assertEquals(5, table.lines().filter(l -> l.startsWith("| ")).count(), "header, root and 3 submodules:\n" + table);
    }

    @Test
    void batchNormHasConstructorsLikeTheOtherLayers() {
        assertEquals(BatchNorm.builder().useRunningAverage(true).build(), new BatchNorm(true));
        assertEquals(BatchNorm.builder().useRunningAverage(false).momentum(0.9).epsilon(1e-3).build(), new BatchNorm(false, 0.9, 1e-3));
        assertEquals(BatchNorm.builder().build(), new BatchNorm());
    }

    @Test
    void batchNormWithAnAxisNameNormalisesOverTheGlobalBatch() {
        Array x = Random.normal(Random.key(9), 8, 3);
        BatchNorm global = BatchNorm.builder().useRunningAverage(false).build();
        BatchNorm perReplica = BatchNorm.builder().useRunningAverage(false).axisName("batch").build();
        Variables v = global.init(Random.key(0), () -> global.call(x));
        Applied<Array> whole = global.apply(v, () -> global.call(x), Apply.mutable("batch_stats"));
        // 4 replicas of 2 examples each: with axis_name the statistics are the global batch's
        io.vavr.Function1<Array, Array> replica = shard -> perReplica.apply(v, () -> perReplica.call(shard), Apply.mutable("batch_stats")).value();
        Array sharded = io.jax4j.autodiff.Jax.pmap(replica, "batch").apply(Np.reshape(x, 4, 2, 3));
        assertArrayEquals(whole.value().toFloatArray(), Np.reshape(sharded, 8, 3).toFloatArray(), 1e-5f);
        // without it each replica would use its own two examples' statistics
        io.vavr.Function1<Array, Array> local = shard -> global.apply(v, () -> global.call(shard), Apply.mutable("batch_stats")).value();
        Array unsynced = io.jax4j.autodiff.Jax.pmap(local, "batch").apply(Np.reshape(x, 4, 2, 3));
        assertTrue(Np.max(Np.abs(Np.subtract(Np.reshape(unsynced, 8, 3), whole.value()))).item() > 1e-2, "local statistics differ");
    }

    @Test
    void poolingDefaultsAreFlaxs() {
        Array x = Np.reshape(Np.astype(Np.arange(16), io.jax4j.DType.F32), 1, 4, 4, 1);
        assertArrayEquals(Pooling.maxPool(x, new int[]{2, 2}, new int[]{1, 1}, "VALID").toFloatArray(), Pooling.maxPool(x, 2, 2).toFloatArray());
        assertArrayEquals(new int[]{1, 3, 3, 1}, Pooling.avgPool(x, 2, 2).shape(), "stride 1, VALID");
        assertArrayEquals(new int[]{1, 2, 2, 1}, Pooling.minPool(x, new int[]{2, 2}, new int[]{2, 2}).shape());
    }
}
