package io.jax4j.examples.techniques;

import io.jax4j.Array;
import io.jax4j.Random;
import io.jax4j.examples.cli.CliCommand;
import io.jax4j.examples.train.Trainer;
import io.jax4j.linen.Apply;
import io.jax4j.linen.Dense;
import io.jax4j.linen.Dropout;
import io.jax4j.linen.LinenModule;
import io.jax4j.linen.Variables;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.Locale;

/**
 * {@code jax4j example dropout}: the tutorial's {@code MyModel} ({@code Dense} then
 * {@code Dropout(0.5)}). The keys are split as the tutorial splits them ({@code main, params,
 * dropout}); in training the dropout key is folded with the step ({@code fold_in(dropout_key,
 * step)}), so every step drops a different, reproducible set of units; evaluation is
 * deterministic and drops nothing; kept units are scaled by {@code 1 / (1 - rate)}.
 */
@Command(name = "dropout", mixinStandardHelpOptions = true,
        description = "Dropout: the 'dropout' rng stream, fold_in(key, step), train vs deterministic eval.")
public final class DropoutExample implements CliCommand {
    @Option(names = "--neurons", defaultValue = "256", description = "Width of the Dense layer (default: ${DEFAULT-VALUE}).")
    int neurons;

    @Option(names = "--rate", defaultValue = "0.5", description = "Dropout rate (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--seed", defaultValue = "0", description = "PRNG seed (default: ${DEFAULT-VALUE}).")
    long seed;

    /** The tutorial's model. */
    public record MyModel(int numNeurons, double rate) implements LinenModule {
        public Array call(Array x, boolean training) {
            return compact(() -> new Dropout(rate, !training).call(new Dense(numNeurons).call(x)));
        }
    }

    /** Outputs in eval mode, in train mode at steps 0 and 1, and at step 0 again. */
    public record Result(Array eval, Array step0, Array step1, Array step0Again, double droppedFraction0, double droppedFraction1) {}

    @Override
    public Integer call() {
        run(neurons, rate, seed, System.out);
        return 0;
    }

    public static Result run(int neurons, double rate, long seed, PrintStream out) {
        Array[] keys = Trainer.rows(Random.split(Random.key(seed), 3));
        Array paramsKey = keys[1], dropoutKey = keys[2];
        MyModel m = new MyModel(neurons, rate);
        Array x = Random.uniform(keys[0], 4, 16).add(0.5f);
        Variables v = m.init(paramsKey, () -> m.call(x, false));
        Array eval = m.apply(v, () -> m.call(x, false)).value();
        Array[] train = new Array[3];
        int[] steps = {0, 1, 0};
        for (int i = 0; i < 3; i++) {
            Array key = Random.foldIn(dropoutKey, steps[i]);
            train[i] = m.apply(v, () -> m.call(x, true), Apply.rngs("dropout", key)).value();
        }
        double f0 = droppedFraction(eval, train[0]), f1 = droppedFraction(eval, train[1]);
        out.printf(Locale.ROOT, "eval (deterministic): no unit dropped; first values %s%n", head(eval));
        out.printf(Locale.ROOT, "train step 0: %.1f%% dropped, kept units scaled by 1/(1-%.2f) = %.2f; first values %s%n",
                100 * f0, rate, 1 / (1 - rate), head(train[0]));
        out.printf(Locale.ROOT, "train step 1: %.1f%% dropped, another mask (fold_in(dropout_key, 1)); first values %s%n", 100 * f1, head(train[1]));
        out.println("train step 0 again: the same mask as before (same key): " + java.util.Arrays.equals(train[0].toFloatArray(), train[2].toFloatArray()));
        return new Result(eval, train[0], train[1], train[2], f0, f1);
    }

    static double droppedFraction(Array eval, Array train) {
        float[] e = eval.toFloatArray(), t = train.toFloatArray();
        int dropped = 0;
        for (int i = 0; i < e.length; i++) if (t[i] == 0 && e[i] != 0) dropped++;
        return dropped / (double) e.length;
    }

    private static String head(Array a) {
        float[] f = a.toFloatArray();
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < Math.min(5, f.length); i++) sb.append(i > 0 ? ", " : "").append(String.format(Locale.ROOT, "%.3f", f[i]));
        return sb.append(", ...]").toString();
    }
}
