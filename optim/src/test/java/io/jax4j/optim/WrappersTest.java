package io.jax4j.optim;

import io.jax4j.Array;
import io.jax4j.DType;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The combinators: state layouts, injected hyperparameters, accumulation, finiteness, masks. */
class WrappersTest {
    static final double TOL = 1e-6;

    @Test
    void adamStateHasOptaxLayoutAndInt32Count() {
        var tx = Optim.adam(1e-2);
        Object params = Map.of("w", Array.of(1f, 2f));
        List<?> state = (List<?>) tx.init(params);
        var adam = (ScaleByAdamState) state.get(0);
        assertEquals(DType.I32, adam.count().dtype());
        assertEquals(0, adam.count().ndim());
        assertEquals(new EmptyState(), state.get(1));
        List<?> next = (List<?>) tx.update(Map.of("w", Array.of(0.5f, -1f)), state, params).state();
        assertEquals(1, ((ScaleByAdamState) next.get(0)).count().intValue());
    }

    @Test
    void safeInt32IncrementSaturates() {
        assertEquals(Integer.MAX_VALUE, Optim.safeInt32Increment(Array.scalar(Integer.MAX_VALUE)).intValue());
        assertEquals(8, Optim.safeInt32Increment(Array.scalar(7)).intValue());
    }

    @Test
    void injectedLearningRateIsReadableAndChangeable() {
        var tx = Optim.injectHyperparams(Optim::adam, 1e-2);
        Object params = Array.of(1f, -2f);
        var state = (InjectHyperparamsState) tx.init(params);
        Checks.close("learning_rate", 1e-2, state.hyperparams().get("learning_rate").item(), 1e-6, 0);
        state = state.withHyperparam("learning_rate", Array.scalar(0.5f));
        var r = tx.update(Array.of(0.3f, 0.4f), state, params);
        // the same step as adam(0.5): first adam step is -lr * g / (|g| + eps)
        var plain = Optim.adam(0.5);
        var expected = plain.update(Array.of(0.3f, 0.4f), plain.init(params), params);
        Checks.close("updates", (Array) expected.updates(), (Array) r.updates(), TOL, 1e-7);
        assertEquals(1, ((InjectHyperparamsState) r.state()).count().intValue());
    }

    @Test
    void injectedScheduleIsEvaluatedAtTheStepBeforeIncrement() {
        Schedule s = Schedules.linear(1.0, 0.0, 4);
        var tx = Optim.injectHyperparams(Optim::sgd, s);
        Object params = Array.of(0f);
        Object state = tx.init(params);
        for (int step = 0; step < 3; step++) {
            var r = tx.update(Array.of(1f), state, params);
            Checks.close("sgd update at step " + step, -s.at(step), ((Array) r.updates()).item(), TOL, 1e-7);
            state = r.state();
            Checks.close("learning_rate in the state", s.at(step), ((InjectHyperparamsState) state).hyperparams().get("learning_rate").item(), TOL, 1e-7);
        }
    }

    @Test
    void multiStepsAppliesTheMeanOfKGradients() {
        var ms = new MultiSteps(Optim.sgd(1.0), 3);
        Object params = Array.of(0f, 0f);
        Object state = ms.init(params);
        float[][] gs = {{1f, 2f}, {3f, 4f}, {5f, 9f}};
        for (int k = 0; k < 3; k++) {
            var r = ms.update(Array.of(gs[k]), state, params);
            state = r.state();
            Array u = (Array) r.updates();
            if (k < 2) {
                Checks.close("mid-step updates are zero", Array.of(0f, 0f), u, 0, 0);
                assertFalse(ms.hasUpdated((MultiStepsState) state).toBooleanArray()[0]);
            } else {
                Checks.close("the mean of the three gradients, negated", Array.of(-3f, -5f), u, TOL, 1e-6);
                assertTrue(ms.hasUpdated((MultiStepsState) state).toBooleanArray()[0]);
                assertEquals(0, ((MultiStepsState) state).miniStep().intValue());
                assertEquals(1, ((MultiStepsState) state).gradientStep().intValue());
            }
        }
    }

