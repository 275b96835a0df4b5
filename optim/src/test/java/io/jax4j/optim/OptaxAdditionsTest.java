package io.jax4j.optim;

import io.jax4j.Array;
import io.jax4j.Np;
import io.jax4j.Random;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Optax pieces added for JAX users: first steps of each optimizer against its formula worked out
 * by hand, Optax's own schedule test values, the losses against their definitions, and the aliases.
 */
class OptaxAdditionsTest {
    private static final Array G = Array.of(0.5f, -2f, 3f);
    private static final Array P = Array.of(1f, 1f, -1f);

    private static float[] firstUpdate(GradientTransformation tx, Array g, Array p) {
        return ((Array) tx.update(g, tx.init(p), p).updates()).toFloatArray();
    }

    private static void assertUpdate(String what, double[] expected, float[] got, double tol) {
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], got[i], tol * (1 + Math.abs(expected[i])), what + " [" + i + "]");
    }

    @Test
    void adabeliefFirstStepIsTheSignOverB1() {
        // mu = 0.1 g, prediction error 0.9 g, nu = 0.001 (0.9 g)^2 + 1e-16; bias-corrected: g / (0.9 |g| + eps)
        float[] u = firstUpdate(Optim.adabelief(0.1), G, P);
        double[] g = {0.5, -2, 3}, want = new double[3];
        for (int i = 0; i < 3; i++) want[i] = -0.1 * g[i] / (Math.sqrt(0.81 * g[i] * g[i] + 1e-16 / 0.001) + 1e-16);
        assertUpdate("adabelief", want, u, 1e-5);
    }

    @Test
    void yogiFirstStep() {
        double[] g = {0.5, -2, 3}, want = new double[3];
        for (int i = 0; i < 3; i++) {
            double mu = 0.1 * g[i] + 0.9 * 1e-6, nu = 1e-6 - 0.001 * Math.signum(1e-6 - g[i] * g[i]) * g[i] * g[i];
            want[i] = -0.1 * (mu / 0.1) / (Math.sqrt(nu / 0.001) + 1e-3);
        }
        assertUpdate("yogi", want, firstUpdate(Optim.yogi(0.1), G, P), 1e-5);
    }

    @Test
    void radamUsesTheMomentUntilTheVarianceIsTractable() {
        GradientTransformation tx = Optim.radam(0.1);
        Object state = tx.init(P);
        // ro_t = ro_inf - 2 t b2^t / (1 - b2^t) reaches 5 at t = 6 for b2 = 0.999
        double roInf = 2 / 0.001 - 1;
        for (int t = 1; t <= 7; t++) {
            var r = tx.update(G, state, P);
            state = r.state();
            double b2t = Math.pow(0.999, t), ro = roInf - 2 * t * b2t / (1 - b2t);
            float[] u = ((Array) r.updates()).toFloatArray();
            double[] want = new double[3];
            for (int i = 0; i < 3; i++) {
                double g = G.toDoubleArray()[i];   // a constant gradient: bias-corrected moments are g and g^2
                double rect = Math.sqrt((ro - 4) * (ro - 2) * roInf / ((roInf - 4) * (roInf - 2) * ro));
                want[i] = ro >= 5 ? -0.1 * rect * g / (Math.abs(g) + 1e-8) : -0.1 * g;
            }
            assertUpdate("radam step " + t + " (ro " + ro + ")", want, u, 1e-4);
        }
    }

    @Test
    void sm3KeepsRowAndColumnMaxima() {
        Array g = Array.of(new float[][]{{1f, -2f}, {3f, 0.5f}});
        GradientTransformation tx = Optim.scaleBySm3(0.9, 1.0, 1e-8);
        var r = tx.update(g, tx.init(g), g);
        ScaleBySm3State st = (ScaleBySm3State) r.state();
        List<?> acc = (List<?>) st.mu();
        assertArrayEquals(new float[]{4f, 9f}, ((Array) acc.get(0)).toFloatArray(), "row maxima of g^2");
        assertArrayEquals(new float[]{9f, 4f}, ((Array) acc.get(1)).toFloatArray(), "column maxima of g^2");
        float[] u = ((Array) r.updates()).toFloatArray();
        float[] gv = g.toFloatArray();
        for (int i = 0; i < 4; i++) assertEquals(0.1 * Math.signum(gv[i]), u[i], 1e-5, "first step: 0.1 g / |g|");
    }

    @Test
    void novogradNormalisesByTheLayerNorm() {
        GradientTransformation tx = Optim.novograd(LearningRate.of(0.1), 0.9, 0.25, 1e-6, 0.0, 0.5);
        double norm = Math.sqrt(0.25 + 4 + 9);
        double[] g = {0.5, -2, 3}, p = {1, 1, -1}, want = new double[3];
        for (int i = 0; i < 3; i++) want[i] = -0.1 * (g[i] / (norm + 1e-6) + 0.5 * p[i]);
        var r = tx.update(G, tx.init(P), P);
        assertUpdate("novograd step 1", want, ((Array) r.updates()).toFloatArray(), 1e-5);
        // step 2 with the same gradient: nu = 0.25 nu + 0.75 |g|^2 = |g|^2, mu = 0.9 mu + step
        var r2 = tx.update(G, r.state(), P);
        for (int i = 0; i < 3; i++) want[i] = want[i] * 1.9;
        assertUpdate("novograd step 2", want, ((Array) r2.updates()).toFloatArray(), 1e-5);
        assertThrows(IllegalArgumentException.class, () -> tx.update(G, tx.init(P), null));
    }

    @Test
    void noisySgdAddsAnnealedNoiseFromTheStatesKey() {
        Array key = Random.key(3);
        GradientTransformation tx = Optim.noisySgd(LearningRate.of(0.1), 0.01, 0.55, key);
        Map<String, Array> g = Map.of("a", G, "b", Array.of(1f));
        var r = tx.update(g, tx.init(g), g);
        // keys: split(key) -> (next, sample); split(sample, leaves) -> one per leaf, in key order
        Array sample = Random.split(key).get(1);
        Array leafKeys = Random.split(sample, 2);
        Array noiseA = Random.normal(leafKeys.get(0), 3);
        float[] want = G.add(noiseA.mul((float) Math.sqrt(0.01))).mul(-0.1f).toFloatArray();
        @SuppressWarnings("unchecked") Map<String, Array> u = (Map<String, Array>) r.updates();
        assertArrayEquals(want, u.get("a").toFloatArray(), 1e-6f);
        assertArrayEquals(Random.split(key).get(0).toFloatArray(), ((AddNoiseState) ((List<?>) r.state()).get(0)).rngKey().toFloatArray());
    }

    @Test
    void zeroNansReplacesNansAndRecordsWhere() {
        GradientTransformation tx = Optim.zeroNans();
        Map<String, Array> g = Map.of("a", Array.of(1f, Float.NaN), "b", Array.of(2f));
        var r = tx.update(g, tx.init(g), g);
        @SuppressWarnings("unchecked") Map<String, Array> u = (Map<String, Array>) r.updates();
        assertArrayEquals(new float[]{1f, 0f}, u.get("a").toFloatArray());
        @SuppressWarnings("unchecked") Map<String, Array> found = (Map<String, Array>) ((ZeroNansState) r.state()).foundNan();
        assertEquals(1.0, found.get("a").item());
        assertEquals(0.0, found.get("b").item());
    }

    @Test
    void adamaxAndAmsgradFirstSteps() {
        // adamax: mu_hat = g, nu = |g| + eps: the step is -lr g / (|g| + eps)
        double[] g = {0.5, -2, 3}, want = new double[3];
        for (int i = 0; i < 3; i++) want[i] = -0.1 * g[i] / (Math.abs(g[i]) + 1e-8);
        assertUpdate("adamax", want, firstUpdate(Optim.adamax(0.1), G, P), 1e-6);
        // amsgrad's first step is Adam's (nu_max = nu_hat = g^2)
        assertUpdate("amsgrad", toDoubles(firstUpdate(Optim.adam(0.1), G, P)), firstUpdate(Optim.amsgrad(0.1), G, P), 1e-6);
        // a gradient that shrinks: amsgrad keeps the larger denominator, so its step is smaller than Adam's
        GradientTransformation ams = Optim.amsgrad(0.1), adam = Optim.adam(0.1);
        var a1 = ams.update(G, ams.init(P), P);
        var d1 = adam.update(G, adam.init(P), P);
        Array small = G.mul(0.01f);
        float[] a2 = ((Array) ams.update(small, a1.state(), P).updates()).toFloatArray();
        float[] d2 = ((Array) adam.update(small, d1.state(), P).updates()).toFloatArray();
        for (int i = 0; i < 3; i++) assertTrue(Math.abs(a2[i]) <= Math.abs(d2[i]), "amsgrad step " + i);
    }

    @Test
    void adadeltaFirstStep() {
        // e_g = 0.1 g^2, e_x = 0: the step is -lr sqrt(eps) / sqrt(0.1 g^2 + eps) g
        double[] g = {0.5, -2, 3}, want = new double[3];
        for (int i = 0; i < 3; i++) want[i] = -0.1 * Math.sqrt(1e-6) / Math.sqrt(0.1 * g[i] * g[i] + 1e-6) * g[i];
        assertUpdate("adadelta", want, firstUpdate(Optim.adadelta(0.1), G, P), 1e-5);
    }

    @Test
    void rpropGrowsAndShrinksItsSteps() {
        GradientTransformation tx = Optim.rprop(0.1);
        var r1 = tx.update(G, tx.init(P), P);
        assertArrayEquals(new float[]{-0.1f, 0.1f, -0.1f}, ((Array) r1.updates()).toFloatArray(), 1e-7f, "first step: -lr sign(g)");
        var r2 = tx.update(G, r1.state(), P);
        assertArrayEquals(new float[]{-0.12f, 0.12f, -0.12f}, ((Array) r2.updates()).toFloatArray(), 1e-7f, "same signs: grown by 1.2");
        var r3 = tx.update(G.neg(), r2.state(), P);
        assertArrayEquals(new float[]{0f, 0f, 0f}, ((Array) r3.updates()).toFloatArray(), 0f, "a sign flip: the step is skipped (-0.0 after scale(-1), as in Optax)");
    }

    private static double[] toDoubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    @Test
    void traceIsOptaxsNameForMomentum() {
        assertArrayEquals(firstUpdate(Optim.traceMomentum(0.9, true), G, P), firstUpdate(Optim.trace(0.9, true), G, P));
    }

    // ---------------------------------------------------------------- schedules (Optax's _schedule_test values)

    private static void assertSchedule(Schedule s, double[] expected) {
        for (int t = 0; t < expected.length; t++) assertEquals(expected[t], s.at(t), 1e-3, "step " + t);
    }

    @Test
    void piecewiseInterpolateAsOptaxTestsIt() {
        assertSchedule(Schedules.piecewiseInterpolate("linear", 200.0, Map.of(5, 1.5, 10, 0.25)),
                new double[]{200, 220, 240, 260, 280, 300, 255, 210, 165, 120, 75, 75, 75});
        assertSchedule(Schedules.piecewiseInterpolate("cosine", 400.0, Map.of(5, 1.2, 3, 0.6, 7, 1.0)),
                new double[]{400, 360, 280, 240, 264, 288, 288, 288, 288});
        assertSchedule(Schedules.piecewiseInterpolate("linear", 13.0, Map.of()), new double[]{13, 13, 13, 13, 13});
        Schedule zeroInterval = Schedules.piecewiseInterpolate("linear", 13.0, Map.of(0, 2.0, 5, 3.0));
        assertEquals(26.0, zeroInterval.at(0), 1e-5);
        assertEquals(78.0, zeroInterval.at(5), 1e-5);
        assertThrows(IllegalArgumentException.class, () -> Schedules.piecewiseInterpolate("linar", 13.0, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> Schedules.piecewiseInterpolate("linear", 13.0, Map.of(5, -3.0)));
    }

    @Test
    void oneCycleSchedulesAsOptaxTestsThem() {
        assertSchedule(Schedules.linearOnecycle(10, 1000, 0.3, 0.7, 10.0, 100.0),
                new double[]{100, 400, 700, 1000, 775, 550, 325, 100, 67, 34, 1, 1});
        assertSchedule(Schedules.cosineOnecycle(5, 1000.0, 0.4, 10.0, 100.0), new double[]{100, 550, 1000, 750.25, 250.75, 1, 1});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Schedules.cosineOnecycle(0, 5.0));
        assertTrue(e.getMessage().contains("cosine onecycle"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Schedules.linearOnecycle(0, 5.0)).getMessage().contains("linear onecycle"));
    }

    @Test
    void warmupExponentialDecay() {
        Schedule s = Schedules.warmupExponentialDecay(0.0, 1.0, 4, 2, 0.5);
        assertSchedule(s, new double[]{0, 0.25, 0.5, 0.75, 1.0, Math.pow(0.5, 0.5), 0.5, Math.pow(0.5, 1.5), 0.25});
        assertEquals(Schedules.cosineDecay(1.0, 10).at(3), Schedules.cosineDecaySchedule(1.0, 10).at(3));
    }

    // ---------------------------------------------------------------- losses

    @Test
    void lossesFollowTheirDefinitions() {
        Array logp = Np.log(Array.of(new float[][]{{0.2f, 0.8f}, {0.5f, 0.5f}}));
        Array t = Array.of(new float[][]{{0f, 1f}, {0.25f, 0.75f}});
        double kl1 = Math.log(1 / 0.8), kl2 = 0.25 * Math.log(0.25 / 0.5) + 0.75 * Math.log(0.75 / 0.5);
        assertArrayEquals(new float[]{(float) kl1, (float) kl2}, Losses.klDivergence(logp, t).toFloatArray(), 1e-6f);

        assertArrayEquals(new float[]{0f, 1.5f, 0f}, Losses.hingeLoss(Array.of(2f, -0.5f, -3f), Array.of(1f, 1f, -1f)).toFloatArray());
        float[] lc = Losses.logCosh(Array.of(0.3f, -20f), null).toFloatArray();
        assertEquals(Math.log(Math.cosh(0.3)), lc[0], 1e-6);
        assertEquals(20 - Math.log(2), lc[1], 1e-4, "stable for large errors");
        assertArrayEquals(new float[]{0.05f, 0.05f, 0.85f, 0.05f},
                Losses.smoothLabels(Array.of(0f, 0f, 1f, 0f), 0.2).toFloatArray(), 1e-7f);

        // focal loss: ce (1 - p_t)^gamma; with gamma 0 it is the cross-entropy
        Array logits = Array.of(1.5f, -0.3f, 2f), labels = Array.of(1f, 0f, 0f);
        assertArrayEquals(Losses.sigmoidBinaryCrossEntropy(logits, labels).toFloatArray(),
                Losses.sigmoidFocalLoss(logits, labels, null, 0.0).toFloatArray(), 1e-6f);
        float[] focal = Losses.sigmoidFocalLoss(logits, labels, 0.25, 2.0).toFloatArray();
        double[] x = {1.5, -0.3, 2}, y = {1, 0, 0};
        for (int i = 0; i < 3; i++) {
            double p = 1 / (1 + Math.exp(-x[i])), pt = y[i] == 1 ? p : 1 - p;
            double ce = -Math.log(pt), alphaT = y[i] == 1 ? 0.25 : 0.75;
            assertEquals(alphaT * ce * Math.pow(1 - pt, 2), focal[i], 1e-6, "focal " + i);
        }
    }

    // ---------------------------------------------------------------- reduce_on_plateau

    @Test
    void reduceOnPlateauCutsTheScaleAfterPatienceReportsWithoutImprovement() {
        GradientTransformation tx = Optim.chain(Optim.sgd(1.0), Optim.reduceOnPlateau(0.5, 2, 1e-4, 0.0, 1, 1, 0.0));
        Object state = tx.init(P);
        double[] losses = {5, 4, 4, 4, 4, 4, 4, 3};
        double[] scales = new double[losses.length];
        for (int i = 0; i < losses.length; i++) {
            var r = tx.update(G, state, P, Map.of("value", Array.scalar((float) losses[i])));
            state = r.state();
            scales[i] = ((ReduceOnPlateauState) ((List<?>) state).get(1)).scale().item();
            assertArrayEquals(G.mul(-1f).mul((float) scales[i]).toFloatArray(), ((Array) r.updates()).toFloatArray(), 1e-6f, "updates scaled, step " + i);
        }
        // improvements at 5 and 4; two reports without (4, 4): halve; one report of cooldown; two more: halve again
        assertArrayEquals(new double[]{1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25}, scales);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tx.update(G, tx.init(P), P));
        assertTrue(e.getMessage().contains("Map.of(\"value\", loss)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Optim.reduceOnPlateau(1.5, 2, 1e-4, 0, 0, 1, 0));
    }
}
