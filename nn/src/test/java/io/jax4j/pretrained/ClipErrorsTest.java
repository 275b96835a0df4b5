package io.jax4j.pretrained;

import io.jax4j.Array;
import io.jax4j.serialization.SafeTensors;
import io.jax4j.serialization.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static io.jax4j.pretrained.ClipFixtures.checkpoint;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checkpoints that do not fit their config are errors naming every offending tensor; never a partial load. */
class ClipErrorsTest {

    static Map<String, Array> tensors() { return new LinkedHashMap<>(SafeTensors.load(checkpoint().resolve("model.safetensors"))); }

    static Path dir(Path tmp, Map<String, Array> tensors) throws IOException {
        Files.copy(checkpoint().resolve("config.json"), tmp.resolve("config.json"));
        SafeTensors.write(tmp.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        return tmp;
    }

    @Test
    void missingUnexpectedAndMismatchedTensorsAreAllNamed(@TempDir Path tmp) throws IOException {
        Map<String, Array> t = tensors();
        t.remove("vision_model.encoder.layers.1.mlp.fc2.bias");
        t.put("vision_model.encoder.layers.2.mlp.fc2.bias", Array.zeros(32));
        t.put("text_projection.weight", Array.zeros(32, 16));   // transposed by mistake
        t.put("text_model.embeddings.position_ids", Array.fromInts(new int[16], 1, 16));   // a legacy buffer: skipped
        var e = assertThrows(SerializationException.class, () -> Clip.fromPretrained(dir(tmp, t)));
        String m = e.getMessage();
        assertTrue(m.startsWith("Clip.fromPretrained: ") && m.contains("does not match its config.json"), m);
        assertTrue(m.contains("1 missing tensors: vision_model.encoder.layers.1.mlp.fc2.bias"), m);
        assertTrue(m.contains("1 unexpected tensors: vision_model.encoder.layers.2.mlp.fc2.bias"), m);
        assertTrue(m.contains("1 mismatched tensors: text_projection.weight: file [32, 16], config.json [16, 32]"), m);
        assertTrue(!m.contains("position_ids"), m);
    }

    @Test
    void aVisionCheckpointPointsToVisionFromPretrained(@TempDir Path tmp) throws IOException {
        Map<String, Array> t = tensors();
        t.keySet().removeIf(n -> !n.startsWith("vision_model."));
        String vision = new com.fasterxml.jackson.databind.ObjectMapper().readTree(checkpoint().resolve("config.json").toFile())
                .get("vision_config").toString();
        Files.writeString(tmp.resolve("config.json"), vision);
        SafeTensors.write(tmp.resolve("model.safetensors"), t, Map.of());
        var e = assertThrows(SerializationException.class, () -> Clip.fromPretrained(tmp));
        assertTrue(e.getMessage().contains("'clip_vision_model'") && e.getMessage().contains("Clip.visionFromPretrained"), e.getMessage());
        var vm = Clip.visionFromPretrained(tmp);   // a CLIPVisionModel directory loads as the vision tower
        assertTrue(vm.module().visionModel().config().imageSize() == 32);
    }

    @Test
    void aDirectoryWithoutSafetensorsSaysSo(@TempDir Path tmp) throws IOException {
        Files.copy(checkpoint().resolve("config.json"), tmp.resolve("config.json"));
        Files.writeString(tmp.resolve("pytorch_model.bin"), "");
        var e = assertThrows(SerializationException.class, () -> Clip.fromPretrained(tmp));
        assertTrue(e.getMessage().contains("model.safetensors nor flax_model.msgpack found") && e.getMessage().contains("safe_serialization=True"), e.getMessage());
        var noConfig = assertThrows(RuntimeException.class, () -> Clip.fromPretrained(tmp.resolve("nowhere")));
        assertTrue(noConfig.getMessage().contains("config.json"), noConfig.getMessage());
    }
}
