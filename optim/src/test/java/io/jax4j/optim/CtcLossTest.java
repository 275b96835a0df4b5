package io.jax4j.optim;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Np;
import io.jax4j.Random;
import io.jax4j.autodiff.Jax;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Optax's ctc_loss against its definition: -log of the summed probability of every frame-level path
 * (K^T of them, enumerated) that collapses (repeats merged, blanks dropped) to the label sequence,
 * with padded frames and labels cut off; its gradient against finite differences; jit; the errors.
 */
class CtcLossTest {
    private static final int B = 3, T = 5, K = 4, N = 3;

    /** -log sum over paths of length t (classes 0..k-1) collapsing to labels, by enumeration. */
    static double bruteForce(double[][] logp, int t, int[] labels, int blank) {
        int k = logp[0].length;
        double total = 0;
        int[] path = new int[t];
        for (long code = 0; code < Math.round(Math.pow(k, t)); code++) {
            long c = code;
            for (int i = 0; i < t; i++) { path[i] = (int) (c % k); c /= k; }
            List<Integer> collapsed = new ArrayList<>();
            int prev = -1;
            for (int s : path) {
                if (s != prev && s != blank) collapsed.add(s);
                prev = s;
            }
            if (collapsed.size() != labels.length) continue;
            boolean same = true;
            for (int i = 0; i < labels.length; i++) same &= collapsed.get(i) == labels[i];
            if (!same) continue;
            double lp = 0;
            for (int i = 0; i < t; i++) lp += logp[i][path[i]];
            total += Math.exp(lp);
        }
        return -Math.log(total);
    }

    private record Batch(Array logits, Array logitPaddings, Array labels, Array labelPaddings, int[] frames, int[][] labelSeqs) {}

    /** Random logits; sequence b has frames[b] real frames and labelSeqs[b] labels (a repeat included). */
    private static Batch batch(DType dt, int blank) {
        int[] frames = {5, 4, 3};
        int[][] labelSeqs = {{1, 2, 2}, {3, 1}, {2}};
        if (blank != 0) labelSeqs = new int[][]{{1, 0, 0}, {3, 1}, {0}};
        Array logits = Random.normal(Random.key(3), new int[]{B, T, K}, dt).mul(2.0);
        float[] lp = new float[B * T], lab = new float[B * N];
        int[] labels = new int[B * N];
        for (int b = 0; b < B; b++) {
            for (int t = frames[b]; t < T; t++) lp[b * T + t] = 1;
            for (int n = 0; n < N; n++) {
                if (n < labelSeqs[b].length) labels[b * N + n] = labelSeqs[b][n];
                else lab[b * N + n] = 1;
            }
        }
        return new Batch(logits, Array.of(lp).reshape(B, T).astype(dt), Array.of(labels).reshape(B, N), Array.of(lab).reshape(B, N).astype(dt),
                frames, labelSeqs);
    }

