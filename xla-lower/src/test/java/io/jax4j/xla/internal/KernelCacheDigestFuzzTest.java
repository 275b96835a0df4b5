package io.jax4j.xla.internal;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Issue 15, fuzzing the kernel cache's trust decision: for any digest file and any entry bytes,
 * {@link KernelCache#read} either returns the entry (only when the digest file is exactly the one
 * jax4j writes for those bytes with this compiler and flags) or returns null so that the caller
 * rebuilds it; it never throws and never trusts a digest that does not match. An input is the digest
 * file's text, a 0 byte, then the entry's bytes. Seeds in {@code KernelCacheDigestFuzzTestInputs/digest/}:
 * a real digest and entry, and the same with one field changed.
 */
class KernelCacheDigestFuzzTest {
    private static final Path DIR;
    private static final KernelCache CACHE;

    static {
        try {
            DIR = Files.createTempDirectory("jax4j-digest-fuzz");
            CACHE = new KernelCache(DIR, ".so", "cc (Debian 14.2.0-19) 14.2.0", "-O3 -march=native -fPIC -shared");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (var files = Files.list(DIR)) {
                    for (Path p : files.toList()) Files.deleteIfExists(p);
                    Files.deleteIfExists(DIR);
                } catch (IOException ignored) {
                    // a temporary directory
                }
            }));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "15s")
    void digest(byte[] input) throws IOException {
        int zero = 0;
        while (zero < input.length && input[zero] != 0) zero++;
        byte[] digest = Arrays.copyOfRange(input, 0, zero);
        byte[] entry = zero < input.length ? Arrays.copyOfRange(input, zero + 1, input.length) : new byte[0];
        Files.write(CACHE.entry("k"), entry);
        Files.write(CACHE.digestFile("k"), digest);
        byte[] read = CACHE.read("k");
        boolean exact = new String(digest, java.nio.charset.StandardCharsets.UTF_8).equals(CACHE.digest(entry))
                && Arrays.equals(digest, CACHE.digest(entry).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        if (exact) assertArrayEquals(entry, read, "an entry that matches its digest is used");
        else assertNull(read, "an entry whose digest does not match is never used");
        if (exact) assertArrayEquals(entry, Files.readAllBytes(CACHE.verifiedPath("k")));
        else assertNull(CACHE.verifiedPath("k"));
    }
}
