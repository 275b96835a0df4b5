package io.jax4j.pretrained;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jax4j.core.Jax4jException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code transformers.CLIPConfig}: the two towers' configs, {@code projection_dim} (default 512) and
 * {@code logit_scale_init_value} (default 2.6592 = log(1/0.07)).
 */
public record ClipConfig(ClipTextConfig textConfig, ClipVisionConfig visionConfig, int projectionDim, double logitScaleInitValue) {

    public static ClipConfig defaults() {
        return new ClipConfig(ClipTextConfig.defaults(), ClipVisionConfig.defaults(), 512, 2.6592);
    }

    /** From a {@code CLIPModel}'s config.json object. */
    public static ClipConfig fromJson(JsonNode n) {
        return new ClipConfig(ClipTextConfig.fromJson(n.get("text_config")), ClipVisionConfig.fromJson(n.get("vision_config")),
                intOr(n, "projection_dim", 512), doubleOr(n, "logit_scale_init_value", 2.6592));
    }

    /** Parses a config.json file. */
    public static JsonNode read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new Jax4jException("Clip.fromPretrained: " + file + " not found; a Hugging Face model directory holds config.json and model.safetensors");
        }
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new Jax4jException("Clip.fromPretrained: cannot parse " + file + ": " + e.getMessage());
        }
    }

    static int intOr(JsonNode n, String field, int dflt) {
        JsonNode v = n == null ? null : n.get(field);
        if (v == null || v.isNull()) return dflt;
        if (!v.canConvertToInt()) throw new Jax4jException("config.json: " + field + " must be an integer, got " + v);
        return v.asInt();
    }

    static double doubleOr(JsonNode n, String field, double dflt) {
        JsonNode v = n == null ? null : n.get(field);
        if (v == null || v.isNull()) return dflt;
        if (!v.isNumber()) throw new Jax4jException("config.json: " + field + " must be a number, got " + v);
        return v.asDouble();
    }

    static String textOr(JsonNode n, String field, String dflt) {
        JsonNode v = n == null ? null : n.get(field);
        return v == null || v.isNull() ? dflt : v.asText();
    }
}
