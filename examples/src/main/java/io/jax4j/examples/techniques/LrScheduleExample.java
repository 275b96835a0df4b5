package io.jax4j.examples.techniques;

import io.jax4j.Array;
import io.jax4j.examples.cli.CliCommand;
import io.jax4j.examples.train.Training;
import io.jax4j.optim.Schedule;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.Locale;

/**
 * {@code jax4j example lr-schedule}: the tutorial's {@code create_learning_rate_fn}, a linear
 * warm-up from 0 to the base rate over the warm-up epochs joined to a cosine decay to 0 over the
 * remaining epochs ({@code optax.join_schedules}), as {@code optax.sgd(schedule, momentum)} uses
 * it: the optimizer evaluates it at its own step count, inside the jitted step.
 */
@Command(name = "lr-schedule", mixinStandardHelpOptions = true,
        description = "The warm-up + cosine learning-rate schedule (create_learning_rate_fn): a table and a text plot.")
public final class LrScheduleExample implements CliCommand {
    @Option(names = "--lr", defaultValue = "0.1", description = "Base learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--warmup-epochs", defaultValue = "1", description = "Warm-up epochs (default: ${DEFAULT-VALUE}).")
    int warmupEpochs;

    @Option(names = "--epochs", defaultValue = "3", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--steps-per-epoch", defaultValue = "468", description = "Steps per epoch (default: ${DEFAULT-VALUE}, Fashion-MNIST at batch 128).")
    int stepsPerEpoch;

    @Override
    public Integer call() {
        run(lr, warmupEpochs, epochs, stepsPerEpoch, System.out);
        return 0;
    }

    /** The schedule's value at every step {@code 0 .. epochs * stepsPerEpoch}, printed as a table and a text plot. */
    public static double[] run(double lr, int warmupEpochs, int epochs, int stepsPerEpoch, PrintStream out) {
        Schedule s = Training.learningRateFn(lr, warmupEpochs, epochs, stepsPerEpoch);
        int total = epochs * stepsPerEpoch;
        double[] v = s.apply(Array.arange(total + 1)).toDoubleArray();
        out.printf(Locale.ROOT, "create_learning_rate_fn(base=%s, warmup_epochs=%d, num_epochs=%d, steps_per_epoch=%d)%n",
                lr, warmupEpochs, epochs, stepsPerEpoch);
        out.println("  step   epoch     lr");
        int rows = 12;
        for (int r = 0; r <= rows; r++) {
            int step = (int) Math.round((double) r * total / rows);
            int bar = (int) Math.round(40 * v[step] / lr);
            out.printf(Locale.ROOT, "%6d  %6.2f  %.5f  %s%n", step, step / (double) stepsPerEpoch, v[step], "#".repeat(Math.max(0, bar)));
        }
        return v;
    }
}
