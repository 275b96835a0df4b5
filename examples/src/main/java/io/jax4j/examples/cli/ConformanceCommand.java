package io.jax4j.examples.cli;

import io.jax4j.examples.conformance.ConformanceRunner;
import io.jax4j.examples.conformance.Report;
import io.jax4j.examples.conformance.RunOptions;
import io.jax4j.spi.Backends;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;

/** {@code jax4j conformance FILE... [--backend NAME] [--jit]}: runs fixture files; exit code 1 when a check failed. */
@Command(name = "conformance", mixinStandardHelpOptions = true,
        header = "Checks jax4j against golden fixture files of the real JAX stack.",
        description = "Checks jax4j against golden fixture files (ops_*, prng_*, optax_*, flax_*, clip_* JSON; a directory means "
                + "its fixture files). Prints PASS/FAIL/SKIP file:case:field per check and 'N passed, M failed, K skipped'; exits 1 "
                + "on any failure, and when nothing was checked (an empty file, a file of another schema, a directory without fixtures).")
public final class ConformanceCommand implements CliCommand {
    @Parameters(arity = "1..*", paramLabel = "FILE", description = "fixture files or directories")
    List<Path> files;

    @Option(names = "--backend", paramLabel = "NAME", description = "run every check through jit on this backend (see 'jax4j info')")
    String backend;

    @Option(names = "--jit", description = "run every check through jit on the default backend (eager evaluation otherwise)")
    boolean jit;

    @Override
    public Integer call() {
        if (backend != null) {
            try {
                Backends.use(backend);
            } catch (io.jax4j.core.Jax4jException e) {
                System.err.println("jax4j conformance: --backend " + backend + ": " + e.getMessage());
                return 2;
            }
        }
        RunOptions options = backend != null || jit ? RunOptions.JIT : RunOptions.EAGER;
        Report report = new ConformanceRunner(options).run(files, System.out);
        return report.failed() ? 1 : 0;
    }
}
