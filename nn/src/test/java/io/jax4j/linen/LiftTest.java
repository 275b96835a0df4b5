package io.jax4j.linen;

import io.jax4j.Array;
import io.jax4j.Nn;
import io.jax4j.Np;
import io.jax4j.Random;
import io.jax4j.autodiff.Jax;
import io.jax4j.tree.Tree;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code nn.remat} on a submodule call: the same variables, values, gradients and BatchNorm updates as the plain call. */
class LiftTest {
    /** Dense + BatchNorm + relu, then a head; the first block rematerialised or not. */
    record Net(boolean remat) implements io.jax4j.linen.LinenModule {
        Array call(Array x, boolean train) {
            return compact(() -> {
                // the plain block under the name Flax gives the lifted class, so both draw the same keys
                Block b = new Block(6, train, remat ? null : "CheckpointBlock_0");
                Array h = remat ? Lift.remat(b, m -> m.call(x)) : b.call(x);
                return new Dense(3).call(h);
            });
        }
    }

    record Block(int features, boolean train, String name) implements io.jax4j.linen.LinenModule {
        Array call(Array x) {
            return compact(() -> Nn.relu(BatchNorm.builder().useRunningAverage(!train).momentum(0.9).build()
                    .call(new Dense(features).call(x))));
        }
    }

    private static final Array X = Random.normal(Random.key(3), 5, 4);

    @Test
    void rematGivesThePlainCallsVariablesValuesGradientsAndUpdates() {
        Net plain = new Net(false), lifted = new Net(true);
        Variables v0 = plain.init(Random.key(0), () -> plain.call(X, false));
        Variables v1 = lifted.init(Random.key(0), () -> lifted.call(X, false));
        assertSameLeaves(v0, v1, "init: the same names and values (params and batch_stats)");

        Applied<Array> a0 = plain.apply(v0, () -> plain.call(X, true), Apply.mutable("batch_stats"));
        Applied<Array> a1 = lifted.apply(v0, () -> lifted.call(X, true), Apply.mutable("batch_stats"));
        assertArrayEquals(a0.value().toFloatArray(), a1.value().toFloatArray(), 1e-6f);
        assertSameLeaves(a0.updates(), a1.updates(), "the batch statistics written back from the lifted call");

        var g0 = Jax.grad((Dict p) -> Np.sum(Np.square(plain.apply(Variables.of("params", p, "batch_stats", v0.get("batch_stats")),
                () -> plain.call(X, false)).value()))).apply(v0.get("params"));
        var g1 = Jax.grad((Dict p) -> Np.sum(Np.square(lifted.apply(Variables.of("params", p, "batch_stats", v0.get("batch_stats")),
                () -> lifted.call(X, false)).value()))).apply(v0.get("params"));
        assertSameLeaves(g0, g1, "gradients through the rematerialised block");

        String jaxpr = Jax.makeJaxpr((Dict p) -> lifted.apply(Variables.of("params", p, "batch_stats", v0.get("batch_stats")),
                () -> lifted.call(X, false)).value()).apply(v0.get("params")).toString();
        assertTrue(jaxpr.contains("checkpoint"), jaxpr);
        // jitted too
        var jitted = Jax.jit((Dict p) -> lifted.apply(Variables.of("params", p, "batch_stats", v0.get("batch_stats")),
                () -> lifted.call(X, false)).value());
        assertArrayEquals(plain.apply(v0, () -> plain.call(X, false)).value().toFloatArray(), jitted.apply(v0.get("params")).toFloatArray(), 1e-5f);
    }

    @Test
    void theLiftedSubmoduleIsNamedAsFlaxNamesTheLiftedClass() {
        Net lifted = new Net(true);
        Variables v = lifted.init(Random.key(0), () -> lifted.call(X, false));
        Map<String, Object> params = v.get("params");
        assertEquals(List.of("CheckpointBlock_0", "Dense_0"), List.copyOf(params.keySet()));
    }

    private static void assertSameLeaves(Object a, Object b, String what) {
        List<Array> x = Tree.leavesOfType(a, Array.class), y = Tree.leavesOfType(b, Array.class);
        assertEquals(x.size(), y.size(), what);
        assertEquals(Tree.flatten(a).def().leafPaths(), Tree.flatten(b).def().leafPaths(), what);
        for (int i = 0; i < x.size(); i++) assertArrayEquals(x.get(i).toFloatArray(), y.get(i).toFloatArray(), 1e-6f, what + ", leaf " + i);
    }
}
