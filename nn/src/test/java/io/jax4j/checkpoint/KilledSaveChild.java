package io.jax4j.checkpoint;

import io.jax4j.Array;
import io.jax4j.Random;

import java.nio.file.Path;
import java.util.Map;

/**
 * Saves step 1 of a large state, then starts saving step 2 with the writer's test pause before the
 * rename ({@code jax4j.checkpoint.testPauseBeforeRenameMillis}), where the test kills this JVM.
 */
public final class KilledSaveChild {
    private KilledSaveChild() {}

    record Big(Array step, Map<String, Array> weights) {}

    static Big state(int step) {
        return new Big(Array.scalar(step), Map.of("w", Random.normal(Random.key(step), 512, 1024), "b", Random.uniform(Random.key(100 + step), 1024)));
    }

    /** The line the child prints before the rename it waits at, followed by the step's temporary directory. */
    static final String PAUSE_LINE = "jax4j.checkpoint: pausing before the rename of";

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        try (CheckpointManager mgr = Checkpoints.manager(dir)) {
            mgr.save(1, state(1), Map.of("loss", 1.0));
            StepDirectory.beforeRename = tmp -> {   // tell the parent where, then wait to be killed
                System.err.println(PAUSE_LINE + " " + tmp);
                System.err.flush();
                sleep(120_000);
            };
            mgr.save(2, state(2), Map.of("loss", 0.5));
        }
        System.out.println("not killed");
    }
}
