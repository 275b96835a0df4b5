package io.jax4j.xla.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The verify/write logic shared by the cpu library cache and the cuda cubin cache. */
class KernelCacheTest {
    @TempDir
    Path dir;

    private final byte[] entry = new byte[10_000];

    {
        for (int i = 0; i < entry.length; i++) entry[i] = (byte) (i * 31);
    }

    @Test
    void anEntryIsReadBackOnlyWhileItMatchesItsDigest() throws Exception {
        KernelCache cache = new KernelCache(dir, ".cubin", "nvrtc 13.0", "--gpu-architecture=sm_90");
        assertNull(cache.read("k"), "absent");
        cache.write("k", entry);
        assertArrayEquals(entry, cache.read("k"));
        assertEquals(cache.entry("k"), cache.verifiedPath("k"));
        String digest = Files.readString(dir.resolve("k.cubin.digest"));
        assertTrue(digest.startsWith("size 10000\nsha256 ") && digest.contains("\ncompiler nvrtc 13.0\nflags --gpu-architecture=sm_90\n"), digest);
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count(), "no temporary files are left");
        }

        for (byte[] damaged : new byte[][]{Arrays.copyOf(entry, 5000), Arrays.copyOf(entry, 1000), new byte[0], flipped(entry)}) {
            Files.write(cache.entry("k"), damaged);
            assertNull(cache.read("k"), "damaged entries are not used");
            assertNull(cache.verifiedPath("k"));
            cache.write("k", entry);
            assertArrayEquals(entry, cache.read("k"), "rewritten");
        }
    }

    @Test
    void anEntryOfAnotherCompilerOrWithoutDigestIsNotUsed() throws Exception {
        new KernelCache(dir, ".so", "cc 13", "-O3").write("k", entry);
        assertNull(new KernelCache(dir, ".so", "cc 14", "-O3").read("k"));
        assertNull(new KernelCache(dir, ".so", "cc 13", "-O2").read("k"));
        KernelCache cache = new KernelCache(dir, ".so", "cc 13", "-O3");
        assertArrayEquals(entry, cache.read("k"));
        Files.delete(dir.resolve("k.so.digest"));
        assertNull(cache.read("k"));
    }

    @Test
    void installMovesABuiltFileIntoPlace() throws Exception {
        KernelCache cache = new KernelCache(dir, ".so", "cc", "-O3");
        Path built = Files.createDirectory(dir.resolve("build-1")).resolve("k.so");
        Files.write(built, entry);
        assertEquals(dir.resolve("k.so"), cache.install("k", built));
        assertTrue(Files.notExists(built));
        assertEquals(dir.resolve("k.so"), cache.verifiedPath("k"));
    }

    private static byte[] flipped(byte[] b) {
        byte[] c = b.clone();
        c[c.length / 2] ^= 1;
        return c;
    }
}
