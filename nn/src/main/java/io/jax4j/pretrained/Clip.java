package io.jax4j.pretrained;

import com.fasterxml.jackson.databind.JsonNode;
import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Np;
import io.jax4j.linen.Bound;
import io.jax4j.linen.Dict;
import io.jax4j.linen.Variables;
import io.jax4j.serialization.FlaxSerialization;
import io.jax4j.serialization.SafeTensors;
import io.jax4j.serialization.SerializationException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Imports Hugging Face CLIP checkpoints ({@code save_pretrained} directories: {@code config.json} and
 * {@code model.safetensors}) into jax4j modules, with no Python step. Linear weights are transposed into
 * Dense kernels, the patch convolution goes from {@code [out, in, kh, kw]} to HWIO, LayerNorm weights
 * become {@code scale}, embeddings {@code embedding} (names: see the package documentation). Loading is
 * strict: a missing, unexpected or mis-shaped tensor is an error that names every such tensor; only the
 * {@code position_ids} buffers older checkpoints carry are skipped. Half-precision tensors are widened to
 * float32.
 */
public final class Clip {
    private Clip() {}

    /** A {@code CLIPModel} directory: the full model, both towers and projections, and its params. */
    public static Bound<ClipModel> fromPretrained(Path dir) {
        JsonNode json = ClipConfig.read(dir.resolve("config.json"));
        String type = json.path("model_type").asText("clip");
        if (!type.equals("clip")) {
            throw new SerializationException("Clip.fromPretrained: " + dir + " holds a '" + type + "' checkpoint, not a CLIPModel ('clip')"
                    + (type.equals("clip_vision_model") ? "; load a vision tower with Clip.visionFromPretrained" : ""));
        }
        ClipConfig config = ClipConfig.fromJson(json);
        Variables v = load(dir, ClipWeights.clipModel(config), Clip::isBuffer, "Clip.fromPretrained");
        return new Bound<>(ClipModel.of(config), v);
    }

    /**
     * The vision tower ({@code CLIPVisionModel}: params under {@code vision_model}) of a {@code CLIPModel},
     * {@code CLIPVisionModel} or {@code CLIPVisionModelWithProjection} directory; the other tensors are skipped.
     */
    public static Bound<ClipVisionModel> visionFromPretrained(Path dir) {
        JsonNode json = ClipConfig.read(dir.resolve("config.json"));
        String type = json.path("model_type").asText("clip");
        ClipVisionConfig config = switch (type) {
            case "clip" -> ClipVisionConfig.fromJson(json.get("vision_config"));
            case "clip_vision_model" -> ClipVisionConfig.fromJson(json);
            default -> throw new SerializationException("Clip.visionFromPretrained: " + dir + " holds a '" + type
                    + "' checkpoint; expected 'clip' or 'clip_vision_model'");
        };
        Predicate<String> skipped = n -> isBuffer(n) || n.startsWith("text_model.") || n.equals("text_projection.weight")
                || n.equals("visual_projection.weight") || n.equals("logit_scale");
        Variables v = load(dir, ClipWeights.clipVisionModel(config), skipped, "Clip.visionFromPretrained");
        return new Bound<>(ClipVisionModel.of(config), v);
    }

    /** The PyTorch state dict (Hugging Face names and layouts) of a {@link ClipModel}'s params: the inverse of the import. */
    public static Map<String, Array> toStateDict(ClipConfig config, Dict params) {
        Map<String, Array> out = new LinkedHashMap<>();
        for (ClipWeights.Spec s : ClipWeights.clipModel(config).values()) {
            Object leaf = params.at(s.path().toArray(String[]::new));
            if (!(leaf instanceof Array a)) {
                throw new SerializationException("Clip.toStateDict: params have no array at " + String.join("/", s.path()) + " (for " + s.name() + ")");
            }
            out.put(s.name(), s.kind().toTorch(a));
        }
        return out;
    }

    private static boolean isBuffer(String name) { return name.endsWith(".position_ids"); }

    private static Variables load(Path dir, Map<String, ClipWeights.Spec> expected, Predicate<String> skipped, String who) {
        Path file = dir.resolve("model.safetensors");
        if (!Files.isRegularFile(file) && Files.isRegularFile(dir.resolve(FLAX_FILE))) return loadFlax(dir.resolve(FLAX_FILE), expected, who);
        if (!Files.isRegularFile(file)) {
            String hint = Files.exists(dir.resolve("pytorch_model.bin"))
                    ? " (the directory has only pytorch_model.bin: re-save it with save_pretrained(dir, safe_serialization=True))" : "";
            throw new SerializationException(who + ": neither " + file + " nor " + FLAX_FILE + " found" + hint);
        }
        try (var reader = SafeTensors.open(file, SafeTensors.Options.convertInt64())) {
            check(who, file, expected, reader, skipped);
            Map<String, Object> params = new LinkedHashMap<>();
            for (ClipWeights.Spec s : expected.values()) insert(params, s.path(), s.kind().toJax(toF32(reader.get(s.name()))));
            return Variables.of("params", params);
        }
    }

    /** What {@code FlaxCLIPModel.save_pretrained} writes: the Flax params as msgpack. */
    static final String FLAX_FILE = "flax_model.msgpack";

