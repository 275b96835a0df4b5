package io.jax4j.examples.conformance;

/**
 * The checks of one kind of fixture file, recognised by its name's prefix ({@code ops_},
 * {@code prng_}, {@code optax_}, {@code flax_}, {@code clip_}). A suite reports one
 * {@link CheckResult} per check; a case it has no implementation for is a SKIP with the reason,
 * never a silent pass. To add a kind: write one class implementing this interface and put it in
 * {@link ConformanceRunner#SUITES}.
 */
public interface CheckSuite {
    /** The file-name prefix of the files this suite reads. */
    String prefix();

    /** Runs every check of one file. Exceptions thrown by a check are the suite's to report as FAIL. */
    void run(FixtureFile file, RunOptions options, Report report);
}
