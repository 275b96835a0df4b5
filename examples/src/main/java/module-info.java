/**
 * jax4j's command line ({@code jax4j info}, {@code jax4j conformance}, {@code jax4j train},
 * {@code jax4j example NAME}, and subcommands other modules provide as
 * {@link io.jax4j.examples.cli.CliCommand} services), the conformance runner, the main job and the
 * tutorial's techniques as examples.
 */
module io.jax4j.examples {
    requires io.jax4j.autodiff;
    requires info.picocli;
    requires io.jax4j.optim;
    requires com.fasterxml.jackson.databind;
    requires io.jax4j.nn;
    requires me.tongfei.progressbar;
    requires org.knowm.xchart;
    requires java.desktop;
    exports io.jax4j.examples.cli;
    exports io.jax4j.examples.conformance;
    exports io.jax4j.examples.data;
    exports io.jax4j.examples.train;
    exports io.jax4j.examples.techniques;
    opens io.jax4j.examples.cli to info.picocli;
    opens io.jax4j.examples.train to info.picocli;
    opens io.jax4j.examples.techniques to info.picocli;
    uses io.jax4j.examples.cli.CliCommand;
    provides io.jax4j.examples.cli.CliCommand with io.jax4j.examples.cli.InfoCommand, io.jax4j.examples.cli.ConformanceCommand,
            io.jax4j.examples.train.TrainCommand, io.jax4j.examples.techniques.ExampleCommand;
}
