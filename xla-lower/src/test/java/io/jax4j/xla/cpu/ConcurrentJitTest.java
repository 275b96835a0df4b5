package io.jax4j.xla.cpu;

import io.jax4j.Array;
import io.jax4j.Np;
import io.jax4j.autodiff.Jax;
import io.jax4j.xla.Traced;
import io.vavr.Function2;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 15, concurrency: one jitted function called from several threads at once (its first calls
 * racing to compile and cache the executable, then calls with inputs of two shapes interleaved) gives
 * results bitwise equal to the same calls made on one thread. The manual probe behind the issue ran
 * 464,513 such calls; this test runs a few thousand in seconds.
 */
class ConcurrentJitTest {
    @BeforeEach
    void needsCompiler() { CpuAvailable.assume(); }

    private static final int THREADS = 4, CALLS_PER_THREAD = 400, INPUTS = 8;

    @Test
    void threadsCallingOneJittedFunctionGetTheSingleThreadedResultsBitForBit() throws Exception {
        // a dense layer with a reduction: a GEMM through OpenBLAS, a fused elementwise kernel and a sum
        Function2<Array, Array, Array> layer = (x, w) -> Np.sum(Np.tanh(Np.add(Np.matmul(x, w), Array.weak(0.5f))), 1);
        Random rnd = new Random(15);
        List<Array[]> inputs = new ArrayList<>();
        for (int i = 0; i < INPUTS; i++) {
            int rows = i % 2 == 0 ? 16 : 33;                        // two shapes: two cached executables
            inputs.add(new Array[]{Traced.random(Traced.f32(rows, 64), rnd, false), Traced.random(Traced.f32(64, 24), rnd, false)});
        }
        Function2<Array, Array, Array> oneThread = Jax.jit(layer);
        List<float[]> expected = new ArrayList<>();
        for (Array[] in : inputs) expected.add(oneThread.apply(in[0], in[1]).toFloatArray());

        Function2<Array, Array, Array> shared = Jax.jit(layer);    // fresh: the threads race to compile it
        CountDownLatch start = new CountDownLatch(1);
        AtomicLong calls = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int c = 0; c < CALLS_PER_THREAD; c++) {
                        int i = (c * 7 + thread * 3) % INPUTS;
                        float[] got = shared.apply(inputs.get(i)[0], inputs.get(i)[1]).toFloatArray();
                        if (!Arrays.equals(expected.get(i), got)) {
                            assertArrayEquals(expected.get(i), got, "thread " + thread + ", call " + c + ", input " + i);
                        }
                        calls.incrementAndGet();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) f.get();
        } finally {
            pool.shutdownNow();
        }
        assertTrue(calls.get() == (long) THREADS * CALLS_PER_THREAD, calls + " calls completed");
    }
}
