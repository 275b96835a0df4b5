package io.jax4j.tests;

import io.jax4j.Array;
import io.jax4j.Nn;
import io.jax4j.Np;
import io.jax4j.Random;
import io.jax4j.autodiff.Jax;
import io.jax4j.internal.NativeMemory;
import io.jax4j.linen.Dense;
import io.jax4j.linen.Dict;
import io.jax4j.linen.LinenModule;
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
 * warm-up, thousands of jitted Adam steps on the cpu backend, the train state not donated (each step
 * allocates a new one and drops the old), leave native memory where it was once the garbage states
 * have been cleaned, and the memory held between collections stays under the soft limit, which
 * follows the small live set (not the 1 GiB it once waited for). {@code jax4j bench --soak} and
 * {@code --soak-no-donate} run the full 10,000 W1 steps.
 */
class NativeMemorySoakTest {
    record Mlp() implements LinenModule {
        Array call(Array x) {
            return compact(() -> new Dense(10).call(Nn.relu(new Dense(512).call(Nn.relu(new Dense(256).call(x))))));
        }
    }

    record Batch(Array x, Array y) {}

    @Test
    void nativeMemoryStaysBoundedWithoutDonation() {
        Backend cpu = Backends.byName("cpu");
        Assumptions.assumeTrue(cpu.isAvailable(), () -> "cpu backend unavailable: " + cpu.unavailableReason());
        Backend before = Backends.current();
        Backends.use("cpu");
        try {
            Mlp model = new Mlp();
            Batch b = new Batch(Random.normal(Random.key(1), 16, 64), Random.randint(Random.key(2), new int[]{16}, 0, 10));
            Variables v = model.init(Random.key(0), () -> model.call(b.x()));
            Function2<TrainState<Void>, Batch, TrainState<Void>> step = Jax.jit((state, batch) -> state.applyGradients(
                    Jax.grad((Dict p) -> Np.mean(Losses.softmaxCrossEntropyWithIntegerLabels(
                            state.apply(Variables.of("params", p), () -> model.call(batch.x())).value(), batch.y()))).apply(state.params())));
            TrainState<Void> s = TrainState.create(model::apply, v.get("params"), Optim.adam(1e-3));
            for (int i = 0; i < 50; i++) s = step.apply(s, b);
            long warm = settled();
            // params, mu, nu: 0.55 MB; the weights of 256 x 512 (0.5 MiB) and more are pooled when freed
            long stateBytes = 3L * 4 * (64 * 256 + 256 + 256 * 512 + 512 + 512 * 10 + 10);
            int steps = 3000;
            long over = Long.MIN_VALUE, reclaimed = NativeMemory.reclamations();
            for (int i = 0; i < steps; i++) {
                s = step.apply(s, b);
                over = Math.max(over, NativeMemory.liveBytes() + NativeMemory.pooledBytes() - NativeMemory.softLimit());
            }
            reclaimed = NativeMemory.reclamations() - reclaimed;
            long end = settled();
            assertTrue(end - warm <= stateBytes / 4, "native memory grew from " + warm + " to " + end + " bytes over " + steps + " steps");
            // between collections, garbage states wait for the collector, under a soft limit that follows the live set
            assertTrue(over <= stateBytes, "live + pooled native memory passed the soft limit by " + over + " bytes");
            assertTrue(NativeMemory.softLimit() <= 512L << 20, "the soft limit follows the live set: " + NativeMemory.softLimit());
            long allocated = steps * stateBytes;
            assertTrue(reclaimed <= Math.max(2, 2 * allocated / (NativeMemory.softLimit() / 2)),
                    "no storm of collections: " + reclaimed + " for " + allocated + " bytes allocated");
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
