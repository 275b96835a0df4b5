package io.jax4j.examples.techniques;

import io.jax4j.Array;
import io.jax4j.Nn;
import io.jax4j.Random;
import io.jax4j.autodiff.HasAux;
import io.jax4j.autodiff.Jax;
import io.jax4j.examples.cli.CliCommand;
import io.jax4j.linen.Applied;
import io.jax4j.linen.Apply;
import io.jax4j.linen.BatchNorm;
import io.jax4j.linen.Dense;
import io.jax4j.linen.Dict;
import io.jax4j.linen.LinenModule;
import io.jax4j.linen.TrainState;
import io.jax4j.linen.Variables;
import io.jax4j.optim.Optim;
import io.vavr.Function3;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;

/**
 * {@code jax4j example batch-norm}: the tutorial's BatchNorm MLP ({@code Dense(4), BatchNorm,
 * relu, Dense(1)}). It shows the three things BatchNorm changes in a training loop: the
 * {@code batch_stats} collection next to the params, {@code train} switching between batch
 * statistics and running averages, and the train step returning the updated statistics through
 * {@code aux} ({@code mutable=['batch_stats']}).
 */
@Command(name = "batch-norm", mixinStandardHelpOptions = true,
        description = "BatchNorm: batch_stats, train vs eval mode, and a train step that updates the running averages.")
public final class BatchNormExample implements CliCommand {
    @Option(names = "--steps", defaultValue = "100", description = "Training steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--seed", defaultValue = "0", description = "PRNG seed (default: ${DEFAULT-VALUE}).")
    long seed;

    /** The tutorial's MLP. */
    public record MLP() implements LinenModule {
        public Array call(Array x, boolean train) {
            return compact(() -> {
                Array h = new Dense(4).call(x);
                h = BatchNorm.builder().useRunningAverage(!train).momentum(0.9).build().call(h);
                h = Nn.relu(h);
                return new Dense(1).call(h);
            });
        }
    }

    /** The train state's extra field: the BatchNorm statistics. */
    public record Stats(Dict batchStats) {}

    /** A train step's result: the next state and the loss. */
    public record StepOut(TrainState<Stats> state, Array loss) {}

    /** What the run computed. */
    public record Result(Variables initial, Dict statsAfterFirstStep, Array firstBatchDenseMean, double firstLoss, double lastLoss,
                         double evalLoss, Dict finalStats) {}

    @Override
    public Integer call() {
        run(steps, seed, System.out);
        return 0;
    }

    /** {@code y = x0 - 2 x1 + 0.5 x2} on inputs far from zero mean and unit scale, where normalising helps. */
    public static Result run(int steps, long seed, PrintStream out) {
        Array[] k = io.jax4j.examples.train.Trainer.rows(Random.split(Random.key(seed), 3));
        Array x = Random.normal(k[0], 64, 3).mul(4f).add(10f);
        Array y = x.matmul(Array.of(1f, -2f, 0.5f).reshape(3, 1));
        MLP mlp = new MLP();
        Variables v = mlp.init(k[1], () -> mlp.call(Array.ones(1, 3), false));
        out.println("variables: " + v.keySet() + "   batch_stats = " + v.get("batch_stats"));

        var tx = Optim.adam(0.05);
        TrainState<Stats> state = TrainState.create(mlp::apply, v.get("params"), tx, new Stats(v.get("batch_stats")));
        Function3<TrainState<Stats>, Array, Array, StepOut> trainStep = Jax.jit((TrainState<Stats> s, Array xb, Array yb) -> {
            var vg = Jax.valueAndGradWithAux((Dict params) -> {
                Applied<Array> o = s.apply(Variables.of("params", params, "batch_stats", s.extra().batchStats()),
                        () -> mlp.call(xb, true), Apply.mutable("batch_stats"));
                return HasAux.of(o.value().sub(yb).square().mean(), o.updates().get("batch_stats"));
            }).apply(s.params());
            return new StepOut(s.applyGradients(vg.grad()).withExtra(new Stats(vg.aux())), vg.value());
        });
        Dict dense0 = v.get("params").dict("Dense_0");
        Array denseMean = x.matmul((Array) dense0.get("kernel")).add((Array) dense0.get("bias")).mean(0);
        double first = 0, last = 0;
        Dict afterFirst = null;
        for (int i = 0; i < steps; i++) {
            StepOut r = trainStep.apply(state, x, y);
            state = r.state();
            last = r.loss().item();
            if (i == 0) {
                first = last;
                afterFirst = state.extra().batchStats();
                out.println("after step 1: batch_stats mean = 0.9 * 0 + 0.1 * (batch mean of Dense_0) = "
                        + state.extra().batchStats().at("BatchNorm_0", "mean"));
            }
            if ((i + 1) % Math.max(1, steps / 5) == 0) out.printf(java.util.Locale.ROOT, "step %4d  train-mode loss %.4f%n", i + 1, last);
        }
        Variables evalVars = Variables.of("params", state.params(), "batch_stats", state.extra().batchStats());
        double evalLoss = mlp.apply(evalVars, () -> mlp.call(x, false)).value().sub(y).square().mean().item();
        out.printf(java.util.Locale.ROOT, "eval-mode loss (running averages, no batch statistics): %.4f%n", evalLoss);
        return new Result(v, afterFirst, denseMean, first, last, evalLoss, state.extra().batchStats());
    }
}
