package io.jax4j.optim;

import io.jax4j.Array;
import io.jax4j.DType;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Losses against the JAX fixture cases copied from ops_public.json (the one-hot and binary labels
 * are derived from the integer labels exactly as {@code generate/jax_fixtures.py} does), and the
 * schedules the fixture does not cover against their formulas, computed in double.
 */
class LossesAndSchedulesTest {
    static final double RTOL = 1e-5, ATOL = 1e-6;

    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Object>> cases() {
        var root = (Map<String, Object>) Json.resource("/fixtures/ops_losses_public.json");
        var out = new java.util.HashMap<String, Map<String, Object>>();
        for (Object c : (List<Object>) root.get("cases")) out.put((String) ((Map<String, Object>) c).get("name"), (Map<String, Object>) c);
        return out;
    }

    @SuppressWarnings("unchecked")
    static Array input(Map<String, Object> c, int i) { return Json.array(((List<Object>) c.get("inputs")).get(i)); }

    static double output(Map<String, Object> c) { return Json.array(c.get("output")).item(); }

    @Test
    void lossesMatchJax() {
        var cs = cases();
        assertEquals(4, cs.size());
        var xi = cs.get("xent_int_labels");
        Array labels = input(xi, 1);
        Checks.close("xent_int_labels", output(xi), Losses.softmaxCrossEntropyWithIntegerLabels(input(xi, 0), labels).mean().item(), RTOL, ATOL);
        var xo = cs.get("xent_onehot");
        Array oneHot = Np1.oneHot(labels, 10);
        Checks.close("xent_onehot", output(xo), Losses.softmaxCrossEntropy(input(xo, 0), oneHot).mean().item(), RTOL, ATOL);
        var bce = cs.get("sigmoid_bce");
        // (labels[:, None] % 2 == arange(3)[None] % 2)
        int[] l = labels.toIntArray();
        double[] t = new double[l.length * 3];
        for (int i = 0; i < l.length; i++) for (int j = 0; j < 3; j++) t[i * 3 + j] = (l[i] % 2 == j % 2) ? 1 : 0;
        Array targets = Array.fromDoubles(DType.F32, t, l.length, 3);
        Checks.close("sigmoid_bce", output(bce), Losses.sigmoidBinaryCrossEntropy(input(bce, 0), targets).mean().item(), RTOL, ATOL);
        var l2 = cs.get("l2_loss");
        Checks.close("l2_loss", output(l2), Losses.l2Loss(input(l2, 0), input(l2, 1)).sum().item(), RTOL, ATOL);
    }

    /** A tiny one-hot for the test (labels against a concrete arange). */
    static final class Np1 {
        static Array oneHot(Array labels, int n) {
            return io.jax4j.Np.expandDims(labels, -1).eq(Array.arange(n)).astype(DType.F32);
        }
    }

    @Test
    void huberAndCosineMatchTheirFormulas() {
        double[] p = {0.3, -2.0, 1.5, 0.0}, q = {0.1, 1.0, 1.4, -0.6};
        Array hp = Array.fromDoubles(DType.F32, p, 4), hq = Array.fromDoubles(DType.F32, q, 4);
        double[] huber = Losses.huberLoss(hp, hq, 1.0).toDoubleArray();
        for (int i = 0; i < 4; i++) {
            double e = Math.abs(p[i] - q[i]);
            double expected = e <= 1 ? 0.5 * e * e : 0.5 + (e - 1);
            Checks.close("huber[" + i + "]", expected, huber[i], RTOL, ATOL);
        }
        double dot = 0, np = 0, nq = 0;
        for (int i = 0; i < 4; i++) { dot += p[i] * q[i]; np += p[i] * p[i]; nq += q[i] * q[i]; }
        Checks.close("cosine", dot / Math.sqrt(np * nq), Losses.cosineSimilarity(hp, hq).item(), RTOL, ATOL);
        // a huge logit stays finite: log-sum-exp is stabilised
        Array big = Array.of(new float[][]{{1000f, 0f, -1000f}});
        Checks.close("stable xent", 0.0, Losses.softmaxCrossEntropyWithIntegerLabels(big, Array.of(0)).item(), 0, 1e-6);
        Checks.close("stable bce", 1000.0, Losses.sigmoidBinaryCrossEntropy(Array.of(-1000f), Array.of(1f)).item(), RTOL, ATOL);
    }

    @Test
    void schedulesMatchTheirFormulas() {
        Schedule poly = Schedules.polynomial(1.0, 0.01, 2, 100, 5);
        for (int t : new int[]{0, 5, 6, 50, 104, 105, 110}) {
            double c = Math.min(Math.max(t - 5, 0), 100);
            Checks.close("polynomial at " + t, (1.0 - 0.01) * Math.pow(1 - c / 100, 2) + 0.01, poly.at(t), RTOL, ATOL);
        }
        Schedule exp = Schedules.exponentialDecay(1.0, 10, 0.5, 3, true, 0.3);
        for (int t : new int[]{0, 3, 12, 13, 30, 100}) {
            double d = t - 3;
            double v = d <= 0 ? 1.0 : Math.pow(0.5, Math.floor(d / 10));
            Checks.close("exponential at " + t, Math.max(v, 0.3), exp.at(t), RTOL, ATOL);
        }
        Schedule cos = Schedules.cosineDecay(2.0, 10, 0.1, 2.0);
        for (int t : new int[]{0, 3, 10, 15}) {
            double c = 0.5 * (1 + Math.cos(Math.PI * Math.min(t, 10) / 10));
            Checks.close("cosine with exponent at " + t, 2.0 * ((1 - 0.1) * c * c + 0.1), cos.at(t), RTOL, ATOL);
        }
        Schedule sgdr = Schedules.sgdr(List.of(new Schedules.CosineCycle(0, 1, 2, 10, 0), new Schedules.CosineCycle(0, 0.5, 2, 10, 0)));
        Schedule first = Schedules.warmupCosineDecay(0, 1, 2, 10), second = Schedules.warmupCosineDecay(0, 0.5, 2, 10);
        for (int t = 0; t < 25; t++) {
            double expected = t < 10 ? first.at(t) : second.at(t - 10);
            Checks.close("sgdr at " + t, expected, sgdr.at(t), RTOL, ATOL);
        }
        Checks.close("constant", 0.25, Schedules.constant(0.25).at(1000), 0, 0);
    }

    @Test
    void schedulesAreTraceable() {
        Schedule s = Schedules.warmupCosineDecay(0, 0.1, 5, 30, 0.001);
        var jitted = new io.jax4j.core.JitFunction(args -> s.apply((Array) args.getFirst()), "schedule", java.util.Set.of());
        for (int t = 0; t < 35; t += 3) {
            Checks.close("jitted schedule at " + t, s.at(t), ((Array) jitted.call(List.of(Array.scalar(t)))).item(), 1e-6, 1e-7);
        }
        assertEquals(1, jitted.traceCount());
    }
}
