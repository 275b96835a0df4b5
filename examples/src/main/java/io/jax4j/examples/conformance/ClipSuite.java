package io.jax4j.examples.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import io.jax4j.Array;
import io.jax4j.Np;
import io.jax4j.linen.Bound;
import io.jax4j.pretrained.Clip;
import io.jax4j.pretrained.ClipModel;
import io.jax4j.pretrained.ClipOutputWithPooling;
import io.jax4j.pretrained.ClipVisionTransformer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code clip_<name>_expected.json} with the Hugging Face checkpoint directory {@code clip_<name>/}
 * next to it ({@code config.json}, {@code model.safetensors}): the model imported with
 * {@link Clip#fromPretrained}, run on {@code pixel_values_nchw} (transposed to NHWC), against
 * transformers' {@code vision_last_hidden_state}, {@code vision_pooler_output} and the projected
 * {@code image_features}; and the imported params export back to exactly {@code param_names}. Under {@code --jit} the vision tower and the feature projection are jitted.
 *
 * <p>Tolerance: long (rtol 1e-4, atol 1e-5) — PyTorch and jax4j order the float32 sums of the
 * matmuls, softmax and LayerNorm statistics differently.
 */
public final class ClipSuite implements CheckSuite {
    static final String SUFFIX = "_expected.json";
    static final List<String> FIELDS = List.of("vision_last_hidden_state", "vision_pooler_output", "image_features");

    @Override
    public String prefix() { return "clip_"; }

    @Override
    public void run(FixtureFile file, RunOptions options, Report report) {
        JsonNode root = file.root();
        String f = file.name();
        String caseName = f.endsWith(SUFFIX) ? f.substring(0, f.length() - SUFFIX.length()) : f.replaceFirst("\\.json$", "");
        Path dir = file.path().resolveSibling(caseName);
        Supplier<Bound<ClipModel>> clip = Checks.memo(() -> {
            if (!Files.isDirectory(dir)) throw new IllegalStateException("the checkpoint directory " + dir + " (next to the JSON) is missing");
            return Clip.fromPretrained(dir);
        });
        Supplier<Array> pixels = Checks.memo(() -> Np.transpose(FixtureArrays.decode(root.get("pixel_values_nchw")), 0, 2, 3, 1));   // NCHW -> NHWC
        Supplier<ClipOutputWithPooling> vision = Checks.memo(() -> {
            Bound<ClipModel> c = clip.get();
            Bound<ClipVisionTransformer> v = c.module().bind(c.variables()).child(ClipModel::visionModel).unbind();
            return Checks.call(options, (Array px) -> v.module().apply(v.variables(), () -> v.module().call(px)).value(), pixels.get());
        });
        Checks.skipUnknownFields(report, f, caseName, root, java.util.Set.of("transformers_version", "pixel_values_nchw", "vision_last_hidden_state",
                "vision_pooler_output", "image_features", "param_names"));
        if (root.has("param_names")) Checks.run(report, f, caseName, "param_names", () -> {
            // the imported params export back to exactly the state dict's names
            java.util.TreeSet<String> want = new java.util.TreeSet<>(), got;
            root.get("param_names").forEach(n -> want.add(n.asText()));
            got = new java.util.TreeSet<>(Clip.toStateDict(clip.get().module().config(), clip.get().variables().get("params")).keySet());
            if (want.equals(got)) return new FixtureArrays.Comparison(true, want.size() + " names exact");
            java.util.TreeSet<String> missing = new java.util.TreeSet<>(want), extra = new java.util.TreeSet<>(got);
            missing.removeAll(got);
            extra.removeAll(want);
            return new FixtureArrays.Comparison(false, "missing " + missing + ", unexpected " + extra);
        });
        for (String field : FIELDS) {
            if (!root.has(field)) continue;
            Checks.array(report, f, caseName, field, root.get(field), Tolerance.LONG, () -> switch (field) {
                case "vision_last_hidden_state" -> vision.get().lastHiddenState();
                case "vision_pooler_output" -> vision.get().poolerOutput();
                default -> {
                    ClipModel m = clip.get().module();
                    yield Checks.call(options, (Array px) -> m.apply(clip.get().variables(), () -> m.getImageFeatures(px)).value(), pixels.get());
                }
            });
        }
    }
}
