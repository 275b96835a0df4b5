package io.jax4j.xla.cpu;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Np;
import io.jax4j.autodiff.Jax;
import io.vavr.Function1;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 15: kernel libraries beyond {@code -Djax4j.maxLoadedKernelLibraries} are unloaded (least
 * recently used first) and loaded again when their executable is called: many shapes no longer keep
 * as many libraries mapped, and every executable still computes the same numbers, also from two threads.
 */
class KernelLibraryCapTest {
    private static final int CAP = 4, SHAPES = 20;
    private String before;

    @BeforeEach
    void capAtFour() {
        CpuAvailable.assume();
        before = System.getProperty("jax4j.maxLoadedKernelLibraries");
        System.setProperty("jax4j.maxLoadedKernelLibraries", Integer.toString(CAP));
    }

    @AfterEach
    void restore() {
        if (before == null) System.clearProperty("jax4j.maxLoadedKernelLibraries");
        else System.setProperty("jax4j.maxLoadedKernelLibraries", before);
    }

    private static Array input(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (i - n / 2f) / 7f;
        return Array.of(v);
    }

    @Test
    void librariesBeyondTheCapAreUnloadedAndLoadedAgainOnTheirNextCall() throws Exception {
        Function1<Array, Array> f = Jax.jit(x -> Np.tanh(x.mul(1.5f).add(0.25f)).mul(Np.exp(x.neg())));
        List<float[]> first = new ArrayList<>();
        int unloadsBefore = KernelLibraries.UNLOADS.get();
        for (int n = 1; n <= SHAPES; n++) {   // one executable, one kernel library per shape
            first.add(f.apply(input(n)).toFloatArray());
            assertTrue(KernelLibraries.loadedCount() <= CAP, "loaded " + KernelLibraries.loadedCount() + " > cap " + CAP);
        }
        assertTrue(KernelLibraries.UNLOADS.get() - unloadsBefore >= SHAPES - CAP, "libraries beyond the cap were unloaded");
        assertTrue(mappedKernelLibraries() <= CAP + 4, "mapped kernel libraries: " + mappedKernelLibraries());
        for (int n = SHAPES; n >= 1; n--) {   // the evicted ones load again, transparently
            assertArrayEquals(first.get(n - 1), f.apply(input(n)).toFloatArray(), 0, "shape " + n);
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int round = 0; round < 3; round++) {
                        for (int k = 0; k < SHAPES; k++) {
                            int n = thread == 0 ? k + 1 : SHAPES - k;
                            assertArrayEquals(first.get(n - 1), f.apply(input(n)).toFloatArray(), 0, "thread " + thread + " shape " + n);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> d : done) d.get();
        } finally {
            pool.shutdown();
        }
        assertTrue(KernelLibraries.loadedCount() <= CAP);
        assertEquals(DType.F32, f.apply(input(3)).dtype());
    }

    /** The kernel libraries of the cache directory that this process has mapped (Linux), or 0. */
    private static long mappedKernelLibraries() throws IOException {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.exists(maps)) return 0;
        String dir = CCompiler.cacheDir().toAbsolutePath().toString();
        return Files.readAllLines(maps).stream().filter(l -> l.contains(dir) && l.endsWith(".so"))
                .map(l -> l.substring(l.indexOf('/'))).distinct().count();
    }
}