    /**
     * The params of a {@code FlaxCLIPModel} directory ({@code flax_model.msgpack}): already in Flax's
     * layouts, under Flax's names except that the layers of an encoder are {@code layers/0} there and
     * {@code layers_0} here. Checked as strictly as the safetensors import: every expected tensor, in its
     * shape, and nothing else in the towers read.
     */
    private static Variables loadFlax(Path file, Map<String, ClipWeights.Spec> expected, String who) {
        Object raw;
        try {
            raw = FlaxSerialization.msgpackRestore(Files.readAllBytes(file));
        } catch (java.io.IOException e) {
            throw new SerializationException(who + ": cannot read " + file + ": " + e.getMessage(), e);
        }
        Map<String, Array> byPath = new LinkedHashMap<>();
        flattenFlax(raw, "", byPath);
        Map<String, Object> params = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>(), mismatched = new ArrayList<>();
        java.util.Set<String> used = new java.util.HashSet<>();
        for (ClipWeights.Spec s : expected.values()) {
            String path = String.join("/", s.path());
            Array a = byPath.get(path);
            int[] want = s.kind().toJax(Array.zeros(s.shape())).shape();
            if (a == null) missing.add(path);
            else if (!Arrays.equals(a.shape(), want)) mismatched.add(path + ": file " + Arrays.toString(a.shape()) + ", config.json " + Arrays.toString(want));
            else {
                insert(params, s.path(), toF32(a));
                used.add(path);
            }
        }
        java.util.Set<String> towers = new java.util.HashSet<>();
        for (ClipWeights.Spec s : expected.values()) towers.add(s.path().getFirst());
        List<String> unexpected = byPath.keySet().stream().filter(p -> towers.contains(p.split("/")[0]) && !used.contains(p)).toList();
        if (!missing.isEmpty() || !mismatched.isEmpty() || !unexpected.isEmpty()) {
            StringBuilder sb = new StringBuilder(who + ": " + file + " does not match its config.json");
            section(sb, "missing tensors", missing);
            section(sb, "unexpected tensors", unexpected);
            section(sb, "mismatched tensors", mismatched);
            throw new SerializationException(sb.append(". Check that config.json belongs to these weights").toString());
        }
        return Variables.of("params", params);
    }

    /** Leaves of a restored msgpack tree by their path, with {@code layers/<n>} renamed {@code layers_<n>}. */
    private static void flattenFlax(Object node, String path, Map<String, Array> out) {
        if (node instanceof Map<?, ?> m) {
            for (var e : m.entrySet()) {
                String key = String.valueOf(e.getKey());
                String child = path.endsWith("layers") && key.chars().allMatch(Character::isDigit) ? path + "_" + key
                        : path.isEmpty() ? key : path + "/" + key;
                flattenFlax(e.getValue(), child, out);
            }
        } else if (node instanceof Array a) {
            out.put(path, a);
        }
    }

    private static void check(String who, Path file, Map<String, ClipWeights.Spec> expected, SafeTensors.Reader r, Predicate<String> skipped) {
        List<String> names = r.names();
        List<String> missing = expected.keySet().stream().filter(n -> !names.contains(n)).toList();
        List<String> unexpected = names.stream().filter(n -> !expected.containsKey(n) && !skipped.test(n)).toList();
        List<String> mismatched = new ArrayList<>();
        for (String n : names) {
            ClipWeights.Spec s = expected.get(n);
            if (s == null) continue;
            var aval = r.info(n).aval();
            if (!Arrays.equals(aval.dims(), s.shape())) {
                mismatched.add(n + ": file " + Arrays.toString(aval.dims()) + ", config.json " + s.shapeText());
            } else if (!aval.dtype().isFloating()) {
                mismatched.add(n + ": dtype " + aval.dtype() + ", expected a float");
            }
        }
        if (missing.isEmpty() && unexpected.isEmpty() && mismatched.isEmpty()) return;
        StringBuilder sb = new StringBuilder(who + ": " + file + " does not match its config.json");
        section(sb, "missing tensors", missing);
        section(sb, "unexpected tensors", unexpected);
        section(sb, "mismatched tensors", mismatched);
        throw new SerializationException(sb.append(". Check that config.json belongs to these weights").toString());
    }

    private static void section(StringBuilder sb, String what, List<String> items) {
        if (items.isEmpty()) return;
        int shown = Math.min(items.size(), 10);
        sb.append("; ").append(items.size()).append(' ').append(what).append(": ").append(String.join(", ", items.subList(0, shown)));
        if (shown < items.size()) sb.append(", ... (").append(items.size() - shown).append(" more)");
    }

    private static Array toF32(Array a) { return a.dtype() == DType.F32 ? a : Np.astype(a, DType.F32); }

    @SuppressWarnings("unchecked")
    private static void insert(Map<String, Object> root, List<String> path, Array value) {
        Map<String, Object> cur = root;
        for (String k : path.subList(0, path.size() - 1)) cur = (Map<String, Object>) cur.computeIfAbsent(k, x -> new LinkedHashMap<String, Object>());
        cur.put(path.getLast(), value);
    }
}