    private static double[] expected(Batch x, int blank) {
        double[] logits = x.logits().astype(DType.F64).toDoubleArray(), out = new double[B];
        for (int b = 0; b < B; b++) {
            double[][] logp = new double[x.frames()[b]][K];
            for (int t = 0; t < x.frames()[b]; t++) {
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int k = 0; k < K; k++) max = Math.max(max, logits[(b * T + t) * K + k]);
                for (int k = 0; k < K; k++) sum += Math.exp(logits[(b * T + t) * K + k] - max);
                for (int k = 0; k < K; k++) logp[t][k] = logits[(b * T + t) * K + k] - max - Math.log(sum);
            }
            out[b] = bruteForce(logp, x.frames()[b], x.labelSeqs()[b], blank);
        }
        return out;
    }

    @Test
    void lossIsMinusTheLogOfTheSummedPathProbabilities() {
        for (int blank : new int[]{0, 2}) {
            for (DType dt : new DType[]{DType.F32, DType.F64}) {
                Batch x = batch(dt, blank);
                double[] want = expected(x, blank);
                double[] got = Losses.ctcLoss(x.logits(), x.logitPaddings(), x.labels(), x.labelPaddings(), blank, -1e5).toDoubleArray();
                for (int b = 0; b < B; b++) {
                    assertEquals(want[b], got[b], (dt == DType.F32 ? 2e-5 : 1e-10) * (1 + Math.abs(want[b])),
                            "ctc_loss " + dt + " blank " + blank + " sequence " + b);
                }
            }
        }
    }

    @Test
    void forwardProbsHaveOptaxShapesAndTheLastBlankAlphaGivesTheLoss() {
        Batch x = batch(DType.F32, 0);
        Losses.CtcForward f = Losses.ctcLossWithForwardProbs(x.logits(), x.logitPaddings(), x.labels(), x.labelPaddings(), 0, -1e5);
        assertArrayEquals(new int[]{T, B, N + 1}, f.logalphaBlank().shape());
        assertArrayEquals(new int[]{T, B, N}, f.logalphaEmit().shape());
        float[] last = f.logalphaBlank().get(-1).toFloatArray(), loss = f.loss().toFloatArray();
        for (int b = 0; b < B; b++) assertEquals(-last[b * (N + 1) + x.labelSeqs()[b].length], loss[b], 0f);
    }

    @Test
    void gradientMatchesFiniteDifferencesAndJitMatchesEager() {
        Batch x = batch(DType.F64, 0);
        io.vavr.Function1<Array, Array> total = l -> Np.sum(Losses.ctcLoss(l, x.logitPaddings(), x.labels(), x.labelPaddings()));
        double[] g = Jax.grad(total).apply(x.logits()).toDoubleArray();
        double[] base = x.logits().toDoubleArray();
        double h = 1e-6, worst = 0;
        for (int i = 0; i < base.length; i++) {
            double[] plus = base.clone(), minus = base.clone();
            plus[i] += h;
            minus[i] -= h;
            double fd = (total.apply(Array.fromDoubles(DType.F64, plus, B, T, K)).item() - total.apply(Array.fromDoubles(DType.F64, minus, B, T, K)).item()) / (2 * h);
            worst = Math.max(worst, Math.abs(fd - g[i]));
        }
        assertTrue(worst < 1e-6, "d ctc_loss / d logits vs finite differences: " + worst);
        for (int b = 0; b < B; b++) {
            for (int t = x.frames()[b]; t < T; t++) {
                for (int k = 0; k < K; k++) assertEquals(0.0, g[(b * T + t) * K + k], 0.0, "padded frame " + t + " of sequence " + b + " gets no gradient");
            }
        }

        Batch y = batch(DType.F32, 0);
        var jitted = Jax.jit((Array l) -> Losses.ctcLoss(l, y.logitPaddings(), y.labels(), y.labelPaddings()));
        float[] eager = Losses.ctcLoss(y.logits(), y.logitPaddings(), y.labels(), y.labelPaddings()).toFloatArray();
        float[] compiled = jitted.apply(y.logits()).toFloatArray();
        for (int b = 0; b < B; b++) assertEquals(eager[b], compiled[b], 1e-5f * (1 + Math.abs(eager[b])), "jit vs eager, sequence " + b);
    }

    @Test
    void badArgumentsAreNamed() {
        Batch x = batch(DType.F32, 0);
        var e = assertThrows(IllegalArgumentException.class, () -> Losses.ctcLoss(x.logits(), x.logitPaddings(), x.labels(), x.logitPaddings()));
        assertTrue(e.getMessage().contains("label_paddings") && e.getMessage().contains("f32[3,5]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Losses.ctcLoss(x.logits(), x.logitPaddings(), x.labels().astype(DType.F32), x.labelPaddings()));
        assertTrue(e.getMessage().contains("labels must be integers"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Losses.ctcLoss(x.logits(), x.logitPaddings(), x.labels(), x.labelPaddings(), 4, -1e5));
        assertTrue(e.getMessage().contains("blank_id 4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Losses.ctcLoss(x.logits().get(":2"), x.logitPaddings().get(":2"), x.labels(), x.labelPaddings()));
        assertTrue(e.getMessage().contains("batch size 2"), e.getMessage());
    }
}
