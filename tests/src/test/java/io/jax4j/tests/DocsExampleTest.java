package io.jax4j.tests;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Nn;
import io.jax4j.Np;
import io.jax4j.Random;
import io.jax4j.Lax;
import io.jax4j.autodiff.HasAux;
import io.jax4j.autodiff.InAxes;
import io.jax4j.autodiff.Jax;
import io.jax4j.autodiff.JitOptions;
import io.jax4j.examples.train.Training;
import io.jax4j.Pooling;
import io.jax4j.linen.Conv;
import io.jax4j.checkpoint.CheckpointManager;
import io.jax4j.checkpoint.CheckpointOptions;
import io.jax4j.checkpoint.Checkpoints;
import io.jax4j.linen.Applied;
import io.jax4j.linen.Apply;
import io.jax4j.linen.BatchNorm;
import io.jax4j.linen.Bound;
import io.jax4j.linen.Dense;
import io.jax4j.linen.Dict;
import io.jax4j.linen.Dropout;
import io.jax4j.linen.LinenModule;
import io.jax4j.linen.TrainState;
import io.jax4j.linen.Traverse;
import io.jax4j.linen.Variables;
import io.jax4j.optim.GradientTransformation;
import io.jax4j.optim.Losses;
import io.jax4j.optim.Optim;
import io.jax4j.optim.Schedule;
import io.jax4j.optim.Schedules;
import io.jax4j.pretrained.Classifier;
import io.jax4j.pretrained.Clip;
import io.jax4j.pretrained.ClipVisionModel;
import io.jax4j.tree.Tree;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every Java block of {@code docs/*.md}, compiled and run: each block is a region of this file between
 * {@code // ---- docs/FILE.md} and {@code // ---- docs ends}, and {@link #theDocsShowExactlyThisCode}
 * checks that the pages hold exactly these blocks, in order (as {@code ReadmeExampleTest} does for the
 * README). The blocks use the library only, with the imports of this file.
 */
class DocsExampleTest {

    @Test
    void batchNorm() {
        // ---- docs/batch-norm.md
        record MLP() implements LinenModule {
          Array call(Array x, boolean train) {
            return compact(() -> {
              Array h = new Dense(4).call(x);
              h = BatchNorm.builder().useRunningAverage(!train)
                      .momentum(0.9).build().call(h);
              h = Nn.relu(h);
              return new Dense(1).call(h);
            });
          }
        }
        MLP mlp = new MLP();
        Variables v = mlp.init(Random.key(0),
            () -> mlp.call(Array.ones(1, 3), false));
        // params and batch_stats (BatchNorm_0: mean 0, var 1)

        record Stats(Dict batchStats) {}   // TrainState<Stats>
        record StepOut(TrainState<Stats> state, Array loss) {}

        var trainStep = Jax.jit((TrainState<Stats> s,
                                 Array x, Array y) -> {
          var vg = Jax.valueAndGradWithAux((Dict params) -> {
            Applied<Array> o = s.apply(
                Variables.of("params", params,
                    "batch_stats", s.extra().batchStats()),
                () -> mlp.call(x, true),
                Apply.mutable("batch_stats"));
            Array loss = o.value().sub(y).square().mean();
            return HasAux.of(loss, o.updates().get("batch_stats"));
          }).apply(s.params());
          return new StepOut(s.applyGradients(vg.grad())
              .withExtra(new Stats(vg.aux())), vg.value());
        });

        var state = TrainState.create(mlp::apply,
            v.get("params"), Optim.sgd(0.1),
            new Stats(v.get("batch_stats")));
        Array xs = Random.normal(Random.key(1), 8, 3);
        Array ys = Random.normal(Random.key(2), 8, 1);
        state = trainStep.apply(state, xs, ys).state();

        // evaluation: running averages, nothing mutable
        Array pred = mlp.apply(Variables.of(
            "params", state.params(),
            "batch_stats", state.extra().batchStats()),
            () -> mlp.call(xs, false)).value();
        // ---- docs ends
        assertArrayEquals(new int[]{8, 1}, pred.shape());
        assertEquals(1, state.step().intValue());
        Array mean = (Array) state.extra().batchStats().at("BatchNorm_0", "mean");
        assertTrue(Np.max(Np.abs(mean)).item() > 0, "the running mean moved from 0");
    }

    @Test
    void dropout() {
        // ---- docs/dropout.md
        record MyModel(int numNeurons, double rate)
            implements LinenModule {
          Array call(Array x, boolean training) {
            return compact(() -> new Dropout(rate, !training)
                .call(new Dense(numNeurons).call(x)));
          }
        }
        MyModel myModel = new MyModel(16, 0.5);
        Array x = Array.ones(4, 8);

        Array keys = Random.split(Random.key(0), 3);
        Array mainKey = keys.get(0), paramsKey = keys.get(1),
              dropoutKey = keys.get(2);
        Variables v = myModel.init(paramsKey,
            () -> myModel.call(x, false));

        // in a train step (the step number from the state):
        Array step = Array.scalar(0);
        Array dropoutTrainKey = Random.foldIn(dropoutKey, step);
        Array y = myModel.apply(v, () -> myModel.call(x, true),
            Apply.rngs("dropout", dropoutTrainKey)).value();

        Array yEval = myModel.apply(v,
            () -> myModel.call(x, false)).value();
        // ---- docs ends
        assertArrayEquals(new int[]{2}, mainKey.shape());
        float[] kept = y.toFloatArray(), all = yEval.toFloatArray();
        int dropped = 0;
        for (int i = 0; i < kept.length; i++) {
            if (kept[i] == 0f) dropped++;
            else assertEquals(2 * all[i], kept[i], 1e-5, "kept units are scaled by 1 / (1 - 0.5)");
        }
        assertTrue(dropped > 0 && dropped < kept.length, "some units dropped: " + dropped);
    }

    @Test
    void learningRateSchedule() {
        // ---- docs/lr-schedule.md
        int warmupEpochs = 1, numEpochs = 3, stepsPerEpoch = 469;
        double baseLr = 0.1;
        Schedule warmup = Schedules.linear(0.0, baseLr,
            warmupEpochs * stepsPerEpoch);
        int cosineEpochs = Math.max(
            numEpochs - warmupEpochs, 1);
        Schedule cosine = Schedules.cosineDecay(baseLr,
            cosineEpochs * stepsPerEpoch);
        Schedule lr = Schedules.joinSchedules(
            List.of(warmup, cosine),
            new int[]{warmupEpochs * stepsPerEpoch});

        GradientTransformation tx = Optim.sgd(lr, 0.9);
        // ---- docs ends
        assertEquals(0.0, lr.at(0), 1e-12);
        assertEquals(0.1, lr.at(469), 1e-7);
        assertEquals(0.05, lr.at(469 + 469), 1e-7);
        assertTrue(tx != null);
    }

    @Test
    void checkpoints(@TempDir Path workdir) {
        Dense model = new Dense(2);
        GradientTransformation tx = Optim.adam(1e-3);
        TrainState<Void> state = TrainState.create(model::apply,
            model.init(Random.key(0), () -> model.call(Array.ones(1, 3))).get("params"), tx);
        Array loss = Array.scalar(0.25f);
        long n = 100;
        // ---- docs/checkpoints.md
        try (CheckpointManager mgr = Checkpoints.manager(workdir,
                CheckpointOptions.defaults()
                    .keepLast(3)
                    .async())) {
          mgr.save(n, state, Map.of("loss", loss.item()));
          mgr.waitUntilFinished();

          var template = TrainState.create(model::apply,
              state.params(), tx);   // the structure to fill
          var restored = mgr.restore(
              mgr.latestStep().getAsLong(), template);
          int step = restored.step().intValue();
          System.out.printf("restored step %d%n", step);
        }
        // ---- docs ends
        try (CheckpointManager again = Checkpoints.manager(workdir)) {
            assertEquals(List.of(100L), again.allSteps());
            TrainState<Void> restored = again.restore(100, state);
            assertEquals(0, restored.step().intValue());
            assertTrue(sameLeaves(state.params(), restored.params()));
        }
    }

    @Test
    void dataParallelStep() {   // the build runs tests with -Djax4j.cpuDevices=4
        Dense model = new Dense(10);
        Array images = Random.normal(Random.key(1), 8, 784), labels = Random.randint(Random.key(2), new int[]{8}, 0, 10);
        TrainState<Void> state = TrainState.create(model::apply,
            model.init(Random.key(0), () -> model.call(Array.ones(1, 784))).get("params"), Optim.sgd(0.1));
        // ---- docs/scale-out.md
        var step = Jax.jit(Jax.pmap(
            (TrainState<Void> s, Array x, Array y) -> {
              var r = Jax.valueAndGrad((Dict p) -> Losses
                  .softmaxCrossEntropyWithIntegerLabels(
                      s.apply(Variables.of("params", p),
                          () -> model.call(x)).value(), y)
                  .mean()).apply(s.params());
              Dict grads = Lax.pmean(r.grad(), "batch");
              return s.applyGradients(grads);
            }, "batch", InAxes.of(null, 0, 0), null));

        int n = Jax.localDeviceCount();    // -Djax4j.cpuDevices=4
        Array xs = images.reshape(n, -1, 784);   // [replicas, rows, ...]
        Array ys = labels.reshape(n, -1);
        TrainState<Void> next = step.apply(state, xs, ys);
        // ---- docs ends
        assertEquals(4, n);
        // one device on the whole batch takes the same step
        var whole = Jax.valueAndGrad((Dict p) -> Losses.softmaxCrossEntropyWithIntegerLabels(
                state.apply(Variables.of("params", p), () -> model.call(images)).value(), labels).mean()).apply(state.params());
        TrainState<Void> expected = state.applyGradients(whole.grad());
        List<Array> a = Tree.leavesOfType(expected.params(), Array.class), b = Tree.leavesOfType(next.params(), Array.class);
        for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i).toFloatArray(), b.get(i).toFloatArray(), 1e-6f);
    }

    @Test
    void theMainJobsModelAndTrainStep() {
        // ---- docs/train.md
        record CNN() implements LinenModule {
          Array call(Array x, boolean train) {
            return compact(() -> {
              Array h = block(x, 32, train);
              h = block(h, 64, train);
              h = h.reshape(h.dim(0), -1);
              h = Nn.relu(new Dense(256).call(h));
              h = new Dropout(0.5, !train).call(h);
              return new Dense(10).call(h);
            });
          }
          static Array block(Array x, int f, boolean train) {
            Array h = new Conv(f, 3, 3).call(x);
            h = BatchNorm.builder().useRunningAverage(!train)
                .momentum(0.9).build().call(h);
            h = Nn.relu(h);
            return Pooling.avgPool(h, new int[]{2, 2},
                new int[]{2, 2}, "VALID");
          }
        }
        record Extra(Dict batchStats, Array key) {}

        CNN model = new CNN();
        Array keys = Random.split(Random.key(0), 3);
        Variables v = model.init(Map.of("params", keys.get(1),
                "dropout", keys.get(2)),
            () -> model.call(Array.ones(1, 28, 28, 1), false));
        Schedule lr = Schedules.warmupCosineDecay(0.0, 0.1,
            469, 2 * 469, 0.0);
        var state = TrainState.create(model::apply,
            v.get("params"), Optim.sgd(lr, 0.9),
            new Extra(v.get("batch_stats"), keys.get(2)));

        // the state donated (JAX's donate_argnums=0)
        var trainStep = Jax.jit((TrainState<Extra> s,
                                 Array images, Array labels) -> {
          Array dropoutKey = Random.foldIn(
              s.extra().key(), s.step());
          var r = Jax.valueAndGradWithAux((Dict params) -> {
            Applied<Array> out = s.apply(
                Variables.of("params", params,
                    "batch_stats", s.extra().batchStats()),
                () -> model.call(images, true),
                Apply.mutable("batch_stats"),
                Apply.rngs("dropout", dropoutKey));
            Array loss = Losses
                .softmaxCrossEntropyWithIntegerLabels(
                    out.value(), labels).mean();
            return HasAux.of(loss,
                out.updates().get("batch_stats"));
          }).apply(s.params());
          return s.applyGradients(r.grad()).withExtra(
              new Extra(r.aux(), s.extra().key()));
        }, JitOptions.donate(0));

        Array images = Random.uniform(keys.get(0), 8, 28, 28, 1);
        Array labels = Array.of(0, 1, 2, 3, 4, 5, 6, 7);
        state = trainStep.apply(state, images, labels);
        // ---- docs ends
        assertEquals(1, state.step().intValue());
        assertTrue(Np.max(Np.abs((Array) state.extra().batchStats().at("BatchNorm_0", "mean"))).item() > 0);
    }

    @Test
    void transferLearningFromClip() throws Exception {
        Path clipDir = Path.of("src/test/resources/fixtures/clip_tiny");
        Array x = Array.zeros(2, 32, 32, 3), y = Array.of(0, 1);
        // ---- docs/transfer-learning.md
        Bound<ClipVisionModel> vision =
            Clip.visionFromPretrained(clipDir);
        var model = new Classifier(10, vision.module());
        Dict params = model.init(Random.key(0),
                () -> model.call(x))
            .get("params")
            .with("backbone", vision.variables().get("params"));

        Dict labels = Traverse.pathAwareMap(
            (path, v) -> path.contains("backbone")
                ? "frozen" : "trainable", params);
        GradientTransformation tx = Optim.multiTransform(
            Map.of("trainable", Optim.adam(5e-3),
                   "frozen", Optim.setToZero()),
            labels);
        TrainState<Void> state =
            TrainState.create(model::apply, params, tx);

        var grads = Jax.grad((Dict p) -> Losses
            .softmaxCrossEntropyWithIntegerLabels(
                model.apply(Variables.of("params", p),
                    () -> model.call(x)).value(), y)
            .mean()).apply(state.params());
        state = state.applyGradients(grads);
        // ---- docs ends
        List<Object> before = Tree.leaves(params.get("backbone")), after = Tree.leaves(state.params().get("backbone"));
        for (int i = 0; i < before.size(); i++) {
            assertArrayEquals(((Array) before.get(i)).toFloatArray(), ((Array) after.get(i)).toFloatArray(), 0, "backbone leaf " + i);
        }
        assertTrue(Np.max(Np.abs((Array) state.params().at("head", "bias"))).item() > 0, "the head learned");
    }

    @Test
    void transferLearningFromTheCnn(@TempDir Path dir) {
        io.jax4j.examples.train.Cnn oldModel = new io.jax4j.examples.train.Cnn(4, 8, 16, 5, 0.5);
        var newModel = oldModel.withClasses(5);
        Array key = Random.key(3), x = Array.ones(2, 28, 28, 1), y = Array.of(1, 3);
        var template = io.jax4j.examples.train.Training.createTrainState(oldModel, Random.key(0), Random.key(1),
            new int[]{1, 28, 28, 1}, Optim.sgd(0.1, 0.9));
        try (CheckpointManager mgr = Checkpoints.manager(dir)) {
            mgr.save(7, template);
            // ---- docs/transfer-learning.md
            TrainState<Training.Extra> restored = mgr.restore(
                mgr.latestStep().getAsLong(), template);
            Dict params = restored.params().with("Dense_1",
                (Dict) Tree.<Array, Object>map(Np::zerosLike,
                    newModel.init(key, () -> newModel.call(x, false))
                        .get("params").dict("Dense_1")));

            Dict labels = Traverse.pathAwareMap(
                (path, v) -> path.contains("Dense_1")
                    ? "trainable" : "frozen", params);
            GradientTransformation tx = Optim.multiTransform(
                Map.of("trainable", Optim.adam(0.02),
                       "frozen", Optim.setToZero()),
                labels);
            var state = TrainState.create(newModel::apply, params,
                tx, new Training.Extra(
                    restored.extra().batchStats(), key));

            // the loss: the backbone in eval mode
            Dict grads = Jax.grad((Dict p) -> Losses
                .softmaxCrossEntropyWithIntegerLabels(
                    state.apply(Variables.of("params", p,
                            "batch_stats", state.extra().batchStats()),
                        () -> newModel.call(x, false)).value(), y)
                .mean()).apply(state.params());
            var next = state.applyGradients(grads);
            // ---- docs ends
            assertTrue(sameLeaves(params.without("Dense_1"), next.params().without("Dense_1")), "the backbone is frozen");
            assertFalse(sameLeaves(params.get("Dense_1"), next.params().get("Dense_1")), "the head learned");
        }
    }

    private static boolean sameLeaves(Object a, Object b) {
        List<Array> x = Tree.leavesOfType(a, Array.class), y = Tree.leavesOfType(b, Array.class);
        if (x.size() != y.size()) return false;
        for (int i = 0; i < x.size(); i++) if (!java.util.Arrays.equals(x.get(i).toFloatArray(), y.get(i).toFloatArray())) return false;
        return true;
    }

    /** The regions of this file for {@code page}, de-indented to the marker's column. */
    private static List<String> regions(List<String> source, String page) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < source.size(); i++) {
            if (!source.get(i).strip().equals("// ---- docs/" + page)) continue;
            int indent = source.get(i).indexOf('/');
            StringBuilder block = new StringBuilder();
            for (int j = i + 1; !source.get(j).strip().equals("// ---- docs ends"); j++) {
                String l = source.get(j);
                block.append(l.length() >= indent ? l.substring(indent) : l.strip()).append('\n');
            }
            out.add(block.toString());
        }
        return out;
    }

    /** The ```java blocks of a page, in order. */
    private static List<String> javaBlocks(String markdown) {
        List<String> out = new ArrayList<>();
        StringBuilder block = null;
        for (String line : markdown.split("\n", -1)) {
            if (block == null && line.strip().equals("```java")) block = new StringBuilder();
            else if (block != null && line.strip().equals("```")) {
                out.add(block.toString());
                block = null;
            } else if (block != null) block.append(line).append('\n');
        }
        return out;
    }

    @Test
    void theDocsShowExactlyThisCode() throws IOException {
        List<String> source = Files.readAllLines(Path.of("src/test/java/io/jax4j/tests/DocsExampleTest.java"));
        Map<String, Integer> checked = new LinkedHashMap<>();
        try (Stream<Path> pages = Files.list(Path.of("..", "docs"))) {
            for (Path page : pages.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
                String name = page.getFileName().toString();
                List<String> blocks = javaBlocks(Files.readString(page));
                List<String> tested = regions(source, name);
                assertEquals(blocks.size(), tested.size(), "docs/" + name + " has " + blocks.size() + " Java block(s); this test runs "
                        + tested.size() + " region(s) marked '// ---- docs/" + name + "'");
                for (int i = 0; i < blocks.size(); i++) {
                    assertEquals(tested.get(i), blocks.get(i), "docs/" + name + ": Java block " + (i + 1) + " differs from the code this test runs");
                }
                if (!blocks.isEmpty()) checked.put(name, blocks.size());
            }
        }
        assertFalse(checked.isEmpty());
        assertTrue(checked.keySet().containsAll(List.of("batch-norm.md", "dropout.md", "lr-schedule.md", "checkpoints.md",
                "transfer-learning.md")), checked.toString());
    }
}
