package io.jax4j.xla.cpu;

import io.jax4j.Array;
import io.jax4j.Lax;
import io.jax4j.core.ArrayImpl;
import io.jax4j.core.JitFunction;
import io.jax4j.core.ReferenceBackend;
import io.jax4j.ir.Jaxpr;
import io.jax4j.spi.Backends;
import io.jax4j.xla.internal.CDialect;
import io.jax4j.xla.internal.Lowering;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import static io.jax4j.xla.Traced.f32;
import static io.jax4j.xla.Traced.trace;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every pass over a program is iterative: long chains of elementwise equations (one fused
 * expression) jit on a thread with the default stack size. Before, 10,000 equations overflowed the
 * stack in FusionPlanner.collect / KernelBuilder.emitComputed.
 *
 * <p>Measured on 2 shared cores: 100,000 equations trace in ~2.5 s and lower (passes, fusion, kernel
 * IR, C source of 4.7 MB) in ~1-2 s, but the C compiler takes ~6 minutes over that one function; 10,000
 * equations compile in ~8 s. So the 10,000 chain is jitted and run, the 100,000 chain traced,
 * lowered to C and run on the reference backend.
 */
class LongChainTest {
    /** {@code x -> x * 0.5 + 1}, n times (n/2 multiplications, n/2 additions): every element ends at exactly 2. */
    private static Array chain(Array x, int n) {
        for (int i = 0; i < n; i++) x = i % 2 == 0 ? Lax.mulScalar(x, 0.5) : Lax.addScalar(x, 1.0);
        return x;
    }

    private static final float[] IN = {-3, 0, 1, 2, 5, 100, 1e6f, -7.5f};
    private static final float[] TWOS = {2, 2, 2, 2, 2, 2, 2, 2};

    @Test
    void aJitOf10000ElementwiseOpsCompilesAndRunsOnTheCpuBackend() throws Throwable {
        CpuAvailable.assume();
        onDefaultStack(() -> {
            Backends.use("cpu");
            JitFunction f = new JitFunction(a -> chain((Array) a.get(0), 10_000), "chain10000", Set.of());
            Array out = (Array) f.call(List.of(Array.fromFloats(IN, IN.length)));
            assertArrayEquals(TWOS, out.toFloatArray());
            assertEquals(1, f.traceCount());
        });
    }

    @Test
    void aChainOf100000ElementwiseOpsTracesLowersAndRuns() throws Throwable {
        onDefaultStack(() -> {
            Jaxpr j = trace(xs -> List.of(chain(xs.get(0), 100_000)), f32(IN.length));
            assertEquals(100_000, j.eqns().size());
            String source = Lowering.lower(j, null, "chain100000", CDialect.INSTANCE).source();
            assertEquals(1, source.split("\nvoid ", -1).length - 1, "one fused kernel");
            assertTrue(source.contains("const float v100001 = "), "100,000 computations and their constants in it");
            var out = ReferenceBackend.INSTANCE.compile(j, new boolean[1], "chain100000")
                    .execute(List.of(ArrayImpl.ofDoubles(f32(IN.length), toDoubles(IN))));
            assertArrayEquals(TWOS, out.getFirst().toFloatArray());
        });
    }

    private static double[] toDoubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    interface Body {
        void run() throws Throwable;
    }

    /** Runs {@code body} on a new thread with the JVM's default stack size (stackSize 0), rethrowing what it throws. */
    private static void onDefaultStack(Body body) throws Throwable {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(null, () -> {
            try {
                body.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "default-stack", 0);
        t.start();
        t.join();
        if (failure.get() != null) throw failure.get();
    }
}