    @Test
    void applyIfFiniteSkipsNonFiniteUpdatesUntilTooManyInARow() {
        var tx = Optim.applyIfFinite(Optim.sgd(1.0), 1);
        Object params = Array.of(0f);
        Object state = tx.init(params);
        var r = tx.update(Array.of(Float.NaN), state, params);
        Checks.close("a rejected step gives zeros", Array.of(0f), (Array) r.updates(), 0, 0);
        var st = (ApplyIfFiniteState) r.state();
        assertEquals(1, st.notfiniteCount().intValue());
        assertEquals(1, st.totalNotfinite().intValue());
        assertFalse(st.lastFinite().toBooleanArray()[0]);
        r = tx.update(Array.of(Float.POSITIVE_INFINITY), st, params);
        assertTrue(Double.isInfinite(((Array) r.updates()).item()), "the second bad step in a row exceeds max_consecutive_errors=1 and is applied");
        r = tx.update(Array.of(2f), r.state(), params);
        Checks.close("a finite step", Array.of(-2f), (Array) r.updates(), 0, 0);
        st = (ApplyIfFiniteState) r.state();
        assertEquals(0, st.notfiniteCount().intValue());
        assertEquals(2, st.totalNotfinite().intValue());
    }

    @Test
    void maskedTouchesOnlyTheMaskedLeaves() {
        var tx = Optim.masked(Optim.scale(10), Map.of("a", true, "b", false));
        Object g = Map.of("a", Array.of(1f), "b", Array.of(2f));
        var state = (MaskedState) tx.init(g);
        assertEquals(new EmptyState(), state.innerState());
        var out = (Map<?, ?>) tx.update(g, state, g).updates();
        Checks.close("a", Array.of(10f), (Array) out.get("a"), 0, 0);
        Checks.close("b", Array.of(2f), (Array) out.get("b"), 0, 0);
        // a stateful inner transformation sees MaskedNode where the mask is false, as in Optax
        var adamState = (ScaleByAdamState) ((MaskedState) Optim.masked(Optim.scaleByAdam(), Map.of("a", true, "b", false)).init(g)).innerState();
        assertEquals(new MaskedNode(), ((Map<?, ?>) adamState.mu()).get("b"));
    }

    @Test
    void freezeAndMaskFunctions() {
        var tx = Optim.freeze((java.util.function.Function<Object, Object>) p -> Map.of("a", true, "b", false));
        Object g = Map.of("a", Array.of(1f), "b", Array.of(2f));
        var out = (Map<?, ?>) tx.update(g, tx.init(g), g).updates();
        Checks.close("frozen", Array.of(0f), (Array) out.get("a"), 0, 0);
        Checks.close("free", Array.of(2f), (Array) out.get("b"), 0, 0);
    }

    @Test
    void multiTransformWithALabelFunction() {
        var tx = Optim.multiTransform(Map.of("x", Optim.sgd(1.0), "y", Optim.setToZero()),
                (java.util.function.Function<Object, Object>) p -> Map.of("a", "x", "b", "y"));
        Object g = Map.of("a", Array.of(1f), "b", Array.of(2f));
        var r = tx.update(g, tx.init(g), g);
        var out = (Map<?, ?>) r.updates();
        Checks.close("sgd leaf", Array.of(-1f), (Array) out.get("a"), 0, 0);
        Checks.close("zeroed leaf", Array.of(0f), (Array) out.get("b"), 0, 0);
        assertEquals(Map.of("x", "y").keySet().size() + 1, ((PartitionState) r.state()).innerStates().size());
    }

    @Test
    void clipByGlobalNormScalesOnlyLargeNorms() {
        Object g = Map.of("a", Array.of(3f), "b", Array.of(4f));
        var out = (Map<?, ?>) Optim.clipByGlobalNorm(1.0).update(g, new EmptyState()).updates();
        Checks.close("a", Array.of(0.6f), (Array) out.get("a"), 1e-6, 0);
        Checks.close("b", Array.of(0.8f), (Array) out.get("b"), 1e-6, 0);
        var same = (Map<?, ?>) Optim.clipByGlobalNorm(10.0).update(g, new EmptyState()).updates();
        Checks.close("unclipped", Array.of(3f), (Array) same.get("a"), 0, 0);
    }
}
