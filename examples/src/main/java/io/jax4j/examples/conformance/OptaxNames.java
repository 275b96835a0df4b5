package io.jax4j.examples.conformance;

import io.jax4j.optim.GradientTransformation;
import io.jax4j.optim.Optim;
import io.jax4j.optim.Schedule;
import io.jax4j.optim.Schedules;

import java.util.List;
import java.util.Map;

/**
 * The schedule and optimizer names of {@code optax_*.json}, as {@code generate/jax_fixtures.py}
 * defines them (the names are the fixture format; other files hold other parameters, gradients and
 * trajectories under the same names). An unknown name is a {@link Checks.Skip}.
 */
public final class OptaxNames {
    private OptaxNames() {}

    public static Schedule schedule(String name) {
        return switch (name) {
            case "linear_0_0.1_10" -> Schedules.linear(0.0, 0.1, 10);
            case "cosine_0.1_20" -> Schedules.cosineDecay(0.1, 20);
            case "cosine_0.1_20_alpha0.1" -> Schedules.cosineDecay(0.1, 20, 0.1);
            case "seed_warmup_cosine" -> {
                // the tutorial: linear warm-up over 2 epochs, then cosine decay, 5 steps per epoch, 6 epochs, base 0.1
                int spe = 5, warm = 2, epochs = 6;
                double base = 0.1;
                yield Schedules.joinSchedules(List.of(Schedules.linear(0.0, base, warm * spe),
                        Schedules.cosineDecay(base, Math.max(epochs - warm, 1) * spe)), new int[]{warm * spe});
            }
            case "exponential_0.1_5_0.5" -> Schedules.exponentialDecay(0.1, 5, 0.5);
            case "exponential_staircase" -> Schedules.exponentialDecay(0.1, 5, 0.5, true);
            case "warmup_cosine_decay" -> Schedules.warmupCosineDecay(0.0, 0.1, 5, 30, 0.001);
            case "piecewise_constant" -> Schedules.piecewiseConstant(0.1, Map.of(5, 0.5, 10, 0.1));
            default -> throw new Checks.Skip("not implemented: unknown schedule '" + name + "'");
        };
    }

    /** The optimizer a trajectory name stands for; {@code labels} is the file's partition (multi_transform). */
    public static GradientTransformation optimizer(String name, Object labels) {
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
            case "multi_transform_freeze" -> {
                if (labels == null) throw new Checks.Skip("multi_transform_freeze needs the file's labels, which it lacks");
                yield Optim.multiTransform(Map.of("trainable", Optim.adam(5e-3), "frozen", Optim.setToZero()), labels);
            }
            case "adam_schedule" -> Optim.adam(schedule("warmup_cosine_decay"));
            case "lamb_1e-2" -> Optim.lamb(1e-2);
            default -> throw new Checks.Skip("not implemented: unknown optimizer '" + name + "'");
        };
    }
}
