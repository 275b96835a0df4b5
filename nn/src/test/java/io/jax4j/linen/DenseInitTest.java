package io.jax4j.linen;

import io.jax4j.Array;
import io.jax4j.Random;
import org.junit.jupiter.api.Test;

import static io.jax4j.linen.FlaxFixtures.assertTreeClose;
import static io.jax4j.linen.FlaxFixtures.json;
import static io.jax4j.linen.FlaxFixtures.tree;

/** {@code prng_*.json}'s {@code flax_dense_init}: {@code nn.Dense(4).init(PRNGKey(0), ones((1, 3)))}. */
class DenseInitTest {
    @Test
    void denseInitMatchesFlax() {
        Dense d = new Dense(4);
        Variables v = d.init(Random.key(0), () -> d.call(Array.ones(1, 3)));
        // lecun normal draws a truncated normal through erf/erf_inv: within 2 ulp of JAX (see Init)
        assertTreeClose(tree(json("/fixtures/prng_public.json").get("flax_dense_init")), v, 3e-7, 1e-7, "flax_dense_init");
    }
}
