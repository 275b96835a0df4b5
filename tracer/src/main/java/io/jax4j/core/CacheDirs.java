package io.jax4j.core;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where jax4j keeps what it can rebuild: one root, {@code -Djax4j.cacheDir} or {@code $JAX4J_CACHE_DIR}
 * (default {@code ~/.cache/jax4j}), with the compiled kernels in {@code kernels/} (C libraries and
 * CUDA cubins, each with its digest) and downloaded data sets in {@code datasets/}. Deleting it is
 * always safe: everything in it is rebuilt or fetched again when needed.
 */
public final class CacheDirs {
    private CacheDirs() {}

    /** The root: {@code -Djax4j.cacheDir}, else {@code $JAX4J_CACHE_DIR}, else {@code ~/.cache/jax4j}. */
    public static Path root() { return root(System.getenv()); }

    /** The root as {@link #root()} resolves it, with {@code env} for the environment. */
    public static Path root(Map<String, String> env) {
        String dir = System.getProperty("jax4j.cacheDir");
        if (dir == null || dir.isBlank()) dir = env.get("JAX4J_CACHE_DIR");
        if (dir != null && !dir.isBlank()) return Path.of(dir);
        return Path.of(System.getProperty("user.home"), ".cache", "jax4j");
    }

    /** Compiled kernels: {@code <root>/kernels}. */
    public static Path kernels() { return root().resolve("kernels"); }

    /** Downloaded data sets: {@code <root>/datasets}. */
    public static Path datasets(Map<String, String> env) { return root(env).resolve("datasets"); }
}
