package io.jax4j.examples.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jax4j.Array;
import io.jax4j.Np;
import io.jax4j.Random;
import io.jax4j.autodiff.Jax;
import io.jax4j.examples.conformance.models.TrainingNet;
import io.jax4j.linen.Applied;
import io.jax4j.linen.Apply;
import io.jax4j.linen.Dict;
import io.jax4j.linen.TrainState;
import io.jax4j.linen.Variables;
import io.jax4j.optim.GradientTransformation;
import io.jax4j.optim.Losses;
import io.jax4j.optim.Optim;
import io.jax4j.optim.Schedules;
import io.vavr.Function3;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code training} section of {@code flax_*.json}: each trajectory {@code dropout_<rate>} is
 * trained as the reference script trains it ({@link TrainingNet}: init from {@code PRNGKey(0)} on
 * the first two rows of {@code X}, Adam on the {@code schedule} the file names, the dropout key
 * {@code dropout_key} folded with the step, batches of {@code batch} rows in order, one step per
 * listed loss). The step is jitted under {@code --jit} (and must trace once) and runs eagerly
 * otherwise. Checks: {@code init_variables}, the per-step {@code losses} and {@code accuracies},
 * {@code final_params}, {@code final_batch_stats}, {@code eval_logits_sum}, {@code eval_accuracy}.
 *
 * <p>Tolerances: losses, final params and batch stats long (rtol 1e-4, atol 1e-5) — 20 Adam steps
 * amplify float32 rounding differences of reductions (ours sequential, XLA's tree-shaped);
 * accuracies exactly (argmax hits of 16 samples); the eval logits sum within
 * {@code 1e-4 |sum| + 1e-5 * size}. Two leaves are not reproducible by any implementation:
 * {@code Dense_0/bias}, whose gradient through BatchNorm is zero in exact arithmetic (so Adam
 * amplifies float32 residue to steps of about the learning rate), and {@code BatchNorm_0/mean},
 * which accumulates it. They are left out of the final comparisons and checked for what they are
 * ({@code Dense_0/bias_gradient}: the bias gradient is below 1e-6 of the kernel's); the eval
 * checks use Flax's values of those two leaves with our trained others.
 */
final class FlaxTraining {
    static final Tolerance TOL = Tolerance.LONG;
    static final String RESIDUE_MODULE = "Dense_0", RESIDUE_PARAM = "bias", STATS_MODULE = "BatchNorm_0", STATS_LEAF = "mean";
    private static final Pattern WARMUP_COSINE = Pattern.compile(
            "warmup_cosine_decay_schedule\\(\\s*([^,]+),\\s*([^,]+),\\s*([^,]+),\\s*([^,]+),\\s*([^,)]+)\\)");
    private static final Pattern FOLD_IN = Pattern.compile("fold_in\\(PRNGKey\\((\\d+)\\),\\s*step\\)");

    private FlaxTraining() {}

    /** The per-step results of one trajectory. */
    record Run(Variables init, double[] losses, double[] accuracies, TrainState<TrainingNet.Extra> state, int traces,
               TrainingNet net, Array x, Array y) {}

    static void run(String f, JsonNode training, RunOptions options, Report report) {
        Checks.skipUnknownFields(report, f, "training", training, java.util.Set.of("X", "Y", "batch", "schedule", "optimizer", "dropout_key", "trajectories"));
        for (Iterator<Map.Entry<String, JsonNode>> it = training.path("trajectories").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = "training." + e.getKey();
            JsonNode t = e.getValue();
            Checks.skipUnknownFields(report, f, name, t, java.util.Set.of("init_variables", "losses", "accuracies", "final_params",
                    "final_batch_stats", "eval_logits_sum", "eval_accuracy"));
            Supplier<Run> run = Checks.memo(() -> train(e.getKey(), training, t, options));
            if (t.has("init_variables")) Checks.tree(report, f, name, "init_variables", t.get("init_variables"), FlaxSuite.INIT, () -> run.get().init());
            if (t.has("losses")) Checks.run(report, f, name, "losses", () -> perStep(run.get().losses(), t.get("losses"), TOL));
            if (t.has("accuracies")) Checks.run(report, f, name, "accuracies", () -> perStep(run.get().accuracies(), t.get("accuracies"), Tolerance.EXACT));
            if (options.jit()) Checks.run(report, f, name, "jit_traces_once", () -> new FixtureArrays.Comparison(run.get().traces() == 1,
                    "the jitted step traced " + run.get().traces() + " time(s)"));
            if (t.has("final_params")) Checks.tree(report, f, name, "final_params", without(t.get("final_params"), RESIDUE_MODULE, RESIDUE_PARAM), TOL,
                    () -> run.get().state().params().with(RESIDUE_MODULE, run.get().state().params().dict(RESIDUE_MODULE).without(RESIDUE_PARAM)));
            if (t.has("final_batch_stats")) Checks.tree(report, f, name, "final_batch_stats", without(t.get("final_batch_stats"), STATS_MODULE, STATS_LEAF), TOL, () -> {
                Dict stats = run.get().state().extra().batchStats();
                return stats.with(STATS_MODULE, stats.dict(STATS_MODULE).without(STATS_LEAF));
            });
            Checks.run(report, f, name, RESIDUE_MODULE + "/" + RESIDUE_PARAM + "_gradient", () -> biasGradientIsResidue(run.get(), training));
            Supplier<Array> eval = Checks.memo(() -> evalLogits(run.get(), t));
            if (t.has("eval_logits_sum")) Checks.run(report, f, name, "eval_logits_sum", () -> {
                double expected = t.get("eval_logits_sum").asDouble();
                Array ev = eval.get();
                return FixtureTrees.compareScalar(Np.sum(ev).item(), expected, new Tolerance(TOL.rtol(), TOL.atol() * ev.size()));
            });
            if (t.has("eval_accuracy")) Checks.run(report, f, name, "eval_accuracy", () ->
                    FixtureTrees.compareScalar(TrainingNet.accuracy(eval.get(), run.get().y()).item(), t.get("eval_accuracy").asDouble(), Tolerance.EXACT));
        }
    }

    private static Run train(String trajectory, JsonNode training, JsonNode t, RunOptions options) {
        if (!trajectory.startsWith("dropout_")) throw new Checks.Skip("not implemented: unknown trajectory '" + trajectory + "' (expected dropout_<rate>)");
        double rate = Double.parseDouble(trajectory.substring("dropout_".length()));
        GradientTransformation tx = optimizer(training);
        Array dropoutKey = dropoutKey(training);
        Array x = FixtureArrays.decode(training.get("X")), y = FixtureArrays.decode(training.get("Y"));
        int batch = training.path("batch").asInt(16);
        TrainingNet net = new TrainingNet(rate);
        Variables v0 = net.init(Random.key(0), () -> net.call(TrainingNet.rows(x, 0, 2), false));
        // each check stands alone: the run starts from Flax's initial variables when the file has them
        Variables start = t.has("init_variables") ? Variables.copyOf(FixtureTrees.decode(t.get("init_variables"))) : v0;
        TrainState<TrainingNet.Extra> state = net.createState(start, tx, dropoutKey);
        AtomicInteger traces = new AtomicInteger();
        Function3<TrainState<TrainingNet.Extra>, Array, Array, TrainingNet.StepOut> step = net.trainStep(options.jit(), traces);
        int steps = t.path("losses").size(), nBatches = x.dim(0) / batch;
        double[] losses = new double[steps], accs = new double[steps];
        for (int i = 0; i < steps; i++) {
            int from = (i % nBatches) * batch;
            TrainingNet.StepOut out = step.apply(state, TrainingNet.rows(x, from, from + batch), TrainingNet.rows(y, from, from + batch));
            state = out.state();
            losses[i] = out.loss().item();
            accs[i] = out.accuracy().item();
        }
        return new Run(v0, losses, accs, state, traces.get(), net, x, y);
    }

    /** {@code adam(schedule)} with the file's {@code warmup_cosine_decay_schedule(init, peak, warmup, decay, end)}. */
    static GradientTransformation optimizer(JsonNode training) {
        String opt = training.path("optimizer").asText("adam(schedule)"), sched = training.path("schedule").asText();
        if (!opt.replace(" ", "").equals("adam(schedule)")) throw new Checks.Skip("not implemented: optimizer '" + opt + "'");
        Matcher m = WARMUP_COSINE.matcher(sched.trim());
        if (!m.matches()) throw new Checks.Skip("not implemented: schedule '" + sched + "'");
        return Optim.adam(Schedules.warmupCosineDecay(d(m, 1), d(m, 2), (int) d(m, 3), (int) d(m, 4), d(m, 5)));
    }

    private static double d(Matcher m, int g) { return Double.parseDouble(m.group(g).trim()); }

    /** The TrainState's key: {@code fold_in(PRNGKey(seed), step)} names {@code PRNGKey(seed)}. */
    static Array dropoutKey(JsonNode training) {
        String k = training.path("dropout_key").asText("fold_in(PRNGKey(1), step)");
        Matcher m = FOLD_IN.matcher(k.trim());
        if (!m.matches()) throw new Checks.Skip("not implemented: dropout key '" + k + "'");
        return Random.key(Long.parseLong(m.group(1)));
    }

    /** The per-step values against a JSON list, naming the first bad step. */
    private static FixtureArrays.Comparison perStep(double[] got, JsonNode expected, Tolerance tol) {
        if (got.length != expected.size()) return new FixtureArrays.Comparison(false, got.length + " steps, expected " + expected.size());
        double max = 0;
        String bad = null;
        for (int i = 0; i < got.length; i++) {
            FixtureArrays.Comparison c = FixtureTrees.compareScalar(got[i], expected.get(i).asDouble(), tol);
            max = Math.max(max, Math.abs(got[i] - expected.get(i).asDouble()));
            if (!c.ok() && bad == null) bad = "step " + i + ": " + c.detail();
        }
        String detail = "steps=" + got.length + " max_abs_err=" + FixtureArrays.fmt(max) + " " + tol.describe();
        return bad == null ? new FixtureArrays.Comparison(true, detail) : new FixtureArrays.Comparison(false, bad + "; " + detail);
    }

    /** A fixture tree without one leaf {@code module/leaf}. */
    private static JsonNode without(JsonNode tree, String module, String leaf) {
        ObjectNode copy = tree.deepCopy();
        if (copy.get(module) instanceof ObjectNode m) m.remove(leaf);
        return copy;
    }

    /** The eval-mode logits on X with our trained variables and Flax's values of the two irreproducible leaves. */
    private static Array evalLogits(Run r, JsonNode t) {
        Dict params = r.state().params(), stats = r.state().extra().batchStats();
        if (t.has("final_params")) {
            params = params.with(RESIDUE_MODULE, params.dict(RESIDUE_MODULE).with(RESIDUE_PARAM,
                    FixtureArrays.decode(t.get("final_params").get(RESIDUE_MODULE).get(RESIDUE_PARAM))));
        }
        if (t.has("final_batch_stats")) {
            stats = stats.with(STATS_MODULE, stats.dict(STATS_MODULE).with(STATS_LEAF,
                    FixtureArrays.decode(t.get("final_batch_stats").get(STATS_MODULE).get(STATS_LEAF))));
        }
        return r.net().eval(params, stats, r.x());
    }

    /** The gradient of Dense_0's bias (before BatchNorm) is rounding residue: a million times below the kernel's. */
    private static FixtureArrays.Comparison biasGradientIsResidue(Run r, JsonNode training) {
        int batch = training.path("batch").asInt(16);
        Array xb = TrainingNet.rows(r.x(), 0, batch), yb = TrainingNet.rows(r.y(), 0, batch);
        Variables v = r.init();
        Dict g = Jax.grad((Dict p) -> {
            Applied<Array> out = r.net().apply(Variables.of("params", p, "batch_stats", v.get("batch_stats")), () -> r.net().call(xb, true),
                    Apply.mutable("batch_stats"), Apply.rngs("dropout", Random.key(7)));
            return Np.mean(Losses.softmaxCrossEntropyWithIntegerLabels(out.value(), yb));
        }).apply(v.get("params"));
        double bias = Np.max(Np.abs((Array) g.at(RESIDUE_MODULE, RESIDUE_PARAM))).item();
        double kernel = Np.max(Np.abs((Array) g.at(RESIDUE_MODULE, "kernel"))).item();
        boolean ok = kernel > 1e-4 && bias < 1e-6 * kernel;
        return new FixtureArrays.Comparison(ok, "max|grad bias|=" + FixtureArrays.fmt(bias) + " max|grad kernel|=" + FixtureArrays.fmt(kernel)
                + " (bias must be < 1e-6 of kernel)");
    }
}
