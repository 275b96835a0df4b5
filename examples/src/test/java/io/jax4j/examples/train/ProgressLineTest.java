package io.jax4j.examples.train;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The progress line in wide and narrow terminals, and an ETA that ignores the compiling first step. */
class ProgressLineTest {
    private static final String METRICS = "loss 0.4312 acc 0.8451";

    @Test
    void wideTerminalsShowEverything() {
        assertEquals("epoch 1/3  42% [████████████████▉                       ] 197/468 loss 0.4312 acc 0.8451 | 11.9 steps/s | ETA 0:23",
                ProgressLine.format("epoch 1/3", 197, 468, METRICS, 11.9, Duration.ofSeconds(23), 120));
    }

    @Test
    void noLineIsWiderThanTheTerminal() {
        for (int width = 20; width <= 200; width++) {
            String line = ProgressLine.format("epoch 1/3", 197, 468, METRICS, 11.9, Duration.ofSeconds(23), width);
            assertTrue(line.length() <= Math.max(width, "epoch 1/3  42% 197/468 loss 0.4312 acc 0.8451".length()), width + ": " + line);
            assertTrue(line.contains("acc 0.8451"), line);
        }
    }

    @Test
    void narrowTerminalsDropTheBarThenTheSpeedThenTheEtaButNeverTheAccuracy() {
        assertEquals("epoch 1/3  42% [█████▉        ] 197/468 loss 0.4312 acc 0.8451 | 11.9 steps/s | ETA 0:23",
                ProgressLine.format("epoch 1/3", 197, 468, METRICS, 11.9, Duration.ofSeconds(23), 88));
        assertEquals("epoch 1/3  42% 197/468 loss 0.4312 acc 0.8451 | 11.9 steps/s | ETA 0:23",
                ProgressLine.format("epoch 1/3", 197, 468, METRICS, 11.9, Duration.ofSeconds(23), 80));
        assertEquals("epoch 1/3  42% 197/468 loss 0.4312 acc 0.8451 | ETA 0:23",
                ProgressLine.format("epoch 1/3", 197, 468, METRICS, 11.9, Duration.ofSeconds(23), 60));
        assertEquals("epoch 1/3  42% 197/468 loss 0.4312 acc 0.8451",
                ProgressLine.format("epoch 1/3", 197, 468, METRICS, 11.9, Duration.ofSeconds(23), 50));
        assertEquals("epoch 1/3  42% 197/468 loss 0.4312 acc 0.8451 | ETA ?",
                ProgressLine.format("epoch 1/3", 197, 468, METRICS, Double.NaN, null, 60));
    }

    @Test
    void theEtaIgnoresTheFirstStepAndWaitsForAFewTimedSteps() {
        long[] now = {0};
        ProgressLine line = new ProgressLine(() -> now[0]);
        line.observe(0);
        now[0] = 12_000_000_000L;   // the first step waited 12 s for compilation
        line.observe(1);
        assertNull(line.eta(467), "no estimate from the compiling step");
        for (int step = 2; step <= 4; step++) {
            now[0] += 85_000_000L;   // then 85 ms a step
            line.observe(step);
        }
        Duration eta = line.eta(464);
        assertTrue(eta != null && Math.abs(eta.toMillis() - 464 * 85) < 50, "ETA " + eta);
        assertEquals(1e9 / 85e6, line.stepsPerSecond(), 1e-6);
    }
}
