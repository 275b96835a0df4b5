package io.jax4j.linen;

import com.fasterxml.jackson.databind.JsonNode;
import io.jax4j.Array;
import io.jax4j.Nn;
import io.jax4j.Np;
import io.jax4j.Pooling;
import io.jax4j.Random;
import io.jax4j.autodiff.HasAux;
import io.jax4j.autodiff.Jax;
import io.jax4j.optim.Losses;
import io.jax4j.serialization.FlaxSerialization;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

import static io.jax4j.linen.FlaxFixtures.array;
import static io.jax4j.linen.FlaxFixtures.assertClose;
import static io.jax4j.linen.FlaxFixtures.flax;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Flax MNIST example CNN, its variables loaded from the msgpack file Flax wrote
 * ({@code flax.serialization.to_bytes}): logits, loss, and per-leaf gradient sums and absolute sums;
 * and {@code path_aware_map}'s partition labels on its params.
 */
class CnnTest {

    /** flax examples/mnist CNN. */
    record CNN() implements Module {
        Array call(Array x) {
            return compact(() -> {
                Array h = Pooling.avgPool(Nn.relu(new Conv(32, 3, 3).call(x)), new int[]{2, 2}, new int[]{2, 2}, "VALID");
                h = Pooling.avgPool(Nn.relu(new Conv(64, 3, 3).call(h)), new int[]{2, 2}, new int[]{2, 2}, "VALID");
                h = Np.reshape(h, h.dim(0), -1);
                h = Nn.relu(new Dense(256).call(h));
                return new Dense(10).call(h);
            });
        }
    }

    static Variables loadVariables() {
        String file = flax().get("cnn").get("msgpack_file").asText();
        try (InputStream in = CnnTest.class.getResourceAsStream("/fixtures/" + file)) {
            if (in == null) throw new IllegalStateException("missing test resource /fixtures/" + file);
            return Variables.copyOf(FlaxFixtures.cast(FlaxSerialization.fromBytes(in.readAllBytes())));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void logitsLossAndGradientsMatchFlax() {
        JsonNode f = flax().get("cnn");
        Variables vars = loadVariables();
        CNN cnn = new CNN();
        LayersTest.assertSameStructure(vars, cnn.init(Random.key(0), () -> cnn.call(Array.ones(1, 28, 28, 1))));
        Array x = array(f.get("x")), labels = array(f.get("labels"));
        var r = Jax.valueAndGradWithAux((Dict p) -> {
            Array logits = cnn.apply(Variables.of("params", p), () -> cnn.call(x)).value();
            return new HasAux<>(Np.mean(Losses.softmaxCrossEntropyWithIntegerLabels(logits, labels)), logits);
        }).apply(vars.get("params"));
        assertClose(array(f.get("logits")), r.aux(), 1e-4, 1e-5, "logits");
        assertEquals(f.get("loss").asDouble(), r.value().toDoubleArray()[0], 1e-5 * Math.abs(f.get("loss").asDouble()), "loss");
        Map<String, Object> grads = Traverse.flattenDict(r.grad(), "/");
        assertEquals(names(f.get("grad_sums")), grads.keySet().stream().sorted().toList(), "gradient leaves");
        f.get("grad_abs_sums").fields().forEachRemaining(e -> {
            Array g = (Array) grads.get(e.getKey());
            double abs = Np.sum(Np.abs(g)).toDoubleArray()[0], sum = Np.sum(g).toDoubleArray()[0];
            double expectedAbs = e.getValue().asDouble(), expectedSum = f.get("grad_sums").get(e.getKey()).asDouble();
            assertEquals(expectedAbs, abs, 1e-4 * expectedAbs + 1e-6, e.getKey() + ": sum of |grad|");
            // a sum cancels: its rounding scale is the sum of magnitudes
            assertEquals(expectedSum, sum, 1e-4 * expectedAbs + 1e-6, e.getKey() + ": sum of grad");
        });
    }

    @Test
    void pathAwareMapLabelsTheCnnParamsAsFlax() {
        Dict params = loadVariables().get("params");
        Dict labels = Traverse.pathAwareMap((path, leaf) -> path.contains("Conv_0") ? "frozen" : "trainable", params);
        Map<String, Object> flat = Traverse.flattenDict(labels, "/");
        JsonNode expected = flax().get("path_aware_map").get("labels_flat");
        assertEquals(names(expected), flat.keySet().stream().sorted().toList());
        expected.fields().forEachRemaining(e -> assertEquals(e.getValue().asText(), flat.get(e.getKey()), e.getKey()));
        assertTrue(flat.containsValue("frozen") && flat.containsValue("trainable"));
    }

    private static List<String> names(JsonNode obj) {
        java.util.ArrayList<String> l = new java.util.ArrayList<>();
        obj.fieldNames().forEachRemaining(l::add);
        return l.stream().sorted().toList();
    }
}
