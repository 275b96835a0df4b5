/**
 * jax4j's command line ({@code jax4j info}, {@code jax4j conformance}, and subcommands other modules
 * provide as {@link io.jax4j.examples.cli.CliCommand} services) and the conformance runner.
 */
module io.jax4j.examples {
    requires io.jax4j.autodiff;
    requires info.picocli;
    requires io.jax4j.optim;
    requires com.fasterxml.jackson.databind;
    exports io.jax4j.examples.cli;
    exports io.jax4j.examples.conformance;
    opens io.jax4j.examples.cli to info.picocli;
    uses io.jax4j.examples.cli.CliCommand;
    provides io.jax4j.examples.cli.CliCommand with io.jax4j.examples.cli.InfoCommand, io.jax4j.examples.cli.ConformanceCommand;
}
