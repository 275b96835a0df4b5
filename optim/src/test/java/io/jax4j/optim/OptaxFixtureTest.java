package io.jax4j.optim;

import io.jax4j.Array;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Optax conformance against {@code fixtures/optax_public.json} (written by Optax 0.2.8 on CPU):
 * every schedule at every listed step, every optimizer trajectory (the params after each update)
 * and the global norm. The case names are part of the fixture format (other files use the same
 * names with other values), so an unknown name fails instead of being skipped.
 *
 * <p>Tolerance: {@code rtol 1e-5, atol 1e-6} — float32 arithmetic in a possibly different order
 * (XLA fuses, we do not) and float32 {@code pow}/{@code cos} that may differ by an ulp.
 */
class OptaxFixtureTest {
    static final double RTOL = 1e-5, ATOL = 1e-6;

    @SuppressWarnings("unchecked")
    static final Map<String, Object> FIXTURE = (Map<String, Object>) Json.resource("/fixtures/optax_public.json");

    /** The schedules the fixture names, as {@code generate/jax_fixtures.py} defines them. */
    static Schedule schedule(String name) {
        return switch (name) {
            case "linear_0_0.1_10" -> Schedules.linear(0.0, 0.1, 10);
            case "cosine_0.1_20" -> Schedules.cosineDecay(0.1, 20);
            case "cosine_0.1_20_alpha0.1" -> Schedules.cosineDecay(0.1, 20, 0.1);
            case "seed_warmup_cosine" -> {
                int spe = 5, warm = 2, epochs = 6;
                double base = 0.1;
                yield Schedules.joinSchedules(List.of(Schedules.linear(0.0, base, warm * spe),
                        Schedules.cosineDecay(base, Math.max(epochs - warm, 1) * spe)), new int[]{warm * spe});
            }
            case "exponential_0.1_5_0.5" -> Schedules.exponentialDecay(0.1, 5, 0.5);
            case "exponential_staircase" -> Schedules.exponentialDecay(0.1, 5, 0.5, true);
            case "warmup_cosine_decay" -> Schedules.warmupCosineDecay(0.0, 0.1, 5, 30, 0.001);
            case "piecewise_constant" -> Schedules.piecewiseConstant(0.1, Map.of(5, 0.5, 10, 0.1));
            default -> throw new AssertionError("unknown schedule name in the fixture: '" + name + "'");
        };
    }

    /** The optimizers the fixture names. */
    static GradientTransformation optimizer(String name, Object labels) {
        return switch (name) {
            case "sgd_0.1" -> Optim.sgd(0.1);
            case "sgd_momentum" -> Optim.sgd(0.1, 0.9);
            case "sgd_nesterov" -> Optim.sgd(0.1, 0.9, true);
            case "adam_1e-2" -> Optim.adam(1e-2);
            case "adamw_1e-2_wd1e-2" -> Optim.adamw(1e-2, 1e-2);
            case "rmsprop_1e-2" -> Optim.rmsprop(1e-2);
            case "adagrad_0.1" -> Optim.adagrad(0.1);
            case "clip1_adam" -> Optim.chain(Optim.clipByGlobalNorm(1.0), Optim.adam(1e-2));
            case "sgd_schedule_momentum" -> Optim.sgd(schedule("seed_warmup_cosine"), 0.9);
            case "multi_transform_freeze" -> Optim.multiTransform(Map.of("trainable", Optim.adam(5e-3), "frozen", Optim.setToZero()), labels);
            case "adam_schedule" -> Optim.adam(schedule("warmup_cosine_decay"));
            case "lamb_1e-2" -> Optim.lamb(1e-2);
            default -> throw new AssertionError("unknown optimizer name in the fixture: '" + name + "'");
        };
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyScheduleAtEveryStep() {
        var steps = (List<Object>) FIXTURE.get("schedule_steps");
        var schedules = (Map<String, Object>) FIXTURE.get("schedules");
        assertFalse(schedules.isEmpty());
        int checked = 0;
        for (var e : schedules.entrySet()) {
            Schedule s = schedule(e.getKey());
            var values = (List<Object>) e.getValue();
            assertEquals(steps.size(), values.size(), e.getKey() + ": one value per step");
            for (int k = 0; k < steps.size(); k++) {
                int step = ((Number) steps.get(k)).intValue();
                Checks.close(e.getKey() + " at step " + step, ((Number) values.get(k)).doubleValue(), s.at(step), RTOL, ATOL);
                checked++;
            }
        }
        assertEquals(schedules.size() * steps.size(), checked);
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyOptimizerTrajectory() {
        Object params0 = Json.tree(FIXTURE.get("params0"));
        var grads = new ArrayList<Object>();
        for (Object g : (List<Object>) FIXTURE.get("grads")) grads.add(Json.tree(g));
        Object labels = Json.tree(FIXTURE.get("labels"));
        var trajectories = (Map<String, Object>) FIXTURE.get("trajectories");
        assertFalse(trajectories.isEmpty());
        for (var e : trajectories.entrySet()) {
            var tx = optimizer(e.getKey(), labels);
            var expected = (List<Object>) e.getValue();
            assertEquals(grads.size(), expected.size(), e.getKey() + ": one params tree per update");
            Object params = params0;
            Object state = tx.init(params);
            for (int k = 0; k < grads.size(); k++) {
                var r = tx.update(grads.get(k), state, params);
                params = Optim.applyUpdates(params, r.updates());
                state = r.state();
                Checks.treesClose(e.getKey() + " after update " + (k + 1), Json.tree(expected.get(k)), params, RTOL, ATOL);
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void globalNormOfTheFirstGradients() {
        Object g0 = Json.tree(((List<Object>) FIXTURE.get("grads")).getFirst());
        double expected = ((Number) FIXTURE.get("global_norm_grads0")).doubleValue();
        Array norm = Optim.globalNorm(g0);
        Checks.close("global_norm", expected, norm.item(), RTOL, ATOL);
    }

    @Test
    void anUnknownNameFails() {
        try {
            optimizer("adam_with_a_name_nobody_knows", null);
            fail("an unknown optimizer name must fail");
        } catch (AssertionError expected) {
            assertEquals("unknown optimizer name in the fixture: 'adam_with_a_name_nobody_knows'", expected.getMessage());
        }
    }
}
