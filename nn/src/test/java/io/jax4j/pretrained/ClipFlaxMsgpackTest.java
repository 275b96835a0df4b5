package io.jax4j.pretrained;

import io.jax4j.Array;
import io.jax4j.linen.Dict;
import io.jax4j.serialization.FlaxSerialization;
import io.jax4j.serialization.SerializationException;
import io.jax4j.tree.Tree;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.jax4j.pretrained.ClipFixtures.assertBitIdentical;
import static io.jax4j.pretrained.ClipFixtures.checkpoint;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@code FlaxCLIPModel} directory ({@code config.json} + {@code flax_model.msgpack}, Flax's names with
 * {@code layers/0}) loads to the same params as the safetensors of the same model.
 */
class ClipFlaxMsgpackTest {

    /** The params as FlaxCLIPModel names them: {@code layers_0} becomes {@code layers: {0: ...}}. */
    @SuppressWarnings("unchecked")
    static Object flaxNames(Object node) {
        if (!(node instanceof Map<?, ?> m)) return node;
        Map<String, Object> out = new LinkedHashMap<>();
        for (var e : m.entrySet()) {
            String k = (String) e.getKey();
            Object v = flaxNames(e.getValue());
            int u = k.lastIndexOf('_');
            if (k.startsWith("layers_") && k.substring(u + 1).chars().allMatch(Character::isDigit)) {
                ((Map<String, Object>) out.computeIfAbsent("layers", x -> new LinkedHashMap<String, Object>())).put(k.substring(u + 1), v);
            } else out.put(k, v);
        }
        return out;
    }

    private static Path flaxDirectory(Path dir, Object params) throws Exception {
        Files.copy(checkpoint().resolve("config.json"), dir.resolve("config.json"));
        Files.write(dir.resolve("flax_model.msgpack"), FlaxSerialization.msgpackSerialize(flaxNames(params)));
        return dir;
    }

    @Test
    void aFlaxCheckpointLoadsToTheSameParams(@TempDir Path dir) throws Exception {
        var fromSafetensors = Clip.fromPretrained(checkpoint());
        Dict params = fromSafetensors.variables().get("params");
        flaxDirectory(dir, params);
        var fromFlax = Clip.fromPretrained(dir);
        List<Object> a = Tree.leaves(params), b = Tree.leaves(fromFlax.variables().get("params"));
        assertEquals(a.size(), b.size());
        assertEquals(Tree.structure(params), Tree.structure(fromFlax.variables().get("params")));
        for (int i = 0; i < a.size(); i++) assertBitIdentical((Array) a.get(i), (Array) b.get(i), "leaf " + i);
        var vision = Clip.visionFromPretrained(dir);
        assertBitIdentical((Array) Tree.leaves(vision.variables().get("params")).getFirst(),
                (Array) Tree.leaves(Clip.visionFromPretrained(checkpoint()).variables().get("params")).getFirst(), "vision");
    }

    @Test
    void aFlaxCheckpointMissingATensorNamesIt(@TempDir Path dir) throws Exception {
        Dict params = Clip.fromPretrained(checkpoint()).variables().get("params");
        Dict vision = params.dict("vision_model");
        Dict broken = params.with("vision_model", vision.with("post_layernorm", vision.dict("post_layernorm").without("scale")));
        flaxDirectory(dir, broken);
        var e = assertThrows(SerializationException.class, () -> Clip.fromPretrained(dir));
        assertTrue(e.getMessage().contains("missing tensors: vision_model/post_layernorm/scale"), e.getMessage());
    }
}
