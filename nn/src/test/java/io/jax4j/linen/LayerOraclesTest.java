package io.jax4j.linen;

import io.jax4j.Array;
import io.jax4j.Init;
import io.jax4j.Lax;
import io.jax4j.Nn;
import io.jax4j.Np;
import io.jax4j.Random;
import io.jax4j.autodiff.Jax;
import io.jax4j.core.Jax4jException;
import io.jax4j.prims.Convolution.ConvDimensionNumbers;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.jax4j.linen.FlaxFixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The layers without a Flax fixture, against plain-Java oracles and against the identities that define them. */
class LayerOraclesTest {

    static Array normal(long seed, int... shape) { return Random.normal(Random.key(seed), shape); }

    static Array param(Variables v, String... path) {
        String[] rest = java.util.Arrays.copyOfRange(path, 1, path.length);
        return (Array) v.get(path[0]).at(rest);
    }

    @Test
    void denseGeneralContractsSeveralAxesWithFlaxsKernelLayout() {
        DenseGeneral dg = DenseGeneral.builder().features(5).axis(-2, -1).build();
        Array x = normal(1, 2, 3, 4);
        Variables v = dg.init(Random.key(0), () -> dg.call(x));
        Array k = param(v, "params", "kernel");
        assertArrayEquals(new int[]{3, 4, 5}, k.shape());
        assertArrayEquals(new int[]{5}, param(v, "params", "bias").shape());
        Array y = dg.apply(v, () -> dg.call(x)).value();
        double[] xs = x.toDoubleArray(), ks = k.toDoubleArray(), ys = y.toDoubleArray();
        for (int b = 0; b < 2; b++) {
            for (int f = 0; f < 5; f++) {
                double s = 0;
                for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) s += xs[b * 12 + i * 4 + j] * ks[(i * 4 + j) * 5 + f];
                assertEquals(s, ys[b * 5 + f], 1e-5, "y[" + b + "," + f + "]");
            }
        }
        // the kernel is initialised as the flat [in, out] matrix: lecun normal's fan-in is 3*4, not 4
        double var = Np.var(k).toDoubleArray()[0];
        assertTrue(var < 3.0 / 12 && var > 0.2 / 12, "kernel variance " + var + " should be about 1/12");
        // features as a tuple: [.., heads, head_dim]
        DenseGeneral heads = new DenseGeneral(2, 3);
        Variables hv = heads.init(Random.key(0), () -> heads.call(x));
        assertArrayEquals(new int[]{4, 2, 3}, param(hv, "params", "kernel").shape());
        assertArrayEquals(new int[]{2, 3}, param(hv, "params", "bias").shape());
        assertArrayEquals(new int[]{2, 3, 2, 3}, heads.apply(hv, () -> heads.call(x)).value().shape());
    }

    @Test
    void embedTakesRowsAndAttendsWithTheTable() {
        Embed emb = new Embed(6, 3);
        Array ids = Array.fromInts(new int[]{5, 0, 2, 2}, 2, 2);
        Variables v = emb.init(Random.key(3), () -> emb.call(ids));
        Array table = param(v, "params", "embedding");
        Array y = emb.apply(v, () -> emb.call(ids)).value();
        assertArrayEquals(new int[]{2, 2, 3}, y.shape());
        double[] t = table.toDoubleArray(), ys = y.toDoubleArray();
        int[] idv = {5, 0, 2, 2};
        for (int i = 0; i < 4; i++) for (int f = 0; f < 3; f++) assertEquals(t[idv[i] * 3 + f], ys[i * 3 + f], 0.0);
        Array q = normal(4, 2, 3);
        Array logits = emb.apply(v, () -> emb.attend(q)).value();
        assertClose(Np.matmul(q, Np.transpose(table)), logits, 1e-6, 1e-6, "attend");
        Array nanRow = emb.apply(v, () -> emb.call(Array.fromInts(new int[]{6}, 1))).value();
        assertTrue(Double.isNaN(nanRow.toDoubleArray()[0]), "an out-of-range id gives NaN as jnp.take's fill mode");
    }

    @Test
    void convTransposeWithTransposedKernelIsTheGradientOfConv() {
        Array x = normal(5, 1, 7, 7, 2);
        Array k = normal(6, 3, 3, 2, 4);                  // HWIO of the forward conv: 2 -> 4 channels
        ConvDimensionNumbers dn = ConvDimensionNumbers.of("NHWC", "HWIO", "NHWC");
        var vjp = Jax.vjp((Array in) -> Lax.convGeneralDilated(in, k, new int[]{2, 2}, "VALID", null, null, dn, 1), x);
        Array ct = normal(7, 1, 3, 3, 4);
        Array expected = vjp.apply(ct);
        ConvTranspose ctr = ConvTranspose.builder().features(2).kernelSize(3, 3).strides(2, 2).padding("VALID")
                .transposeKernel(true).useBias(false).build();
        Variables v = Variables.of("params", Dict.of("kernel", k));  // kernelSize + [features, in] = [3, 3, 2, 4]
        Array y = ctr.apply(v, () -> ctr.call(ct)).value();
        assertClose(expected, y, 1e-5, 1e-5, "conv_transpose(transpose_kernel) = d conv / d input");
    }

    @Test
    void convTransposeScattersEachInputThroughTheKernel() {
        // 1-D, VALID, stride 2: y[i*s + (k-1-j)] += x[i] * K[j] (lax.conv_transpose does not flip the kernel)
        Array x = normal(8, 1, 3, 1);
        ConvTranspose ctr = ConvTranspose.builder().features(1).kernelSize(3).strides(2).padding("VALID").build();
        Variables v = ctr.init(Random.key(0), () -> ctr.call(x));
        assertArrayEquals(new int[]{3, 1, 1}, param(v, "params", "kernel").shape());
        double[] kk = param(v, "params", "kernel").toDoubleArray(), xs = x.toDoubleArray();
        double[] expected = new double[7];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) expected[i * 2 + (2 - j)] += xs[i] * kk[j];
        assertClose(Array.fromDoubles(expected, 1, 7, 1), ctr.apply(v, () -> ctr.call(x)).value(), 1e-5, 1e-6, "VALID");
        ConvTranspose same = ConvTranspose.builder().features(1).kernelSize(3).strides(2).build();
        assertArrayEquals(new int[]{1, 6, 1}, same.apply(v, () -> same.call(x)).value().shape(), "SAME gives n * stride");
    }

    @Test
    void groupNormNormalisesEachGroup() {
        Array x = normal(9, 2, 2, 2, 4);
        GroupNorm gn = new GroupNorm(2);
        Variables v = gn.init(Random.key(0), () -> gn.call(x));
        assertArrayEquals(new int[]{4}, param(v, "params", "scale").shape());
        Array y = gn.apply(v, () -> gn.call(x)).value();
        double[] xs = x.toDoubleArray(), expected = new double[xs.length];
        for (int n = 0; n < 2; n++) {
            for (int g = 0; g < 2; g++) {
                double s = 0, s2 = 0;
                for (int p = 0; p < 4; p++) for (int c = 2 * g; c < 2 * g + 2; c++) { double e = xs[n * 16 + p * 4 + c]; s += e; s2 += e * e; }
                double mean = s / 8, var = s2 / 8 - mean * mean;
                for (int p = 0; p < 4; p++) for (int c = 2 * g; c < 2 * g + 2; c++) {
                    int i = n * 16 + p * 4 + c;
                    expected[i] = (xs[i] - mean) / Math.sqrt(var + 1e-6);
                }
            }
        }
        assertClose(Array.fromDoubles(expected, 2, 2, 2, 4), y, 1e-4, 1e-5, "group norm");
        GroupNorm bySize = GroupNorm.builder().groupSize(2).build();
        assertClose(y, bySize.apply(v, () -> bySize.call(x)).value(), 0, 0, "groupSize 2 = numGroups 2");
        var err = assertThrows(Jax4jException.class, () -> new GroupNorm().init(Random.key(0), () -> new GroupNorm().call(x)));
        assertTrue(err.getMessage().contains("(32) does not divide the number of channels (4)"), err.getMessage());
    }

    @Test
    void rmsNormScalesByTheRootMeanSquare() {
        Array x = normal(10, 3, 5);
        RMSNorm rms = new RMSNorm();
        Variables v = rms.init(Random.key(0), () -> rms.call(x));
        assertEquals(List.of("scale"), List.copyOf(v.get("params").keySet()), "RMSNorm has a scale and no bias");
        double[] xs = x.toDoubleArray(), expected = new double[15];
        for (int r = 0; r < 3; r++) {
            double ms = 0;
            for (int c = 0; c < 5; c++) ms += xs[r * 5 + c] * xs[r * 5 + c] / 5;
            for (int c = 0; c < 5; c++) expected[r * 5 + c] = xs[r * 5 + c] / Math.sqrt(ms + 1e-6);
        }
        assertClose(Array.fromDoubles(expected, 3, 5), rms.apply(v, () -> rms.call(x)).value(), 1e-5, 1e-6, "rms norm");
    }

    @Test
    void batchNormOnNhwcUsesPerChannelStatistics() {
        Array x = normal(11, 2, 3, 3, 4);
        BatchNorm bn = BatchNorm.builder().build();
        Variables v = bn.init(Random.key(0), () -> bn.call(x, true));
        assertArrayEquals(new int[]{4}, param(v, "batch_stats", "mean").shape());
        assertArrayEquals(new int[]{4}, param(v, "params", "scale").shape());
        Applied<Array> out = bn.apply(v, () -> bn.call(x, false), Apply.mutable("batch_stats"));
        double[] xs = x.toDoubleArray(), y = new double[xs.length], mean = new double[4], var = new double[4];
        for (int i = 0; i < xs.length; i++) { mean[i % 4] += xs[i] / 18; }
        for (int i = 0; i < xs.length; i++) { var[i % 4] += (xs[i] - mean[i % 4]) * (xs[i] - mean[i % 4]) / 18; }
        for (int i = 0; i < xs.length; i++) y[i] = (xs[i] - mean[i % 4]) / Math.sqrt(var[i % 4] + 1e-5);
        assertClose(Array.fromDoubles(y, 2, 3, 3, 4), out.value(), 1e-4, 1e-5, "train output");
        double[] raMean = new double[4], raVar = new double[4];
        for (int c = 0; c < 4; c++) { raMean[c] = 0.01 * mean[c]; raVar[c] = 0.99 + 0.01 * var[c]; }
        assertClose(Array.fromDoubles(raMean, 4), param(out.updates(), "batch_stats", "mean"), 1e-4, 1e-6, "running mean");
        assertClose(Array.fromDoubles(raVar, 4), param(out.updates(), "batch_stats", "var"), 1e-4, 1e-6, "running var");
    }

    @Test
    void sequentialNamesItsModulesByPositionAndSkipsFunctions() {
        Sequential seq = Sequential.of(new Dense(4), Nn::relu, new Dense(2));
        Array x = normal(12, 3, 5);
        Variables v = seq.init(Random.key(0), () -> seq.call(x));
        assertEquals(List.of("layers_0", "layers_2"), List.copyOf(v.get("params").keySet()));
        Array h = Nn.relu(Np.add(Np.matmul(x, param(v, "params", "layers_0", "kernel")), param(v, "params", "layers_0", "bias")));
        Array expected = Np.add(Np.matmul(h, param(v, "params", "layers_2", "kernel")), param(v, "params", "layers_2", "bias"));
        assertClose(expected, seq.apply(v, () -> seq.call(x)).value(), 1e-6, 1e-6, "sequential");
        var err = assertThrows(Jax4jException.class, () -> new Sequential(List.of()).init(Random.key(0), () -> new Sequential(List.of()).call(x)));
        assertTrue(err.getMessage().contains("Empty Sequential"), err.getMessage());
    }

    /** Calling one module instance twice shares its parameters (Flax rewinds the scope after a compact call). */
    record Twice(Dense shared) implements LinenModule {
        Array call(Array x) { return compact(() -> shared.call(shared.call(x))); }
    }

    @Test
    void aModuleCalledTwiceSharesItsWeights() {
        Twice t = new Twice(new Dense(3));
        Array x = normal(13, 2, 3);
        Variables v = t.init(Random.key(0), () -> t.call(x));
        assertEquals(List.of("shared"), List.copyOf(v.get("params").keySet()));
        Array k = param(v, "params", "shared", "kernel");
        Array once = Np.matmul(x, k);
        assertClose(Np.matmul(once, k), t.apply(v, () -> t.call(x)).value(), 1e-6, 1e-6, "twice");
    }

    @Test
    void selfAttentionIsMultiHeadAttentionOfTheInputWithItself() {
        Array x = normal(14, 2, 4, 6);
        var mha = MultiHeadDotProductAttention.builder().numHeads(3).build();
        Variables v = mha.init(Random.key(0), () -> mha.call(x));
        SelfAttention sa = new SelfAttention(mha);
        assertClose(mha.apply(v, () -> mha.call(x, x, x)).value(), sa.apply(v, () -> sa.call(x)).value(), 0, 0, "self attention");
        // a causal mask: the first query attends only to the first key, so its output is independent of later tokens
        Array mask = Attention.makeCausalMask(Array.ones(2, 4));
        assertArrayEquals(new int[]{2, 1, 4, 4}, mask.shape());
        Applied<Array> sown = mha.apply(v, () -> mha.call(x, null, null, mask, null, null, true), Apply.mutable("intermediates"));
        @SuppressWarnings("unchecked") List<Array> weights = (List<Array>) sown.updates().get("intermediates").get("attention_weights");
        Array w = weights.getFirst();
        assertArrayEquals(new int[]{2, 3, 4, 4}, w.shape());
        double[] ws = w.toDoubleArray();
        for (int row = 0; row < 2 * 3 * 4; row++) {
            double s = 0;
            for (int kk = 0; kk < 4; kk++) {
                s += ws[row * 4 + kk];
                if (kk > row % 4) assertEquals(0.0, ws[row * 4 + kk], 0.0, "masked weight");
            }
            assertEquals(1.0, s, 1e-5, "weights sum to one");
        }
        // attention dropout: needs the dropout stream unless deterministic
        var drop = MultiHeadDotProductAttention.builder().numHeads(3).dropoutRate(0.5).build();
        var err = assertThrows(ModuleErrors.InvalidRngError.class,
                () -> drop.apply(v, () -> drop.call(x, null, null, null, false, null, false)));
        assertTrue(err.getMessage().contains("'dropout'"), err.getMessage());
        Array det = drop.apply(v, () -> drop.call(x, null, null, null, true, null, false)).value();
        assertClose(mha.apply(v, () -> mha.call(x)).value(), det, 0, 0, "deterministic = no dropout");
        Array dropped = drop.apply(v, () -> drop.call(x, null, null, null, false, null, false), Apply.rngs("dropout", Random.key(1))).value();
        assertTrue(Np.max(Np.abs(Np.subtract(dropped, det))).toDoubleArray()[0] > 1e-3, "dropout changes the output");
        var heads = assertThrows(Jax4jException.class, () -> MultiHeadDotProductAttention.builder().numHeads(4).build()
                .init(Random.key(0), () -> MultiHeadDotProductAttention.builder().numHeads(4).build().call(x)));
        assertTrue(heads.getMessage().contains("(6) must be divisible by number of heads (4)"), heads.getMessage());
    }

    @Test
    void initializersAreFlaxs() {
        Array k = Embed.defaultEmbedInit().apply(Random.key(0), 1000, 4);
        double var = Np.var(k).toDoubleArray()[0];
        assertEquals(1.0 / 4, var, 0.03, "embed init: variance 1/fan_in with fan_in = features (out_axis=0)");
    }
}
