package io.jax4j.linen;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Lax;
import io.jax4j.Linalg;
import io.jax4j.Nn;
import io.jax4j.Np;
import io.jax4j.Random;
import io.jax4j.autodiff.Gradients;
import io.jax4j.autodiff.Jax;
import io.jax4j.optim.Losses;
import io.jax4j.optim.Optim;
import io.jax4j.tree.Tree;
import io.vavr.Function4;
import io.vavr.Tuple;
import io.vavr.Tuple2;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A page of JAX code ported line by line (each Java statement under the Python line it ports): a
 * setup-style Flax attention block, token indexing, {@code grad(argnums=(0, 1))}, gradient clipping by
 * the global norm computed with {@code jnp.linalg.norm}, and {@code lax.scan} over stacked layers.
 */
class JaxPortTest {
    // class Block(nn.Module):
    //   d: int
    //   def setup(self):
    //     self.ln = nn.LayerNorm(); self.qkv = nn.Dense(3 * self.d); self.out = nn.Dense(self.d)
    record Block(int d, LayerNorm ln, Dense qkv, Dense out) implements LinenModule {
        Block(int d) { this(d, new LayerNorm(), new Dense(3 * d), new Dense(d)); }

        //   def __call__(self, x):
        public Array call(Array x) {
            return compact(() -> {
                //     h = self.ln(x)
                Array h = ln.call(x);
                //     q, k, v = jnp.split(self.qkv(h), 3, axis=-1)
                List<Array> qkvParts = Np.split(qkv.call(h), 3, -1);
                Array q = qkvParts.get(0), k = qkvParts.get(1), v = qkvParts.get(2);
                //     att = jax.nn.softmax(q @ k.swapaxes(-1, -2) / jnp.sqrt(self.d), axis=-1)
                Array att = Nn.softmax(Np.divide(Np.matmul(q, Np.swapaxes(k, -1, -2)), Np.sqrt(Array.scalar((float) d))), -1);
                //     return x + self.out(att @ v)
                return Np.add(x, out.call(Np.matmul(att, v)));
            });
        }
    }

    private static final int D = 8;
    private static final Block BLOCK = new Block(D);
    // x = jax.random.normal(jax.random.key(0), (2, 5, 8)); y = jnp.array([1, 3])
    private static final Array X = Random.normal(Random.key(0), 2, 5, D);
    private static final Array Y = Array.of(1, 3);

    // def loss_fn(params, head, x, y):
    //   h = block.apply({'params': params}, x)
    //   cls = h[:, 0]
    //   logits = cls @ head
    //   return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()
    private static Array lossFn(Dict params, Array head, Array x, Array y) {
        Applied<Array> h = BLOCK.apply(Variables.of("params", params), x);
        Array cls = h.value().get(":", 0);
        Array logits = Np.matmul(cls, head);
        return Np.mean(Losses.softmaxCrossEntropyWithIntegerLabels(logits, y));
    }

    private static Dict params() { return BLOCK.init(Random.key(1), X).get("params"); }

    private static final Array HEAD = Random.normal(Random.key(2), D, 4);

    @Test
    void setupStyleSubmodulesAreNamedAfterTheirFields() {
        Dict params = params();
        assertEquals(java.util.Set.of("ln", "qkv", "out"), params.keySet(), "self.ln, self.qkv, self.out");
        assertArrayEquals(new int[]{D, 3 * D}, ((Array) params.at("qkv", "kernel")).shape());
    }

    @Test
    void gradientsWithRespectToTwoArgumentsThenClippedByTheGlobalNorm() {
        Dict params = params();
        // g_params, g_head = jax.grad(loss_fn, argnums=(0, 1))(params, head, x, y)
        Function4<Dict, Array, Array, Array, Gradients> grads = Jax.grad(JaxPortTest::lossFn, 0, 1);
        Gradients g = grads.apply(params, HEAD, X, Y);
        Dict gParams = g.get(0);
        Array gHead = g.get(1);

        // the head's gradient against central differences of the loss
        double eps = 1e-2;
        for (int[] at : new int[][]{{0, 0}, {3, 2}, {7, 3}}) {
            Array e = HEAD.at(at[0], at[1]).set(0f).sub(HEAD).at(at[0], at[1]).set((float) eps);
            double fd = (lossFn(params, HEAD.add(e), X, Y).item() - lossFn(params, HEAD.sub(e), X, Y).item()) / (2 * eps);
            assertEquals(fd, gHead.get(at[0], at[1]).item(), 2e-3, "d loss / d head" + java.util.Arrays.toString(at));
        }

        // norm = jnp.linalg.norm(jnp.concatenate([jnp.ravel(g) for g in jax.tree.leaves((g_params, g_head))]))
        Tuple2<Dict, Array> both = Tuple.of(gParams, gHead);
        List<Array> leaves = Tree.leavesOfType(both, Array.class);
        Array norm = Linalg.norm(Np.concatenate(leaves.stream().map(Np::ravel).toList(), 0));
        assertEquals(Optim.globalNorm(both).item(), norm.item(), 1e-5 * norm.item(), "optax.global_norm is the same number");
        // scale = jnp.minimum(1.0, max_norm / norm); clipped = jax.tree.map(lambda t: t * scale, (g_params, g_head))
        double maxNorm = norm.item() / 4;
        Array scale = Np.minimum(Array.weak(1.0), Np.divide(Array.weak(maxNorm), norm));
        Tuple2<Dict, Array> clipped = Tree.map((Array t) -> t.mul(scale), both);
        assertEquals(maxNorm, Optim.globalNorm(clipped).item(), 1e-5 * maxNorm, "clipped to max_norm");
    }

