package io.jax4j.pretrained;

import io.jax4j.Array;
import io.jax4j.Np;
import io.jax4j.linen.Bound;
import io.jax4j.linen.Variables;
import org.junit.jupiter.api.Test;

import static io.jax4j.pretrained.ClipFixtures.array;
import static io.jax4j.pretrained.ClipFixtures.assertClose;
import static io.jax4j.pretrained.ClipFixtures.checkpoint;
import static io.jax4j.pretrained.ClipFixtures.expected;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** The text tower's pooling and causal mask, and the full model's logits, on the tiny pretrained CLIP. */
class ClipTextAndModelTest {
    static final Bound<ClipModel> CLIP = Clip.fromPretrained(checkpoint());

    /** The pretrained text tower with another {@code eos_token_id}. */
    static Bound<ClipTextTransformer> textTower(int eos) {
        ClipTextConfig c = CLIP.module().config().textConfig();
        ClipTextConfig withEos = new ClipTextConfig(c.vocabSize(), c.hiddenSize(), c.intermediateSize(), c.numHiddenLayers(),
                c.numAttentionHeads(), c.maxPositionEmbeddings(), c.hiddenAct(), c.layerNormEps(), eos);
        Variables v = Variables.of("params", CLIP.variables().get("params").dict("text_model"));
        return new Bound<>(ClipTextTransformer.of(withEos), v);
    }

    static ClipOutputWithPooling run(Bound<ClipTextTransformer> t, Array ids) {
        return t.module().apply(t.variables(), () -> t.module().call(ids)).value();
    }

    @Test
    void pooledIsTheEosRowAndLaterTokensCannotChangeIt() {
        // eos_token_id == 2: the original configs, pooled at argmax(ids) (their EOS has the largest id)
        var legacy = textTower(2);
        Array ids = Array.fromInts(new int[]{5, 17, 98, 3, 4, 6, /**/ 9, 97, 1, 2, 3, 8}, 2, 6);
        ClipOutputWithPooling out = run(legacy, ids);
        assertArrayEquals(new int[]{2, 6, 32}, out.lastHiddenState().shape());
        assertClose(rows(out.lastHiddenState(), 2, 1), out.poolerOutput(), 0, 0, "pooled at the argmax");
        // causal: tokens after position 2 / 1 change nothing up to there
        Array changed = Array.fromInts(new int[]{5, 17, 98, 60, 61, 62, /**/ 9, 97, 40, 41, 42, 43}, 2, 6);
        assertClose(out.poolerOutput(), run(legacy, changed).poolerOutput(), 1e-6, 1e-7, "causal");

        // any other eos_token_id: the first position holding it
        var firstEos = textTower(7);
        Array withEos = Array.fromInts(new int[]{5, 7, 98, 7, 4, 6, /**/ 9, 97, 1, 2, 7, 8}, 2, 6);
        ClipOutputWithPooling o2 = run(firstEos, withEos);
        assertClose(rows(o2.lastHiddenState(), 1, 4), o2.poolerOutput(), 0, 0, "pooled at the first eos");
    }

    @Test
    void logitsAreScaledCosineSimilaritiesOfTheProjectedFeatures() {
        ClipModel m = CLIP.module();
        Array pixels = Np.transpose(array(expected().get("pixel_values_nchw")), 0, 2, 3, 1);
        Array ids = Array.fromInts(new int[]{5, 17, 98, 3, /**/ 9, 97, 1, 2, /**/ 4, 4, 50, 60}, 3, 4);
        ClipOutput out = m.apply(CLIP.variables(), () -> m.call(ids, pixels)).value();
        assertArrayEquals(new int[]{2, 3}, out.logitsPerImage().shape());
        assertClose(out.logitsPerImage().T(), out.logitsPerText(), 0, 0, "transpose");

        Array image = m.apply(CLIP.variables(), () -> m.getImageFeatures(pixels)).value();
        Array text = m.apply(CLIP.variables(), () -> m.getTextFeatures(ids)).value();
        double scale = Math.exp(((Array) CLIP.variables().get("params").get("logit_scale")).item());
        double[] a = image.toDoubleArray(), b = text.toDoubleArray(), logits = out.logitsPerImage().toDoubleArray();
        int d = image.dim(1);
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                double dot = 0, na = 0, nb = 0;
                for (int k = 0; k < d; k++) {
                    dot += a[i * d + k] * b[j * d + k];
                    na += a[i * d + k] * a[i * d + k];
                    nb += b[j * d + k] * b[j * d + k];
                }
                double want = scale * dot / Math.sqrt(na * nb);
                org.junit.jupiter.api.Assertions.assertEquals(want, logits[i * 3 + j], 1e-4 * Math.abs(want) + 1e-5, "logit " + i + "," + j);
            }
        }
    }

    /** {@code x[b, pos[b], :]} for each batch row, read out on the host. */
    static Array rows(Array x, int... pos) {
        int s = x.dim(1), d = x.dim(2);
        double[] all = x.toDoubleArray(), out = new double[pos.length * d];
        for (int b = 0; b < pos.length; b++) System.arraycopy(all, (b * s + pos[b]) * d, out, b * d, d);
        return Array.fromDoubles(x.dtype(), out, pos.length, d);
    }
}
