package io.jax4j.prims;

import io.jax4j.DType;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** random_gamma's plain-Java float32 draws are bit for bit Random's split, uniform and normal for scalar shapes. */
class GammaDrawsTest {
    @Test
    void float32DrawsEqualTheArrayPath() {
        var fast = new RandomPrimitives.Float32Draws();
        var slow = new RandomPrimitives.ArrayDraws(DType.F32);
        SplittableRandom rng = new SplittableRandom(5);
        for (int t = 0; t < 200; t++) {
            long k0 = rng.nextLong() & 0xFFFFFFFFL, k1 = rng.nextLong() & 0xFFFFFFFFL;
            assertArrayEquals(slow.split(k0, k1, 3), fast.split(k0, k1, 3), "split");
            assertEquals(slow.uniform(k0, k1), fast.uniform(k0, k1), 0, "uniform");
            assertEquals(slow.normal(k0, k1), fast.normal(k0, k1), 0, "normal");
        }
    }

    @Test
    void gammaSamplesAreTheSameThroughEitherPath() {
        SplittableRandom rng = new SplittableRandom(6);
        for (int t = 0; t < 40; t++) {
            long k0 = rng.nextLong() & 0xFFFFFFFFL, k1 = rng.nextLong() & 0xFFFFFFFFL;
            double alpha = (float) (0.05 + 5 * rng.nextDouble());
            for (boolean log : new boolean[]{false, true}) {
                assertEquals(RandomPrimitives.gammaOne(new RandomPrimitives.ArrayDraws(DType.F32), k0, k1, alpha, log, DType.F32),
                        RandomPrimitives.gammaOne(new RandomPrimitives.Float32Draws(), k0, k1, alpha, log, DType.F32), 0,
                        "alpha " + alpha + (log ? " (log space)" : ""));
            }
        }
    }
}
