package io.jax4j.xla.cpu;

import io.jax4j.core.Debug;
import io.jax4j.core.Jax4jException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The system C compiler: source to shared library, cached on disk under
 * {@code $JAX4J_CACHE_DIR} (default {@code ~/.cache/jax4j/kernels}) as {@code <sha256>.so}, keyed by
 * the source, the flags and the compiler's version. Libraries are loaded for the life of the JVM.
 */
final class CCompiler {
    /**
     * -fno-math-errno lets libm calls inline/vectorise where IEEE allows; -fno-trapping-math lets a
     * select over a division or conversion become a vector blend (FP exceptions are never enabled);
     * never -ffast-math (rounding, NaN and Inf stay IEEE).
     */
    static final List<String> FLAGS = List.of("-O3", "-march=native", "-fPIC", "-shared", "-fno-math-errno", "-fno-trapping-math", "-fopenmp");

    static final AtomicInteger COMPILES = new AtomicInteger(), CACHE_HITS = new AtomicInteger();
    private static volatile String version;
    private static volatile String probeError;

    private CCompiler() {}

    record Library(SymbolLookup lookup, Path path, boolean cacheHit, long nanos) {}

    /** The compiler's version line, or null (with {@link #probeError()}) when {@code cc} does not run. */
    static synchronized String version() {
        if (version != null || probeError != null) return version;
        try {
            Process p = new ProcessBuilder("cc", "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) probeError = "'cc --version' failed: " + out.strip();
            else version = out.lines().findFirst().orElse("cc");
        } catch (IOException e) {
            probeError = "no C compiler: 'cc' could not be run (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            probeError = "interrupted while probing 'cc'";
        }
        return version;
    }

    static String probeError() { return probeError; }

    static Path cacheDir() {
        String dir = System.getProperty("jax4j.cacheDir", System.getenv("JAX4J_CACHE_DIR"));
        if (dir != null && !dir.isBlank()) return Path.of(dir);
        return Path.of(System.getProperty("user.home"), ".cache", "jax4j", "kernels");
    }

    static String key(String source) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update((source + "\n" + String.join(" ", FLAGS) + "\n" + version()).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Compiles (or finds in the cache) and loads {@code source}; {@code name} is for messages. */
    static Library load(String source, String name) {
        long t0 = System.nanoTime();
        Path dir = cacheDir();
        String key = key(source);
        Path so = dir.resolve(key + ".so");
        boolean hit = Files.isRegularFile(so);
        if (hit) CACHE_HITS.incrementAndGet();
        else compile(source, name, dir, key, so);
        SymbolLookup lookup = SymbolLookup.libraryLookup(so, Arena.global());
        long nanos = System.nanoTime() - t0;
        if (Debug.LEVEL >= 4) {
            System.err.printf("[jax4j] %s: %s %s in %.1f ms%n", name, hit ? "disk cache hit" : "compiled", so, nanos / 1e6);
        }
        return new Library(lookup, so, hit, nanos);
    }

    private static void compile(String source, String name, Path dir, String key, Path so) {
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempDirectory(dir, "build-");
            Path c = tmp.resolve(key + ".c"), out = tmp.resolve(key + ".so");
            Files.writeString(c, source);
            List<String> cmd = new ArrayList<>();
            cmd.add("cc");
            cmd.addAll(FLAGS);
            cmd.addAll(List.of("-o", out.toString(), c.toString(), "-lm"));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            boolean done = p.waitFor(120, TimeUnit.SECONDS);
            check(done && p.exitValue() == 0, name, String.join(" ", cmd), log, source);
            Files.move(out, so, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Files.deleteIfExists(c);
            Files.deleteIfExists(tmp);
            COMPILES.incrementAndGet();
        } catch (IOException e) {
            throw new Jax4jException("cpu backend: could not compile the kernels of " + name + " in " + dir + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Jax4jException("cpu backend: interrupted while compiling " + name);
        }
    }

    /** The one place a native failure becomes an exception: the command, its log and the numbered source. */
    static void check(boolean ok, String name, String command, String log, String source) {
        if (ok) return;
        StringBuilder sb = new StringBuilder("cpu backend: compiling the kernels of " + name + " failed\n$ " + command + "\n" + log + "\n");
        String[] lines = source.split("\n", -1);
        for (int i = 0; i < lines.length; i++) sb.append(String.format("%4d  %s%n", i + 1, lines[i]));
        throw new Jax4jException(sb.toString());
    }
}
