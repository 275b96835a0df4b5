package io.jax4j.xla.cpu;

import io.jax4j.Lax;
import io.jax4j.core.ArrayImpl;
import io.jax4j.ir.Jaxpr;
import io.jax4j.xla.internal.CDialect;
import io.jax4j.xla.internal.Lowering;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;

import static io.jax4j.xla.Traced.f32;
import static io.jax4j.xla.Traced.trace;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A damaged kernel cache entry is rebuilt, never loaded: before the fix a truncated library killed
 * the JVM (SIGBUS in ld-linux), an empty one gave "Cannot open library" and another valid library
 * "No value present". Each case damages a library that this JVM has not loaded (a second cache
 * directory), as a later run would find it.
 */
class DamagedKernelCacheTest {
    @TempDir
    Path built;
    @TempDir
    Path damaged;
    private final double salt = 1 + new Random().nextInt(1_000_000);  // fresh sources, whatever the caches hold

    @BeforeEach
    void needsCompiler() { CpuAvailable.assume(); }

    @Test
    void truncatedToHalf() throws Exception { rebuildsAfter(0, so -> Arrays.copyOf(so, so.length / 2)); }

    @Test
    void truncatedTo1000Bytes() throws Exception { rebuildsAfter(1, so -> Arrays.copyOf(so, 1000)); }

    @Test
    void truncatedTo4096Bytes() throws Exception { rebuildsAfter(2, so -> Arrays.copyOf(so, 4096)); }

    @Test
    void emptied() throws Exception { rebuildsAfter(3, so -> new byte[0]); }

    @Test
    void replacedByAnotherValidLibrary() throws Exception {
        byte[] other = Files.readAllBytes(compileIn(built, jaxpr(4.5)));
        rebuildsAfter(5, so -> other);
    }

    @Test
    void withoutItsDigest() throws Exception {
        Path so = compileIn(built, jaxpr(6));
        Files.createDirectories(damaged.resolve("kernels"));
        Files.copy(so, damaged.resolve("kernels").resolve(so.getFileName()));
        int compiles = CCompiler.COMPILES.get();
        String err = logOf(() -> checkNumbers(6, damaged));
        assertEquals(compiles + 1, CCompiler.COMPILES.get(), "an entry without a digest is rebuilt");
        assertTrue(err.contains("entries without a digest"), err);
    }

    /** Builds case {@code c}'s library, puts {@code damage} of it (with its digest) in a fresh cache, and runs from there. */
    private void rebuildsAfter(int c, UnaryOperator<byte[]> damage) throws Exception {
        Path so = compileIn(built, jaxpr(c));
        Path digest = so.resolveSibling(so.getFileName() + ".digest");
        assertTrue(Files.isRegularFile(digest), "a digest is written beside each library");
        byte[] good = Files.readAllBytes(so);
        Files.createDirectories(damaged.resolve("kernels"));
        Files.write(damaged.resolve("kernels").resolve(so.getFileName()), damage.apply(good));
        Files.copy(digest, damaged.resolve("kernels").resolve(digest.getFileName()));

        int compiles = CCompiler.COMPILES.get();
        String err = logOf(() -> checkNumbers(c, damaged));
        assertEquals(compiles + 1, CCompiler.COMPILES.get(), "the damaged entry is rebuilt");
        assertEquals(1, err.lines().filter(l -> l.contains("kernel cache") && l.contains("is damaged") && l.contains("rebuilding")).count(), err);
        assertArrayEquals(Files.readAllBytes(digest), Files.readAllBytes(damaged.resolve("kernels").resolve(digest.getFileName())), "the rebuilt entry has a fresh digest");

        int hits = CCompiler.CACHE_HITS.get();
        String again = logOf(() -> checkNumbers(c, damaged));
        assertEquals(hits + 1, CCompiler.CACHE_HITS.get(), "the rebuilt entry is a cache hit");
        assertEquals("", again, "said once");
    }

    private Jaxpr jaxpr(double c) {
        double k = salt + c;
        return trace(xs -> List.of(Lax.mul(Lax.exp(xs.get(0)), Lax.scalarLike(xs.get(0), k))), f32(5));
    }

    /** Compiles (or finds) case {@code c} in {@code dir}; returns the library's path. */
    private Path compileIn(Path dir, Jaxpr j) {
        withCacheDir(dir, () -> CpuAvailable.BACKEND.compile(j, new boolean[1], "damaged"));
        Path so = dir.resolve("kernels").resolve(CCompiler.key(Lowering.lower(j, null, "damaged", CDialect.INSTANCE).source()) + ".so");
        assertTrue(Files.isRegularFile(so));
        return so;
    }

    private void checkNumbers(int c, Path dir) {
        withCacheDir(dir, () -> {
            ArrayImpl x = ArrayImpl.ofDoubles(f32(5), new double[]{0, 1, 2, 3, -1});
            float[] got = CpuAvailable.BACKEND.compile(jaxpr(c), new boolean[1], "damaged").execute(List.of(x)).getFirst().toFloatArray();
            for (int i = 0; i < 5; i++) {
                double want = (float) Math.exp(x.getDouble(i)) * (float) (salt + c);
                assertEquals(want, got[i], 1e-6 * Math.abs(want));
            }
        });
    }

    private static void withCacheDir(Path dir, Runnable r) {
        String old = System.getProperty("jax4j.cacheDir");
        System.setProperty("jax4j.cacheDir", dir.toString());
        try {
            r.run();
        } finally {
            if (old == null) System.clearProperty("jax4j.cacheDir");
            else System.setProperty("jax4j.cacheDir", old);
        }
    }

    /** The messages logged to "io.jax4j.xla" (System.Logger, JUL by default) while {@code r} runs. */
    private static String logOf(Runnable r) {
        java.util.logging.Logger log = java.util.logging.Logger.getLogger("io.jax4j.xla");
        StringBuilder sb = new StringBuilder();
        java.util.logging.Handler h = new java.util.logging.Handler() {
            @Override public void publish(java.util.logging.LogRecord rec) { sb.append(rec.getMessage()).append('\n'); }
            @Override public void flush() {}
            @Override public void close() {}
        };
        log.addHandler(h);
        try {
            r.run();
        } finally {
            log.removeHandler(h);
        }
        return sb.toString();
    }
}
