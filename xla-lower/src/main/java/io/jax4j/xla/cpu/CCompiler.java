package io.jax4j.xla.cpu;

import io.jax4j.core.Debug;
import io.jax4j.core.Jax4jException;
import io.jax4j.xla.internal.KernelCache;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The system C compiler: source to shared library, cached on disk under
 * {@code $JAX4J_CACHE_DIR/kernels} (default {@code ~/.cache/jax4j/kernels}) as {@code <sha256>.so}, keyed by
 * the source, the flags and the compiler's version, each with a digest checked before it is loaded
 * ({@link KernelCache}). Libraries are loaded for the life of the JVM.
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

    static Path cacheDir() { return io.jax4j.core.CacheDirs.kernels(); }

    static String key(String source) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update((source + "\n" + String.join(" ", FLAGS) + "\n" + version()).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The cache of libraries built by this compiler with {@link #FLAGS}: entries are verified against their digests before loading. */
    static KernelCache cache(Path dir) { return new KernelCache(dir, ".so", version(), String.join(" ", FLAGS)); }

    /** Compiles (or finds in the cache) and loads {@code source} for the life of the process; {@code name} is for messages. */
    static Library load(String source, String name) { return load(source, name, Arena.global()); }

    /** Compiles (or finds in the cache) and loads {@code source} into {@code arena}: closing it unloads the library. */
    static Library load(String source, String name, Arena arena) {
        long t0 = System.nanoTime();
        Path dir = cacheDir();
        String key = key(source);
        KernelCache cache = cache(dir);
        Path so = cache.verifiedPath(key);  // a damaged library never reaches dlopen (it would kill the JVM)
        boolean hit = so != null;
        if (hit) CACHE_HITS.incrementAndGet();
        else so = compile(source, name, cache, key);
        SymbolLookup lookup = SymbolLookup.libraryLookup(so, arena);
        long nanos = System.nanoTime() - t0;
        if (Debug.LEVEL >= 4) {
            System.err.printf("[jax4j] %s: %s %s in %.1f ms%n", name, hit ? "disk cache hit" : "compiled", so, nanos / 1e6);
        }
        return new Library(lookup, so, hit, nanos);
    }

    /**
     * Compiles into the cache: a large source is split at kernel boundaries into one translation unit
     * per core (each with the shared prelude), compiled concurrently to objects, then linked; a small
     * one is compiled in one step. The first call of a train step waits for this (W7).
     */
    private static Path compile(String source, String name, KernelCache cache, String key) {
        Path dir = cache.dir();
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempDirectory(dir, "build-");
            Path out = tmp.resolve(key + ".so");
            List<String> parts = split(source, Math.min(MAX_PARTS, Runtime.getRuntime().availableProcessors()));
            if (parts.size() == 1) {
                Path c = tmp.resolve(key + ".c");
                Files.writeString(c, source);
                List<String> cmd = new ArrayList<>(List.of("cc"));
                cmd.addAll(FLAGS);
                cmd.addAll(List.of("-o", out.toString(), c.toString(), "-lm"));
                run(cmd, name, source);
            } else {
                List<Process> running = new ArrayList<>();
                List<List<String>> cmds = new ArrayList<>();
                List<String> objects = new ArrayList<>();
                for (int i = 0; i < parts.size(); i++) {
                    Path c = tmp.resolve(key + "-" + i + ".c"), o = tmp.resolve(key + "-" + i + ".o");
                    Files.writeString(c, parts.get(i));
                    List<String> cmd = new ArrayList<>(List.of("cc", "-c"));
                    cmd.addAll(FLAGS.stream().filter(f -> !f.equals("-shared")).toList());
                    cmd.addAll(List.of("-o", o.toString(), c.toString()));
                    cmds.add(cmd);
                    objects.add(o.toString());
                    running.add(new ProcessBuilder(cmd).redirectErrorStream(true).start());
                }
                for (int i = 0; i < running.size(); i++) finish(running.get(i), cmds.get(i), name, parts.get(i));
                List<String> link = new ArrayList<>(List.of("cc", "-shared", "-fopenmp", "-o", out.toString()));
                link.addAll(objects);
                link.add("-lm");
                run(link, name, source);
            }
            Path so = cache.install(key, out);
            try (var files = Files.list(tmp)) {
                for (Path f : (Iterable<Path>) files::iterator) Files.deleteIfExists(f);
            }
            Files.deleteIfExists(tmp);
            COMPILES.incrementAndGet();
            return so;
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new Jax4jException("cpu backend: could not compile the kernels of " + name + " in " + dir + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Jax4jException("cpu backend: interrupted while compiling " + name);
        }
    }

    static final int MAX_PARTS = 4;
    /** Below this many lines a source compiles in one step (a second compiler process costs more than it saves). */
    static final int SPLIT_MIN_LINES = 400;

    /**
     * {@code source} as up to {@code n} translation units of about equal length, cut before top-level
     * {@code void} functions (the kernels); everything before the first kernel (includes, static
     * inline helpers) is repeated in each.
     */
    static List<String> split(String source, int n) {
        String[] lines = source.split("\n", -1);
        List<Integer> starts = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) if (lines[i].startsWith("void ")) starts.add(i);
        if (n < 2 || starts.size() < 2 || lines.length < SPLIT_MIN_LINES) return List.of(source);
        String prelude = String.join("\n", java.util.Arrays.copyOfRange(lines, 0, starts.getFirst())) + "\n";
        int body = lines.length - starts.getFirst();
        List<String> parts = new ArrayList<>();
        int from = starts.getFirst();
        for (int s = 1; s <= starts.size(); s++) {
            int to = s < starts.size() ? starts.get(s) : lines.length;
            boolean last = s == starts.size();
            if (last || (to - starts.getFirst()) >= (long) body * (parts.size() + 1) / n) {
                parts.add(prelude + String.join("\n", java.util.Arrays.copyOfRange(lines, from, to)) + "\n");
                from = to;
            }
        }
        return parts;
    }

    private static void run(List<String> cmd, String name, String source) throws IOException, InterruptedException {
        finish(new ProcessBuilder(cmd).redirectErrorStream(true).start(), cmd, name, source);
    }

    private static void finish(Process p, List<String> cmd, String name, String source) throws IOException, InterruptedException {
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean done = p.waitFor(120, TimeUnit.SECONDS);
        check(done && p.exitValue() == 0, name, String.join(" ", cmd), log, source);
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
