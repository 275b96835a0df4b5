package io.jax4j.linen;

import com.fasterxml.jackson.databind.JsonNode;
import io.jax4j.Array;
import io.jax4j.Random;
import io.jax4j.tree.Tree;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.jax4j.linen.FlaxFixtures.array;
import static io.jax4j.linen.FlaxFixtures.assertTreeClose;
import static io.jax4j.linen.FlaxFixtures.flax;
import static io.jax4j.linen.FlaxFixtures.shape;
import static io.jax4j.linen.FlaxFixtures.tree;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The fixture's {@code layers} (LayerNorm, MultiHeadDotProductAttention, Embed): our init must give
 * variables with exactly Flax's names and shapes and, with the seeds the generator script uses
 * ({@code PRNGKey(1)}, {@code (2)}, {@code (3)}), Flax's values. (Applying each layer with Flax's
 * variables is a check of the Flax conformance suite, run by the tests module's ConformanceTest.)
 */
class LayersTest {

    @Test
    void everyFixtureLayerMatchesFlax() {
        JsonNode layers = flax().get("layers");
        List<String> checked = new ArrayList<>();
        layers.fields().forEachRemaining(e -> {
            JsonNode f = e.getValue();
            Variables vars = Variables.copyOf(tree(f.get("variables")));
            switch (e.getKey()) {
                case "layernorm" -> checkLayerNorm(f, vars);
                case "mha" -> checkAttention(f, vars);
                case "embed" -> checkEmbed(f, vars);
                default -> fail("unknown layer case " + e.getKey());
            }
            checked.add(e.getKey());
        });
        assertTrue(checked.containsAll(List.of("layernorm", "mha", "embed")), "cases: " + checked);
    }

    private static void checkLayerNorm(JsonNode f, Variables vars) {
        LayerNorm ln = new LayerNorm();
        Array x = array(f.get("x"));
        assertSameStructure(vars, ln.init(Random.key(0), () -> ln.call(x)));
        assertTreeClose(vars, ln.init(Random.key(1), () -> ln.call(x)), 0, 0, "layernorm init");
    }

    private static void checkAttention(JsonNode f, Variables vars) {
        int[] q = shape(f.get("variables").get("params").get("query").get("kernel"));   // [in, heads, head_dim]
        var mha = MultiHeadDotProductAttention.builder().numHeads(q[1]).qkvFeatures(q[1] * q[2]).build();
        Array x = array(f.get("x"));
        assertSameStructure(vars, mha.init(Random.key(0), () -> mha.call(x, x)));
        // the generator inits with PRNGKey(2): same values needs Flax's DenseGeneral flat-kernel init and key derivation
        assertTreeClose(vars, mha.init(Random.key(2), () -> mha.call(x, x)), 3e-7, 1e-7, "mha init");
    }

    private static void checkEmbed(JsonNode f, Variables vars) {
        int[] table = shape(f.get("variables").get("params").get("embedding"));
        Embed emb = new Embed(table[0], table[1]);
        Array ids = FlaxFixtures.ints(f.get("ids"));
        assertSameStructure(vars, emb.init(Random.key(0), () -> emb.call(ids)));
        // the generator inits with PRNGKey(3) (on ids [1, 2]; the ids do not enter the init)
        assertTreeClose(vars, emb.init(Random.key(3), () -> emb.call(ids)), 3e-7, 1e-7, "embed init");
    }

    /** Same collections, module paths, parameter names and shapes (Flax's layout). */
    static void assertSameStructure(Variables expected, Variables actual) {
        var e = Tree.flattenWithPath(expected);
        var a = Tree.flattenWithPath(actual);
        assertEquals(e.size(), a.size(), "leaf count");
        for (int i = 0; i < e.size(); i++) {
            assertEquals(e.get(i).path().toString(), a.get(i).path().toString());
            assertArrayEquals(((Array) e.get(i).leaf()).shape(), ((Array) a.get(i).leaf()).shape(), e.get(i).path().toString());
        }
    }
}
