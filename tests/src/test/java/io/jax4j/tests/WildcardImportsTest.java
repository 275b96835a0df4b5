package io.jax4j.tests;

import io.jax4j.*;
import io.jax4j.autodiff.*;
import io.jax4j.linen.*;
import io.jax4j.optim.*;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * A model written with the wildcard imports a JAX user starts from (io.jax4j.*, autodiff, linen,
 * optim): that this file compiles is the test that none of the names a model uses is ambiguous with
 * java.lang's implicitly imported ones (Flax's nn.Module is LinenModule, not Module).
 */
class WildcardImportsTest {
    record Mlp(int hidden) implements LinenModule {
        Array call(Array x) {
            return compact(() -> new Dense(1).call(Nn.relu(new Dense(hidden).call(x))));
        }
    }

    @Test
    void aModelWrittenUnderWildcardImportsInitsAppliesAndDifferentiates() {
        Mlp mlp = new Mlp(4);
        Array x = Random.normal(Random.key(0), 2, 3);
        Variables v = mlp.init(Random.key(1), () -> mlp.call(x));
        Applied<Array> out = mlp.apply(v, () -> mlp.call(x));
        assertArrayEquals(new int[]{2, 1}, out.value().shape());
        Dict params = v.get("params");
        Dict grads = Jax.grad((Dict p) -> Np.sum(mlp.<Array>apply(Map.of("params", p), () -> mlp.call(x)).value())).apply(params);
        assertArrayEquals(new int[]{3, 4}, ((Array) ((Dict) grads.get("Dense_0")).get("kernel")).shape());
        GradientTransformation tx = Optim.sgd(0.1);
        Dict updated = (Dict) Optim.applyUpdates(params, tx.update(grads, tx.init(params), params).updates());
        assertArrayEquals(new int[]{4}, ((Array) ((Dict) updated.get("Dense_0")).get("bias")).shape());
    }
}
