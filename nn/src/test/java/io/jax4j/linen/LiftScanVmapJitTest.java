package io.jax4j.linen;

import io.jax4j.Array;
import io.jax4j.Init;
import io.jax4j.Lax;
import io.jax4j.Nn;
import io.jax4j.Np;
import io.jax4j.Random;
import io.jax4j.autodiff.Jax;
import io.jax4j.core.Jax4jException;
import io.jax4j.tree.Tree;
import io.vavr.Tuple;
import io.vavr.Tuple2;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code nn.scan}, {@code nn.vmap} and {@code nn.jit} ({@link Lift}) against the loop they stand for:
 * the plain module called once per step or entry, with that step's slice of the stacked variables,
 * and, at init, with the key Flax gives that step (the stream's key split, its suffix kept).
 */
class LiftScanVmapJitTest {
    private static final int D = 4, L = 3, B = 2;

    /** A recurrent cell: carry' = tanh(Dense(carry) + x), y = sum of carry'. */
    record Cell(String name) implements LinenModule {
        Tuple2<Array, Array> call(Array carry, Array x) {
            return compact(() -> {
                Array c = Np.tanh(Np.add(new Dense(D).call(carry), x));
                return Tuple.of(c, Np.sum(c, -1));
            });
        }
    }

    /** A parent that scans the cell over {@code xs} [L, B, D] (or another layout, per options). */
    record Stack(Lift.ScanOptions options) implements LinenModule {
        Tuple2<Array, Array> call(Array carry, Array xs) {
            return compact(() -> Lift.scan(new Cell(null), options, (cell, c, x) -> cell.call(c, x), carry, xs));
        }
    }

    /** The same cell called plainly under the lifted name, once per step. */
    record Unrolled() implements LinenModule {
        Tuple2<Array, Array> call(Array carry, Array x) { return compact(() -> new Cell("ScanCell_0").call(carry, x)); }
    }

    private static final Array CARRY = Random.normal(Random.key(1), B, D);
    private static final Array XS = Random.normal(Random.key(2), L, B, D);
    private static final Lift.ScanOptions STACKED = Lift.ScanOptions.of().variableAxes("params", 0).splitRngs("params", true);

    @Test
    void scanStacksEachStepsParametersInitialisedFromTheSplitStream() {
        Stack stack = new Stack(STACKED);
        Array key = Random.key(0);
        Variables v = stack.init(key, () -> stack.call(CARRY, XS));
        Dict scanned = v.get("params").dict("ScanCell_0");
        assertEquals(List.of("ScanCell_0"), List.copyOf(v.get("params").keySet()));
        assertArrayEquals(new int[]{L, D, D}, ((Array) scanned.at("Dense_0", "kernel")).shape());
        // step i is the plain cell initialised with the i-th key of the split stream
        Array keys = Random.split(key, L);
        Unrolled plain = new Unrolled();
        for (int i = 0; i < L; i++) {
            Array xi = row(XS, i);
            Variables vi = plain.init(row(keys, i), () -> plain.call(CARRY, xi));
            assertSameLeaves(vi.get("params").dict("ScanCell_0"), slice(scanned, i), "step " + i);
        }
        assertFalse(Np.allclose(row((Array) scanned.at("Dense_0", "kernel"), 0), row((Array) scanned.at("Dense_0", "kernel"), 1)).item() != 0,
                "split rngs: every step its own parameters");
    }

    @Test
    void scanComputesTheLoopOverStepsWithTheirSlicesEagerJittedAndDifferentiated() {
        Stack stack = new Stack(STACKED);
        Variables v = stack.init(Random.key(0), () -> stack.call(CARRY, XS));
        Tuple2<Array, Array> lifted = stack.<Tuple2<Array, Array>>apply(v, () -> stack.call(CARRY, XS)).value();
        Tuple2<Array, Array> loop = loop(v.get("params"), CARRY);
        assertClose(loop._1, lifted._1, "final carry");
        assertClose(loop._2, lifted._2, "stacked outputs");
        assertArrayEquals(new int[]{L, B}, lifted._2.shape());

        var jitted = Jax.jit((Dict p) -> stack.<Tuple2<Array, Array>>apply(Variables.of("params", p), () -> stack.call(CARRY, XS)).value()._1);
        assertClose(loop._1, jitted.apply(v.get("params")), "jitted");
        String jaxpr = Jax.makeJaxpr((Dict p) -> stack.<Tuple2<Array, Array>>apply(Variables.of("params", p), () -> stack.call(CARRY, XS)).value()._1)
                .apply(v.get("params")).toString();
        assertTrue(jaxpr.contains("scan["), "one scan, the step traced once: " + jaxpr);

        Dict g = Jax.grad((Dict p) -> Np.sum(Np.square(stack.<Tuple2<Array, Array>>apply(Variables.of("params", p), () -> stack.call(CARRY, XS))
                .value()._1))).apply(v.get("params"));
        Dict gLoop = Jax.grad((Dict p) -> Np.sum(Np.square(loop(p, CARRY)._1))).apply(v.get("params"));
        assertSameLeaves(gLoop, g, "gradient wrt the stacked parameters");
    }

    @Test
    void scanAlongAnotherAxisInReverse() {
        Lift.ScanOptions options = STACKED.inAxis(1).outAxis(1).reverse(true);
        Stack stack = new Stack(options);
        Array xsBatchFirst = Np.moveaxis(XS, 0, 1);
        Variables v = stack.init(Random.key(0), () -> stack.call(CARRY, xsBatchFirst));
        Tuple2<Array, Array> lifted = stack.<Tuple2<Array, Array>>apply(v, () -> stack.call(CARRY, xsBatchFirst)).value();
        // the loop from the last step down
        Array c = CARRY;
        Array[] ys = new Array[L];
        Unrolled plain = new Unrolled();
        for (int i = L - 1; i >= 0; i--) {
            Dict pi = Dict.of("ScanCell_0", slice(v.get("params").dict("ScanCell_0"), i));
            Array ci = c;
            int step = i;
            Tuple2<Array, Array> r = plain.<Tuple2<Array, Array>>apply(Variables.of("params", unstack(pi)), () -> plain.call(ci, row(XS, step))).value();
            c = r._1;
            ys[i] = r._2;
        }
        assertClose(c, lifted._1, "final carry");
        assertClose(Np.stack(List.of(ys), 1), lifted._2, "outputs stacked on axis 1");
    }

    @Test
    void broadcastParametersAreSharedByEveryStep() {
        Lift.ScanOptions rnn = Lift.ScanOptions.of().variableBroadcast("params").splitRngs("params", false);
        Stack stack = new Stack(rnn);
        Variables v = stack.init(Random.key(0), () -> stack.call(CARRY, XS));
        assertArrayEquals(new int[]{D, D}, ((Array) v.get("params").at("ScanCell_0", "Dense_0", "kernel")).shape());
        Unrolled plain = new Unrolled();
        Variables v0 = plain.init(Random.key(0), () -> plain.call(CARRY, row(XS, 0)));
        assertSameLeaves(v0.get("params"), v.get("params"), "the parameters of the unsplit stream");

        Tuple2<Array, Array> lifted = stack.<Tuple2<Array, Array>>apply(v, () -> stack.call(CARRY, XS)).value();
        Array c = CARRY;
        for (int i = 0; i < L; i++) {
            Array ci = c;
            int step = i;
            c = plain.<Tuple2<Array, Array>>apply(v, () -> plain.call(ci, row(XS, step))).value()._1;
        }
        assertClose(c, lifted._1, "the same cell every step");
    }

    /** A cell that counts its calls in a batch_stats-like collection. */
    record Counting() implements LinenModule {
        Tuple2<Array, Array> call(Array carry, Array x) {
            return compact(() -> {
                VariableRef n = variable("counts", "calls", () -> Array.scalar(0f));
                if (isMutableCollection("counts")) n.set(Np.add(n.value(), Array.scalar(1f)));
                return Tuple.of(Np.add(carry, x), Np.sum(x));
            });
        }
    }

    @Test
    void aCollectionTheScanDoesNotLiftIsAnErrorNamingIt() {
        record Parent() implements LinenModule {
            Tuple2<Array, Array> call(Array carry, Array xs) {
                return compact(() -> Lift.scan(new Counting(), Lift.ScanOptions.of(), (m, c, x) -> m.call(c, x), carry, xs));
            }
        }
        Parent p = new Parent();
        Jax4jException e = assertThrows(Jax4jException.class, () -> p.init(Random.key(0), () -> p.call(CARRY, XS)));
        assertTrue(e.getMessage().contains("nn.scan(Counting)") && e.getMessage().contains("'counts'") && e.getMessage().contains("variableAxes"),
                e.getMessage());
        // carried from step to step, it counts the steps
        record Carrying() implements LinenModule {
            Tuple2<Array, Array> call(Array carry, Array xs) {
                return compact(() -> Lift.scan(new Counting(), Lift.ScanOptions.of().variableCarry("counts"), (m, c, x) -> m.call(c, x), carry, xs));
            }
        }
        Carrying q = new Carrying();
        Variables counts = Variables.of("counts", Dict.of("ScanCounting_0", Dict.of("calls", Array.scalar(0f))));
        Applied<Tuple2<Array, Array>> out = q.apply(counts, () -> q.call(CARRY, XS), Apply.mutable("counts"));
        assertEquals(L, ((Array) out.updates().get("counts").at("ScanCounting_0", "calls")).floatValue());
    }

    @Test
    void scanWithNothingToScanNeedsALength() {
        record Repeat(Integer n) implements LinenModule {
            Array call(Array x) {
                Lift.ScanOptions o = STACKED;
                if (n != null) o = o.length(n);
                Lift.ScanOptions options = o;
                return compact(() -> Lift.scan(new Dense(D), options, (d, c, none) -> Tuple.of(Nn.relu(d.call(c)), List.of()), x, List.of())._1);
            }
        }
        Repeat none = new Repeat(null);
        Jax4jException e = assertThrows(Jax4jException.class, () -> none.init(Random.key(0), () -> none.call(CARRY)));
        assertTrue(e.getMessage().contains("ScanOptions.length"), e.getMessage());
        Repeat three = new Repeat(3);
        Variables v = three.init(Random.key(0), () -> three.call(CARRY));
        assertArrayEquals(new int[]{3, D, D}, ((Array) v.get("params").at("ScanDense_0", "kernel")).shape());
        Array h = CARRY;
        for (int i = 0; i < 3; i++) {
            Dict layer = slice(v.get("params").dict("ScanDense_0"), i);
            h = Nn.relu(Np.add(Np.matmul(h, unstackArray((Array) layer.get("kernel"))), unstackArray((Array) layer.get("bias"))));
        }
        assertClose(h, three.<Array>apply(v, () -> three.call(CARRY)).value(), "three stacked layers");
    }

    // ---------------------------------------------------------------- vmap

    record Ensemble(Lift.VmapOptions options) implements LinenModule {
        Array call(Array x) { return compact(() -> Lift.vmap(new Dense(3), options, (d, xi) -> d.call(xi), x)); }
    }

    @Test
    void vmapGivesEveryEntryItsOwnParametersOrSharesThem() {
        Array x = Random.normal(Random.key(5), L, B, D);
        Ensemble own = new Ensemble(Lift.VmapOptions.of().variableAxes("params", 0).splitRngs("params", true));
        Variables v = own.init(Random.key(0), () -> own.call(x));
        Dict p = v.get("params").dict("VmapDense_0");
        assertArrayEquals(new int[]{L, D, 3}, ((Array) p.get("kernel")).shape());
        Array keys = Random.split(Random.key(0), L);
        Array out = own.<Array>apply(v, () -> own.call(x)).value();
        for (int i = 0; i < L; i++) {
            Dense named = new Dense(3, true, Init.lecunNormal(), Init.zeros(), "VmapDense_0");
            record One(Dense d) implements LinenModule {
                Array call(Array x) { return compact(() -> d.call(x)); }
            }
            One one = new One(named);
            Array xi = row(x, i);
            Variables vi = one.init(row(keys, i), () -> one.call(xi));
            assertSameLeaves(vi.get("params").dict("VmapDense_0"), slice(p, i), "entry " + i + " initialised from its key");
            assertClose(one.<Array>apply(vi, () -> one.call(xi)).value(), row(out, i), "entry " + i);
        }

        Ensemble shared = new Ensemble(Lift.VmapOptions.of().variableAxes("params", null).splitRngs("params", false));
        Variables s = shared.init(Random.key(0), () -> shared.call(x));
        Dict sp = s.get("params").dict("VmapDense_0");
        assertArrayEquals(new int[]{D, 3}, ((Array) sp.get("kernel")).shape());
        Array y = shared.<Array>apply(s, () -> shared.call(x)).value();
        assertClose(Np.add(Np.matmul(x, (Array) sp.get("kernel")), (Array) sp.get("bias")), y, "one Dense for every entry");

        var jitted = Jax.jit((Dict q) -> own.<Array>apply(Variables.of("params", q), () -> own.call(x)).value());
        assertClose(out, jitted.apply(v.get("params")), "jitted");
    }

    @Test
    void vmapAxisNameReachesCollectivesInside() {
        record Centered() implements LinenModule {
            Array call(Array x) {
                return compact(() -> Lift.vmap(new Dense(3), Lift.VmapOptions.of().variableAxes("params", null).splitRngs("params", false).axisName("i"),
                        (d, xi) -> Np.subtract(d.call(xi), io.jax4j.Lax.pmean(d.call(xi), "i")), x));
            }
        }
        Array x = Random.normal(Random.key(5), L, B, D);
        Centered m = new Centered();
        Variables v = m.init(Random.key(0), () -> m.call(x));
        Array y = m.<Array>apply(v, () -> m.call(x)).value();
        assertClose(Np.zeros(B, 3), Np.sum(y, 0), "entries centred by pmean over the named axis");
    }

    // ---------------------------------------------------------------- jit

    @Test
    void jitComputesThePlainCallAndRefusesACapturingCall() {
        record Jitted(boolean lifted) implements LinenModule {
            Array call(Array x) {
                return compact(() -> lifted ? Lift.jit(new Dense(3), (d, xi) -> Nn.relu(d.call(xi)), x) : Nn.relu(new Dense(3, true, Init.lecunNormal(), Init.zeros(), "JitDense_0").call(x)));
            }
        }
        Array x = Random.normal(Random.key(5), B, D);
        Jitted lifted = new Jitted(true), plain = new Jitted(false);
        Variables v = lifted.init(Random.key(0), () -> lifted.call(x));
        assertSameLeaves(plain.init(Random.key(0), () -> plain.call(x)), v, "init");
        assertClose(plain.<Array>apply(v, () -> plain.call(x)).value(), lifted.<Array>apply(v, () -> lifted.call(x)).value(), "apply");
        Dict g = Jax.grad((Dict p) -> Np.sum(lifted.<Array>apply(Variables.of("params", p), () -> lifted.call(x)).value())).apply(v.get("params"));
        Dict g0 = Jax.grad((Dict p) -> Np.sum(plain.<Array>apply(Variables.of("params", p), () -> plain.call(x)).value())).apply(v.get("params"));
        assertSameLeaves(g0, g, "gradients");

        record Capturing() implements LinenModule {
            Array call(Array x) {
                Array shift = Array.scalar(1f);
                return compact(() -> Lift.jit(new Dense(3), (d, xi) -> Np.add(d.call(xi), shift), x));
            }
        }
        Capturing c = new Capturing();
        Jax4jException e = assertThrows(Jax4jException.class, () -> c.init(Random.key(0), () -> c.call(x)));
        assertTrue(e.getMessage().contains("captures values"), e.getMessage());
    }

    // ---------------------------------------------------------------- helpers

    /** The scan as a Java loop: the plain cell with step i's parameters. */
    private static Tuple2<Array, Array> loop(Dict params, Array carry) {
        Unrolled plain = new Unrolled();
        Array c = carry;
        List<Array> ys = new ArrayList<>();
        for (int i = 0; i < L; i++) {
            Dict pi = Dict.of("ScanCell_0", unstack(slice(params.dict("ScanCell_0"), i)));
            Array ci = c;
            int step = i;
            Tuple2<Array, Array> r = plain.<Tuple2<Array, Array>>apply(Variables.of("params", pi), () -> plain.call(ci, row(XS, step))).value();
            c = r._1;
            ys.add(r._2);
        }
        return Tuple.of(c, Np.stack(ys, 0));
    }

    private static Array row(Array a, int i) { return Np.squeeze(Lax.sliceInDim(a, i, i + 1, 1, 0), 0); }

    /** Step i of stacked variables, keeping a leading axis of 1. */
    private static Dict slice(Dict stacked, int i) { return Tree.mapLeavesOfType(Array.class, a -> Lax.sliceInDim(a, i, i + 1, 1, 0), stacked); }

    private static Dict unstack(Dict one) { return Tree.mapLeavesOfType(Array.class, LiftScanVmapJitTest::unstackArray, one); }

    private static Array unstackArray(Array a) { return Np.squeeze(a, 0); }

    private static void assertClose(Array expected, Array actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what);
        assertArrayEquals(expected.toFloatArray(), actual.toFloatArray(), 2e-5f, what);
    }

    private static void assertSameLeaves(Object expected, Object actual, String what) {
        List<Array> x = Tree.leavesOfType(expected, Array.class), y = Tree.leavesOfType(actual, Array.class);
        assertEquals(x.size(), y.size(), what);
        for (int i = 0; i < x.size(); i++) {
            Array a = x.get(i), b = y.get(i);
            if (a.ndim() + 1 == b.ndim()) b = unstackArray(b);
            if (b.ndim() + 1 == a.ndim()) a = unstackArray(a);
            assertClose(a, b, what + ", leaf " + i);
        }
    }
}
