package io.jax4j.xla.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A directory of compiled kernels (the cpu backend's shared libraries, the cuda backend's cubins),
 * trusted only as far as it can be checked. Each entry {@code <key><suffix>} has a digest file
 * {@code <key><suffix>.digest} beside it, holding the entry's size and SHA-256 and the compiler and
 * flags that built it:
 * <pre>
 * size 16384
 * sha256 9f86d08188...
 * compiler cc (Ubuntu 13.3.0) 13.3.0
 * flags -O3 -march=native ...
 * </pre>
 * Both files are written atomically (a temporary file in the same directory, then a rename), so a
 * reader never sees half an entry. An entry is used only when it matches its digest; a truncated,
 * replaced or digest-less entry is reported once (one line on stderr) and the caller rebuilds it.
 * Readers of a shared library check it here before it is loaded: a damaged library must never
 * reach {@code dlopen}, where it kills the JVM.
 */
public final class KernelCache {
    private static final System.Logger LOG = System.getLogger("io.jax4j.xla");

    private static final Set<Path> REPORTED = ConcurrentHashMap.newKeySet();

    private final Path dir;
    private final String suffix;
    private final String compiler;
    private final String flags;

    /** Entries {@code dir/<key><suffix>}, built by {@code compiler} (its version) with {@code flags}. */
    public KernelCache(Path dir, String suffix, String compiler, String flags) {
        this.dir = dir;
        this.suffix = suffix;
        this.compiler = oneLine(compiler);
        this.flags = oneLine(flags);
    }

    public Path dir() { return dir; }

    /** Where the entry of {@code key} lives (whether or not it exists). */
    public Path entry(String key) { return dir.resolve(key + suffix); }

    Path digestFile(String key) { return dir.resolve(key + suffix + ".digest"); }

    /**
     * The entry's path when it is present and matches its digest; null when it is absent or damaged
     * (then the caller rebuilds it with {@link #install} or {@link #write}).
     */
    public Path verifiedPath(String key) {
        return read(key) == null ? null : entry(key);
    }

    /** The entry's bytes when it is present and matches its digest; null when it is absent or damaged. */
    public byte[] read(String key) {
        Path file = entry(key);
        if (!Files.exists(file)) return null;
        try {
            byte[] bytes = Files.readAllBytes(file);
            String problem = mismatch(key, bytes);
            if (problem == null) return bytes;
            report(file, problem);
        } catch (NoSuchFileException gone) {
            return null;
        } catch (IOException e) {
            report(file, "it cannot be read (" + e.getMessage() + ")");
        }
        return null;
    }

    /** Stores {@code bytes} as the entry of {@code key}, atomically, with its digest. */
    public void write(String key, byte[] bytes) {
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, key, suffix + ".tmp");
            try {
                Files.write(tmp, bytes);
                commit(key, tmp, bytes);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("kernel cache " + dir + ": could not write " + entry(key).getFileName() + ": " + e.getMessage(), e);
        }
    }

    /** Moves the freshly built file {@code built} (in {@link #dir()}) into place as the entry of {@code key}, with its digest. */
    public Path install(String key, Path built) {
        try {
            commit(key, built, Files.readAllBytes(built));
            return entry(key);
        } catch (IOException e) {
            throw new UncheckedIOException("kernel cache " + dir + ": could not install " + entry(key).getFileName() + ": " + e.getMessage(), e);
        }
    }

    /** The entry first, then its digest: a reader that sees the new entry with the old digest rebuilds, never loads a wrong file. */
    private void commit(String key, Path file, byte[] bytes) throws IOException {
        moveAtomically(file, entry(key));
        Path tmp = Files.createTempFile(dir, key, ".digest.tmp");
        try {
            Files.writeString(tmp, digest(bytes));
            moveAtomically(tmp, digestFile(key));
        } finally {
            Files.deleteIfExists(tmp);
        }
        REPORTED.remove(entry(key));
    }

    private static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system of " + to.getParent() + " cannot rename atomically; set JAX4J_CACHE_DIR to a local directory", e);
        }
    }

    /** What is wrong with {@code bytes} as the entry of {@code key}, or null when they match its digest. */
    String mismatch(String key, byte[] bytes) throws IOException {
        Path df = digestFile(key);
        if (!Files.exists(df)) return NO_DIGEST;
        String expected = Files.readString(df, StandardCharsets.UTF_8);
        if (expected.equals(digest(bytes))) return null;
        String size = field(expected, "size");
        if (!Long.toString(bytes.length).equals(size)) return "it is " + bytes.length + " bytes, its digest says " + size;
        if (!compiler.equals(field(expected, "compiler")) || !flags.equals(field(expected, "flags"))) {
            return "its digest names another compiler or flags";
        }
        return "its SHA-256 differs from its digest's";
    }

    String digest(byte[] bytes) {
        return "size " + bytes.length + "\nsha256 " + sha256(bytes) + "\ncompiler " + compiler + "\nflags " + flags + "\n";
    }

    private static String field(String digest, String name) {
        for (String line : digest.split("\n")) if (line.startsWith(name + " ")) return line.substring(name.length() + 1);
        return null;
    }

    private static final String NO_DIGEST = "it has no digest";

    /**
     * One log record ({@code System.Logger} "io.jax4j.xla") per damaged entry and JVM: the entry is rebuilt, so this is a note, not an
     * error. Entries without a digest (all of them, after an upgrade from a jax4j that wrote none)
     * get one line per directory.
     */
    private void report(Path file, String problem) {
        if (problem.equals(NO_DIGEST)) {
            if (REPORTED.add(dir.resolve("*" + suffix))) {
                LOG.log(System.Logger.Level.INFO, "kernel cache: " + dir + " holds " + suffix + " entries without a digest (written by an "
                        + "older jax4j, or interrupted), first " + file.getFileName() + "; they are rebuilt as they are used");
            }
        } else if (REPORTED.add(file)) {
            LOG.log(System.Logger.Level.WARNING, "kernel cache: " + file + " is damaged: " + problem + "; rebuilding it");
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String oneLine(String s) { return s == null ? "?" : s.replace('\n', ' ').replace('\r', ' ').strip(); }
}