    @Test
    void scanOverStackedLayers() {
        // ws = jax.random.normal(key, (3, 8, 8)) / 3; def layer(x, w): return jnp.tanh(x @ w), jnp.sum(x)
        Array ws = Np.divide(Random.normal(Random.key(3), 3, D, D), Array.scalar(3f));
        Array x0 = Random.normal(Random.key(4), 2, D);
        // y, sums = jax.lax.scan(layer, x0, ws)
        Tuple2<Array, Array> r = Lax.scan((Array x, Array w) -> Tuple.of(Np.tanh(Np.matmul(x, w)), Np.sum(x)), x0, ws);
        Array loop = x0;
        for (int i = 0; i < 3; i++) loop = Np.tanh(Np.matmul(loop, ws.get(i)));
        assertArrayEquals(loop.toFloatArray(), r._1().toFloatArray(), 1e-6f);
        assertArrayEquals(new int[]{3}, r._2().shape());
    }

    // class Layer(nn.Module):
    //   d: int
    //   @nn.compact
    //   def __call__(self, x, _):
    //     return Block(self.d)(x), None
    record Layer(int d) implements LinenModule {
        public Tuple2<Array, Object> call(Array x, Object unused) { return compact(() -> Tuple.of(new Block(d).call(x), null)); }
    }

    // class Encoder(nn.Module):
    //   @nn.compact
    //   def __call__(self, x):
    //     ScanLayer = nn.scan(Layer, variable_axes={'params': 0}, split_rngs={'params': True}, length=2)
    //     x, _ = ScanLayer(D)(x, None)
    //     return x
    record Encoder() implements LinenModule {
        public Array call(Array x) {
            return compact(() -> {
                Lift.ScanOptions scanLayer = Lift.ScanOptions.of().variableAxes("params", 0).splitRngs("params", true).length(2);
                Tuple2<Array, Object> r = Lift.scan(new Layer(D), scanLayer, (layer, h, none) -> layer.call(h, none), x, null);
                return r._1();
            });
        }
    }

    @Test
    void flaxScanOverTwoBlocks() {
        Encoder encoder = new Encoder();
        // variables = Encoder().init(jax.random.key(1), x)
        Variables variables = encoder.init(Random.key(1), X);
        // params['ScanLayer_0']['Block_0']['qkv']['kernel'].shape == (2, 8, 24)
        assertArrayEquals(new int[]{2, D, 3 * D}, ((Array) variables.get("params").at("ScanLayer_0", "Block_0", "qkv", "kernel")).shape());
        Applied<Array> y = encoder.apply(variables, X);
        // the same as the two blocks one after the other, each with its slice of the parameters
        Array h = X;
        for (int i = 0; i < 2; i++) {
            int layer = i;
            Dict blockParams = Tree.mapLeavesOfType(Array.class, (Array a) -> a.get(layer), variables.get("params").dict("ScanLayer_0").dict("Block_0"));
            h = BLOCK.<Array>apply(Variables.of("params", blockParams), h).value();
        }
        assertArrayEquals(h.toFloatArray(), y.value().toFloatArray(), 1e-5f);
        String jaxpr = Jax.makeJaxpr((Array x) -> encoder.<Array>apply(variables, x).value()).apply(X).toString();
        assertTrue(jaxpr.contains("scan[") && jaxpr.contains("length=2"), jaxpr);
    }

    @Test
    void theLossStagesToAJaxprAsJaxPrintsIt() {
        Dict params = params();
        String jaxpr = Jax.makeJaxpr((Tuple2<Dict, Array> a) -> lossFn(a._1(), a._2(), X, Y)).apply(Tuple.of(params, HEAD)).toString();
        assertTrue(jaxpr.startsWith("{ lambda "), jaxpr);
        for (String op : new String[]{"dot_general", "reduce_max", "exp", "rsqrt", "reduce_sum", "div"}) {
            assertTrue(jaxpr.contains(op), op + " in\n" + jaxpr);
        }
        assertTrue(jaxpr.contains("f32[8,24]") && jaxpr.contains("f32[8,4]"), "the qkv kernel and the head as inputs:\n" + jaxpr);
        assertEquals(DType.F32, lossFn(params, HEAD, X, Y).dtype());
    }
}
