package io.jax4j.pretrained;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Random;
import io.jax4j.autodiff.Jax;
import io.jax4j.linen.Bound;
import io.jax4j.linen.Dict;
import io.jax4j.linen.TrainState;
import io.jax4j.linen.Variables;
import io.jax4j.optim.Losses;
import io.jax4j.optim.Optim;
import io.jax4j.tree.Tree;
import io.vavr.Tuple;
import io.vavr.Tuple2;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.jax4j.pretrained.ClipFixtures.assertBitIdentical;
import static io.jax4j.pretrained.ClipFixtures.checkpoint;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tutorial's transfer-learning workflow, line by line, on the tiny pretrained CLIP's vision tower. */
class TransferLearningTest {

    record Batch(Array images, Array labels) {}

    @Test
    void frozenPretrainedBackboneNewHeadLearns() {
        var clip = Clip.fromPretrained(checkpoint());
        Bound<ClipVisionTransformer> vision = clip.module().bind(clip.variables()).child(ClipModel::visionModel).unbind();
        var model = new Classifier(3, vision.module());
        Dict params = model.init(Random.key(1), () -> model.call(Array.empty(1, 32, 32, 3))).get("params")
                .with("backbone", vision.variables().get("params"));
        assertTrue(Tree.leaves(((Dict) params.get("head")).get("kernel")).stream().allMatch(k -> ((Array) k).abs().max().item() == 0),
                "head kernel is zero-initialised");
        Object labels = labelByPath(params, "");
        var tx = Optim.multiTransform(Map.of("trainable", Optim.adam(5e-3), "frozen", Optim.setToZero()), labels);
        var state = TrainState.create(model::apply, params, tx);

        var trainStep = Jax.jit((TrainState<Void> s, Batch batch) -> {
            var vg = Jax.valueAndGrad((Dict p) -> {
                Array logits = s.apply(Variables.of("params", p), () -> model.call(batch.images())).value();
                return Losses.softmaxCrossEntropyWithIntegerLabels(logits, batch.labels()).mean();
            }).apply(s.params());
            return Tuple.of(s.applyGradients(vg.grad()), vg.value());
        });

        Batch batch = new Batch(Random.normal(Random.key(7), 6, 32, 32, 3), Array.of(0, 1, 2, 0, 1, 2));
        List<Object> backboneBefore = Tree.leaves(params.get("backbone"));
        double first = Double.NaN, last = Double.NaN;
        for (int i = 0; i < 4; i++) {
            Tuple2<TrainState<Void>, Array> r = trainStep.apply(state, batch);
            state = r._1;
            last = r._2.item();
            if (i == 0) first = last;
        }
        assertEquals(Math.log(3), first, 1e-5, "a zero head predicts uniformly: loss ln 3");
        assertTrue(last < first - 1e-3, "loss decreased: " + first + " -> " + last);
        assertEquals(4, state.step().intValue());

        List<Object> backboneAfter = Tree.leaves(state.params().get("backbone"));
        assertEquals(backboneBefore.size(), backboneAfter.size());
        for (int i = 0; i < backboneBefore.size(); i++) {
            assertBitIdentical((Array) backboneBefore.get(i), (Array) backboneAfter.get(i), "backbone leaf " + i);
        }
        Array headKernel = (Array) state.params().at("head", "kernel");
        assertTrue(headKernel.abs().max().item() > 0, "the head learned");
        assertEquals(DType.F32, headKernel.dtype());
    }

    /** The tutorial's {@code path_aware_map(lambda path, _: 'frozen' if 'backbone' in path else 'trainable', params)}. */
    static Object labelByPath(Object node, String path) {
        if (node instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put((String) k, labelByPath(v, path + "/" + k)));
            return Dict.copyOf(out);
        }
        return path.contains("backbone") ? "frozen" : "trainable";
    }
}
