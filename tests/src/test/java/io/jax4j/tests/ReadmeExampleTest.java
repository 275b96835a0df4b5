package io.jax4j.tests;

import io.jax4j.Array;
import io.jax4j.Nn;
import io.jax4j.Np;
import io.jax4j.Random;
import io.jax4j.autodiff.HasAux;
import io.jax4j.autodiff.Jax;
import io.jax4j.autodiff.ValueAndGrad;
import io.jax4j.linen.Applied;
import io.jax4j.linen.Apply;
import io.jax4j.linen.BatchNorm;
import io.jax4j.linen.Dense;
import io.jax4j.linen.Dict;
import io.jax4j.linen.Dropout;
import io.jax4j.linen.LinenModule;
import io.jax4j.linen.TrainState;
import io.jax4j.linen.Variables;
import io.jax4j.optim.Losses;
import io.jax4j.optim.Optim;
import io.jax4j.optim.Schedule;
import io.jax4j.optim.Schedules;
import io.jax4j.tree.Tree;
import io.vavr.Function1;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's code, line for line, so that the README stays true: each block between
 * {@code // ---- README: NAME} and {@code // ---- README ends} below runs here, and
 * {@link #theReadmeShowsExactlyThisCode} checks that README.md holds each block verbatim.
 */
class ReadmeExampleTest {
    // ---- README: module
    record Mlp(int hidden, int classes) implements LinenModule {
        Array call(Array x, boolean train) {
            return compact(() -> {
                Array h = new Dense(hidden).call(x);
                h = BatchNorm.builder().useRunningAverage(!train).momentum(0.9).build().call(h);
                h = new Dropout(0.5, !train).call(Nn.relu(h));
                return new Dense(classes).call(h);
            });
        }
    }
    // ---- README ends

    @Test
    void jittedValueAndGrad() {
        // ---- README: example
        Function1<Array, Array> f = x -> Np.sum(Np.tanh(x.mul(1.5f).add(0.5f)).mul(Np.exp(x.mul(x).neg())));
        var df = Jax.jit(Jax.valueAndGrad(f));          // traced once, then cached per shape
        ValueAndGrad<Array> r = df.apply(Array.of(-1.2f, 0.3f, 2.0f));
        System.out.println(r.value());                  // Array(0.4902269.., dtype=float32)
        System.out.println(r.grad());                   // Array([..., ..., ...], dtype=float32)
        System.out.println(Jax.makeJaxpr(f).apply(Array.of(1f, 2f, 3f)));
        // ---- README ends
        double value = 0;
        double[] xs = {-1.2f, 0.3f, 2.0f};
        for (double x : xs) value += Math.tanh(1.5 * x + 0.5) * Math.exp(-x * x);
        assertEquals(value, r.value().item(), 1e-6);
        for (int i = 0; i < 3; i++) {
            double x = xs[i], t = Math.tanh(1.5 * x + 0.5), e = Math.exp(-x * x);
            assertEquals(1.5 * (1 - t * t) * e - 2 * x * t * e, r.grad().toDoubleArray()[i], 1e-5);
        }
    }

    @Test
    void jitVmapAndValueAndGradWithAux() {
        // ---- README: transformations
        Array xs = Random.normal(Random.key(0), 8, 3);           // f32[8,3]
        Function1<Array, Array> f = x -> Np.sum(Np.tanh(x).mul(x));
        Array total = Jax.jit(f).apply(xs);                      // f32[]: compiled once per shape and dtype
        Array perRow = Jax.vmap(f).apply(xs);                    // f32[8]: f of each row
        var r = Jax.valueAndGradWithAux((Array w) -> {
            Array pred = Np.matmul(xs, w);                       // f32[8]
            return HasAux.of(pred.mul(pred).mean(), pred);       // the loss, and an auxiliary output
        }).apply(Array.of(1f, 2f, 3f));                          // r.value(), r.grad() (f32[3]), r.aux()
        // ---- README ends
        float[] x = xs.toFloatArray(), rows = perRow.toFloatArray();
        double sum = 0;
        for (int i = 0; i < 8; i++) {
            double row = 0;
            for (int j = 0; j < 3; j++) row += Math.tanh(x[3 * i + j]) * x[3 * i + j];
            assertEquals(row, rows[i], 1e-5, "row " + i);
            sum += row;
        }
        assertEquals(sum, total.item(), 1e-4);
        float[] pred = r.aux().toFloatArray(), grad = r.grad().toFloatArray();
        double loss = 0;
        double[] g = new double[3];
        for (int i = 0; i < 8; i++) {
            double p = x[3 * i] + 2 * x[3 * i + 1] + 3 * x[3 * i + 2];
            assertEquals(p, pred[i], 1e-5);
            loss += p * p / 8;
            for (int j = 0; j < 3; j++) g[j] += 2 * p * x[3 * i + j] / 8;
        }
        assertEquals(loss, r.value().item(), 1e-4);
        for (int j = 0; j < 3; j++) assertEquals(g[j], grad[j], 1e-4);
    }

    @Test
    void moduleOptimizerAndTrainStep() {
        // ---- README: train step
        var model = new Mlp(64, 10);
        Array images = Random.normal(Random.key(1), 32, 784), labels = Random.randint(Random.key(2), new int[]{32}, 0, 10);
        Variables vars = model.init(Random.key(3), () -> model.call(images, false));     // params and batch_stats
        Schedule lr = Schedules.warmupCosineDecay(0.0, 0.1, 10, 100, 0.0);               // optax.warmup_cosine_decay_schedule
        TrainState<Dict> state = TrainState.create(model::apply, vars.get("params"), Optim.sgd(lr, 0.9), vars.get("batch_stats"));

        var trainStep = Jax.jit((TrainState<Dict> s, Array x, Array y) -> {
            Array dropoutKey = Random.foldIn(Random.key(4), s.step());
            var grads = Jax.valueAndGradWithAux((Dict params) -> {
                Applied<Array> out = s.apply(Variables.of("params", params, "batch_stats", s.extra()),
                        () -> model.call(x, true), Apply.mutable("batch_stats"), Apply.rngs("dropout", dropoutKey));
                Array loss = Losses.softmaxCrossEntropyWithIntegerLabels(out.value(), y).mean();
                return HasAux.of(loss, out.updates().get("batch_stats"));
            }).apply(s.params());
            return s.applyGradients(grads.grad()).withExtra(grads.aux());   // new params, optimizer state, step, batch_stats
        });
        for (int i = 0; i < 20; i++) state = trainStep.apply(state, images, labels);
        // ---- README ends
        assertEquals(20, state.step().intValue());
        assertFalse(sameLeaves(vars.get("params"), state.params()), "the params moved");
        assertFalse(sameLeaves(vars.get("batch_stats"), state.extra()), "the batch statistics moved");
        TrainState<Dict> last = state;
        Array logits = model.apply(Variables.of("params", last.params(), "batch_stats", last.extra()), () -> model.call(images, false)).value();
        Array initial = model.apply(vars, () -> model.call(images, false)).value();
        double before = Losses.softmaxCrossEntropyWithIntegerLabels(initial, labels).mean().item();
        double after = Losses.softmaxCrossEntropyWithIntegerLabels(logits, labels).mean().item();
        assertTrue(after < before, "20 steps on one batch lower its loss: " + before + " -> " + after);
    }

    @Test
    void theReadmeShowsExactlyThisCode() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        List<String> source = Files.readAllLines(Path.of("src/test/java/io/jax4j/tests/ReadmeExampleTest.java"));
        List<String> names = new ArrayList<>();
        for (int i = 0; i < source.size(); i++) {
            String line = source.get(i).strip();
            if (!line.startsWith("// ---- README: ")) continue;
            names.add(line.substring("// ---- README: ".length()));
            int indent = source.get(i).indexOf('/');
            StringBuilder block = new StringBuilder();
            for (int j = i + 1; !source.get(j).strip().equals("// ---- README ends"); j++) {
                String l = source.get(j);
                block.append(l.length() >= indent ? l.substring(indent) : l.strip()).append('\n');
            }
            assertTrue(readme.contains(block), "README.md must show the block '" + names.getLast() + "' verbatim:\n" + block);
        }
        assertEquals(List.of("module", "example", "transformations", "train step"), names);
    }

    private static boolean sameLeaves(Object a, Object b) {
        List<Array> x = Tree.leavesOfType(a, Array.class), y = Tree.leavesOfType(b, Array.class);
        for (int i = 0; i < x.size(); i++) {
            if (!java.util.Arrays.equals(x.get(i).toFloatArray(), y.get(i).toFloatArray())) return false;
        }
        return x.size() == y.size();
    }
}
