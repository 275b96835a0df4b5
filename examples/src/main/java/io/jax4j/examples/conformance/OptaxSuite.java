package io.jax4j.examples.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import io.jax4j.Array;
import io.jax4j.autodiff.Jax;
import io.jax4j.optim.GradientTransformation;
import io.jax4j.optim.Optim;
import io.jax4j.optim.Schedule;
import io.vavr.Function1;
import io.vavr.Function3;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * {@code optax_*.json}: every schedule at every step of {@code schedule_steps} (one check per
 * schedule, naming the worst step), every optimizer trajectory from {@code params0} with the file's
 * {@code grads} (one check per update: {@code after_update[k]}, the whole params tree), and
 * {@code global_norm_grads0}. Names map to schedules and optimizers in {@link OptaxNames}; an
 * unknown name is a SKIP. Under {@code --jit} the schedule and the optimizer step
 * ({@code update} + {@code apply_updates}) are jitted.
 *
 * <p>Tolerance: elementwise (rtol 1e-5, atol 1e-6) — float32 arithmetic in another order (XLA
 * fuses) and float32 {@code pow}/{@code cos} that may differ by an ulp.
 */
public final class OptaxSuite implements CheckSuite {
    static final Tolerance TOL = Tolerance.ELEMENTWISE;

    @Override
    public String prefix() { return "optax_"; }

    @Override
    public void run(FixtureFile file, RunOptions options, Report report) {
        JsonNode root = file.root();
        String f = file.name();
        Checks.skipUnknownFields(report, f, "-", root, java.util.Set.of("optax_version", "schedule_steps", "schedules", "params0", "grads", "labels",
                "trajectories", "global_norm_grads0"));
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("schedules").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Checks.run(report, f, "schedules", e.getKey(), () -> checkSchedule(e.getKey(), root.path("schedule_steps"), e.getValue(), options));
        }
        runTrajectories(f, root, options, report);
        if (root.has("global_norm_grads0")) {
            Checks.run(report, f, "global_norm", "global_norm_grads0", () -> {
                Object g0 = FixtureTrees.decodePlain(root.path("grads").get(0));
                Array norm = Checks.call(options, (Object g) -> Optim.globalNorm(g), g0);
                return FixtureTrees.compareScalar(norm.item(), root.get("global_norm_grads0").asDouble(), TOL);
            });
        }
    }

    private static FixtureArrays.Comparison checkSchedule(String name, JsonNode steps, JsonNode values, RunOptions options) {
        Schedule s = OptaxNames.schedule(name);
        if (steps.size() != values.size()) {
            return new FixtureArrays.Comparison(false, values.size() + " values for " + steps.size() + " steps");
        }
        Function1<Array, Array> at = s::apply;
        if (options.jit()) at = Jax.jit(at);
        double maxErr = 0;
        String firstBad = null;
        for (int k = 0; k < steps.size(); k++) {
            int step = steps.get(k).asInt();
            double expected = values.get(k).asDouble(), got = at.apply(Array.scalar(step)).item();
            FixtureArrays.Comparison c = FixtureTrees.compareScalar(got, expected, TOL);
            maxErr = Math.max(maxErr, Math.abs(got - expected));
            if (!c.ok() && firstBad == null) firstBad = "step " + step + ": " + c.detail();
        }
        String detail = "steps=" + steps.size() + " max_abs_err=" + FixtureArrays.fmt(maxErr) + " " + TOL.describe();
        return firstBad == null ? new FixtureArrays.Comparison(true, detail) : new FixtureArrays.Comparison(false, firstBad + "; " + detail);
    }

    private static void runTrajectories(String f, JsonNode root, RunOptions options, Report report) {
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("trajectories").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode expected = e.getValue();
            // the whole trajectory is computed once; each update is its own check
            var params = Checks.memo(() -> trajectory(name, root, expected.size(), options));
            for (int k = 0; k < expected.size(); k++) {
                int i = k;
                Checks.tree(report, f, "trajectories." + name, "after_update[" + (k + 1) + "]", expected.get(k), TOL, () -> params.get().get(i));
            }
        }
    }

    private static List<Object> trajectory(String name, JsonNode root, int updates, RunOptions options) {
        JsonNode labelsNode = root.get("labels");
        GradientTransformation tx = OptaxNames.optimizer(name, labelsNode == null ? null : FixtureTrees.decodePlain(labelsNode));
        JsonNode gradsNode = root.path("grads");
        if (gradsNode.size() < updates) throw new IllegalArgumentException(updates + " updates but only " + gradsNode.size() + " grads");
        Function3<Object, Object, Object, List<Object>> step = (params, state, grads) -> {
            GradientTransformation.Update u = tx.update(grads, state, params);
            return List.of(Optim.applyUpdates(params, u.updates()), u.state());
        };
        if (options.jit()) step = Jax.jit(step);
        Object params = FixtureTrees.decodePlain(root.get("params0"));
        Object state = tx.init(params);
        List<Object> out = new ArrayList<>();
        for (int k = 0; k < updates; k++) {
            List<Object> r = step.apply(params, state, FixtureTrees.decodePlain(gradsNode.get(k)));
            params = r.get(0);
            state = r.get(1);
            out.add(params);
        }
        return out;
    }
}
