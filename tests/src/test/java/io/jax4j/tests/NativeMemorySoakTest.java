package io.jax4j.tests;

import io.jax4j.Array;
import io.jax4j.Nn;
import io.jax4j.Np;
import io.jax4j.Random;
import io.jax4j.autodiff.Jax;
import io.jax4j.internal.NativeMemory;
import io.jax4j.linen.Dense;
import io.jax4j.linen.Dict;
import io.jax4j.linen.Module;
import io.jax4j.linen.TrainState;
import io.jax4j.linen.Variables;
import io.jax4j.optim.Losses;
import io.jax4j.optim.Optim;
import io.jax4j.spi.Backend;
import io.jax4j.spi.Backends;
import io.vavr.Function2;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The long-run check (W1's shape of training loop, smaller so that it runs in seconds): after
 * warm-up, many jitted Adam steps on the cpu backend leave native memory where it was, once the
 * garbage states have been cleaned. {@code jax4j bench --soak} runs the full 10,000 W1 steps.
 */
class NativeMemorySoakTest {
    record Mlp() implements Module {
        Array call(Array x) {
            return compact(() -> new Dense(10).call(Nn.relu(new Dense(128).call(Nn.relu(new Dense(128).call(x))))));
        }
    }

    record Batch(Array x, Array y) {}

    @Test
    void nativeMemoryStaysFlatOverManySteps() {
        Backend cpu = Backends.byName("cpu");
        Assumptions.assumeTrue(cpu.isAvailable(), () -> "cpu backend unavailable: " + cpu.unavailableReason());
        Backend before = Backends.current();
        Backends.use("cpu");
        try {
            Mlp model = new Mlp();
            Batch b = new Batch(Random.normal(Random.key(1), 32, 64), Random.randint(Random.key(2), new int[]{32}, 0, 10));
            Variables v = model.init(Random.key(0), () -> model.call(b.x()));
            Function2<TrainState<Void>, Batch, TrainState<Void>> step = Jax.jit((state, batch) -> state.applyGradients(
                    Jax.grad((Dict p) -> Np.mean(Losses.softmaxCrossEntropyWithIntegerLabels(
                            state.apply(Variables.of("params", p), () -> model.call(batch.x())).value(), batch.y()))).apply(state.params())));
            TrainState<Void> s = TrainState.create(model::apply, v.get("params"), Optim.adam(1e-3));
            for (int i = 0; i < 50; i++) s = step.apply(s, b);
            long warm = settled();
            long peak = 0;
            for (int i = 0; i < 1500; i++) {
                s = step.apply(s, b);
                if (i % 100 == 0) peak = Math.max(peak, NativeMemory.liveBytes());
            }
            long end = settled();
            long stateBytes = 3L * 4 * (64 * 128 + 128 + 128 * 128 + 128 + 128 * 10 + 10);  // params, mu, nu
            assertTrue(end - warm <= stateBytes / 4, "native memory grew from " + warm + " to " + end + " bytes over 1500 steps");
            // between collections, garbage states wait for the cleaner; NativeMemory's soft limit (1 GiB) bounds them
            assertTrue(peak < (1L << 30) + (64L << 20), "live native memory peaked at " + peak + " bytes (after warm-up: " + warm + ")");
            assertTrue(Double.isFinite(s.step().toDoubleArray()[0]));
        } finally {
            Backends.use(before.name());
        }
    }

    /** Live native bytes once unreachable arrays have been cleaned (stable over two samples). */
    static long settled() {
        long last = -1;
        for (int i = 0; i < 20; i++) {
            System.gc();
            try {
                Thread.sleep(30);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            long now = NativeMemory.liveBytes();
            if (now == last) return now;
            last = now;
        }
        return last;
    }
}
