package io.jax4j.examples.cli;

import io.jax4j.core.CacheDirs;
import io.jax4j.spi.Backend;
import io.jax4j.spi.Backends;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** {@code jax4j info}: the Java runtime, the backends and whether each can run here, the devices, Open MPI, the C compiler, the kernel cache. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Shows the Java runtime, the backends and their availability, the devices, Open MPI, the C compiler and the cache directory.")
public final class InfoCommand implements CliCommand {
    @Override
    public Integer call() {
        System.out.println("jax4j 0.1.0-SNAPSHOT");
        System.out.println("java:      " + Runtime.version() + " (" + System.getProperty("java.vendor") + ", " + System.getProperty("java.home") + ")");
        System.out.println("os:        " + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", "
                + Runtime.getRuntime().availableProcessors() + " processors");
        System.out.println("backends:");
        String current;
        try {
            current = Backends.current().name();
        } catch (RuntimeException e) {
            current = "(none: " + e.getMessage() + ")";
        }
        for (Backend b : Backends.all()) {
            String state = b.isAvailable() ? "available" : "unavailable: " + b.unavailableReason();
            String what = b.describe().equals(b.name()) || !b.isAvailable() ? "" : ": " + b.describe().replaceFirst("^" + b.name() + ": ", "");
            System.out.println("  " + (b.name().equals(current) ? "* " : "  ") + b.name() + " (priority " + b.priority() + ", " + state + ")" + what);
        }
        System.out.println("default:   " + current + " (choose with --backend, -Djax4j.backend or JAX4J_BACKEND)");
        io.jax4j.spi.NativeLinalg linalg = io.jax4j.spi.NativeLinalg.current();
        System.out.println("linalg:    " + (linalg == null ? "the Java reference implementations (no native provider on the path)" : linalg.describe())
                + " for cholesky, lu, qr, eigh, svd, triangular_solve");
        System.out.println("devices:   " + io.jax4j.autodiff.Jax.localDevices() + " (more host devices for pmap: -Djax4j.cpuDevices=N)");
        System.out.println("mpi:       " + mpirunVersion() + " (for train --processes N)");
        System.out.println("compiler:  " + compilerVersion());
        System.out.println("cache dir: " + cacheDir() + " (JAX4J_CACHE_DIR; kernels/ and datasets/ below it)");
        return 0;
    }

    /** The first line of {@code cc --version}, or why it could not run. */
    static String compilerVersion() {
        return versionOf("cc", e -> "none found ('cc' could not be run: " + e.getMessage() + "); the cpu backend needs one");
    }

    /** The first line of {@code mpirun --version}, or what to install. */
    static String mpirunVersion() { return versionOf("mpirun", e -> "no mpirun (install Open MPI: apt-get install openmpi-bin)"); }

    /** The first line {@code tool --version} prints, or why not ({@code missing} when it cannot be started). */
    private static String versionOf(String tool, java.util.function.Function<IOException, String> missing) {
        try {
            Process p = new ProcessBuilder(tool, "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(20, TimeUnit.SECONDS)) return "'" + tool + " --version' did not finish";
            return p.exitValue() == 0 ? out.lines().findFirst().orElse(tool) : "'" + tool + " --version' failed: " + out.strip();
        } catch (IOException e) {
            return missing.apply(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** jax4j's cache root (kernels and data sets below it; see {@link CacheDirs}). */
    static Path cacheDir() { return CacheDirs.root(); }
}
