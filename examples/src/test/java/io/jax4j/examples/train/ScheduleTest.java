package io.jax4j.examples.train;

import io.jax4j.Array;
import io.jax4j.optim.Schedule;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code create_learning_rate_fn} against the tutorial's formula and against Optax's values. */
public class ScheduleTest {

    /** The tutorial's schedule in closed form: linear warm-up from 0, then cosine decay to 0 (at least one epoch of it). */
    public static double formula(int step, double base, int warmupEpochs, int epochs, int spe) {
        int warm = warmupEpochs * spe;
        if (step < warm) return base * step / warm;
        int decay = Math.max(epochs - warmupEpochs, 1) * spe;
        double t = Math.min(step - warm, decay) / (double) decay;
        return base * 0.5 * (1 + Math.cos(Math.PI * t));
    }

    @Test
    void matchesTheFormulaAtEveryStep() {
        int[][] cases = {{1, 3, 468}, {1, 3, 7}, {2, 6, 5}, {0, 2, 4}, {3, 3, 4}, {1, 1, 10}};
        for (int[] c : cases) {
            Schedule s = Training.learningRateFn(0.1, c[0], c[1], c[2]);
            int total = c[1] * c[2] + 3;
            double[] v = s.apply(Array.arange(total)).toDoubleArray();
            for (int step = 0; step < total; step++) {
                assertEquals(formula(step, 0.1, c[0], c[1], c[2]), v[step], 2e-8, "warmup " + c[0] + " epochs " + c[1] + " spe " + c[2] + " step " + step);
                assertEquals(v[step], s.at(step), 0.0, "scalar and vector evaluation agree");
            }
        }
    }

    /** Optax 0.2.8's join_schedules([linear(0, 0.1, 10), cosine_decay(0.1, 20)], [10]) (fixtures: optax_public.json "seed_warmup_cosine", spe 5, warm-up 2, 6 epochs). */
    static final double[] OPTAX = {0.0, 0.01000000536441803, 0.019999995827674866, 0.030000001192092896, 0.03999999910593033,
        0.05000000074505806, 0.06000000238418579, 0.07000000029802322, 0.07999999821186066, 0.08999999612569809,
        0.10000000149011612, 0.09938441962003708, 0.0975528284907341, 0.09455032646656036, 0.09045084565877914,
        0.08535534143447876, 0.07938926666975021, 0.07269952446222305, 0.06545084714889526, 0.05782172828912735,
        0.04999999701976776, 0.04217827320098877, 0.03454914689064026, 0.02730047143995762, 0.020610729232430458,
        0.014644661918282509, 0.009549147449433804, 0.00544967083260417, 0.0024471760261803865, 0.0006155818700790405,
        0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};

    @Test
    void matchesOptaxFloat32Values() {
        Schedule s = Training.learningRateFn(0.1, 2, 6, 5);
        double[] v = s.apply(Array.arange(OPTAX.length)).toDoubleArray();
        for (int i = 0; i < OPTAX.length; i++) assertEquals(OPTAX[i], v[i], 1e-8, "step " + i);
    }
}
