package io.jax4j.pretrained;

import io.jax4j.Array;
import io.jax4j.Np;
import io.jax4j.linen.Bound;
import io.jax4j.linen.Dict;
import io.jax4j.serialization.SafeTensors;
import io.jax4j.tree.Tree;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.TreeSet;

import static io.jax4j.pretrained.ClipFixtures.array;
import static io.jax4j.pretrained.ClipFixtures.assertBitIdentical;
import static io.jax4j.pretrained.ClipFixtures.assertClose;
import static io.jax4j.pretrained.ClipFixtures.checkpoint;
import static io.jax4j.pretrained.ClipFixtures.expected;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The tiny Hugging Face CLIP imported with {@link Clip#fromPretrained} against transformers' own outputs
 * for two images. Tolerance rtol 1e-4, atol 1e-5: PyTorch and jax4j order the float32 sums of the matmuls,
 * softmax and LayerNorm statistics differently (jax4j's LayerNorm uses Flax's E[x^2] - E[x]^2 variance),
 * so the two agree to a few float32 ulps per op, not bit for bit.
 */
class ClipConformanceTest {
    static final double RTOL = 1e-4, ATOL = 1e-5;

    @Test
    void visionTowerMatchesTransformers() {
        Bound<ClipModel> clip = Clip.fromPretrained(checkpoint());
        Bound<ClipVisionTransformer> vision = clip.module().bind(clip.variables()).child(ClipModel::visionModel).unbind();
        Array pixels = Np.transpose(array(expected().get("pixel_values_nchw")), 0, 2, 3, 1);   // NCHW -> NHWC

        ClipOutputWithPooling out = vision.module().apply(vision.variables(), () -> vision.module().call(pixels)).value();
        assertClose(array(expected().get("vision_last_hidden_state")), out.lastHiddenState(), RTOL, ATOL, "last_hidden_state");
        assertClose(array(expected().get("vision_pooler_output")), out.poolerOutput(), RTOL, ATOL, "pooler_output");

        ClipModel m = clip.module();
        Array features = m.apply(clip.variables(), () -> m.getImageFeatures(pixels)).value();
        assertClose(array(expected().get("image_features")), features, RTOL, ATOL, "image_features");
    }

    @Test
    void paramTreeMirrorsTheStateDictAndExportsBackBitForBit() {
        Bound<ClipModel> clip = Clip.fromPretrained(checkpoint());
        Dict params = clip.variables().get("params");
        // every PyTorch name is a path; the leaves are exactly the state dict's tensors
        var names = new TreeSet<String>();
        expected().get("param_names").forEach(n -> names.add(n.asText()));
        assertEquals(names.size(), Tree.leaves(params).size());
        Array q = (Array) params.at("vision_model", "encoder", "layers_1", "self_attn", "q_proj", "kernel");
        Array patch = (Array) params.at("vision_model", "embeddings", "patch_embedding", "kernel");
        assertArrayEquals(new int[]{8, 8, 3, 32}, patch.shape());      // [out,in,kh,kw] -> HWIO
        assertArrayEquals(new int[]{32, 16}, ((Array) params.at("visual_projection", "kernel")).shape());
        Map<String, Array> file = SafeTensors.load(checkpoint().resolve("model.safetensors"));
        assertBitIdentical(Np.transpose(file.get("vision_model.encoder.layers.1.self_attn.q_proj.weight"), 1, 0), q, "q_proj");
        assertBitIdentical(file.get("vision_model.pre_layrnorm.weight"), (Array) params.at("vision_model", "pre_layrnorm", "scale"), "scale");

        Map<String, Array> exported = Clip.toStateDict(clip.module().config(), params);
        assertEquals(names, new TreeSet<>(exported.keySet()));
        for (String n : names) assertBitIdentical(file.get(n), exported.get(n), n);
    }

    @Test
    void visionOnlyImportMatchesTheFullModelsTower() {
        Bound<ClipVisionModel> vm = Clip.visionFromPretrained(checkpoint());
        Array pixels = Np.transpose(array(expected().get("pixel_values_nchw")), 0, 2, 3, 1);
        Array pooled = vm.module().apply(vm.variables(), () -> vm.module().features(pixels)).value();
        assertClose(array(expected().get("vision_pooler_output")), pooled, RTOL, ATOL, "pooler_output");
        assertEquals(java.util.Set.of("vision_model"), vm.variables().get("params").keySet());
    }
}
