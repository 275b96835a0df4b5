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
    requires io.jax4j.nn;
    requires com.fasterxml.jackson.databind;
    requires me.tongfei.progressbar;
    requires org.knowm.xchart;
    requires java.desktop;
    requires jdk.unsupported;   // sun.misc.Signal: Ctrl-C stops training before the JVM shuts down
    exports io.jax4j.examples.cli;
    exports io.jax4j.examples.conformance;
    exports io.jax4j.examples.conformance.models;
    exports io.jax4j.examples.data;
    exports io.jax4j.examples.train;
    exports io.jax4j.examples.techniques;
    // the models' records are pytrees (TrainState extras, step outputs) that Tree reads reflectively
    opens io.jax4j.examples.conformance.models;
    opens io.jax4j.examples.cli to info.picocli;
    // picocli sets the options, Tree reads the records (train state extras, step outputs) reflectively
    opens io.jax4j.examples.train;
    opens io.jax4j.examples.techniques;
    uses io.jax4j.examples.cli.CliCommand;
    provides io.jax4j.examples.cli.CliCommand with io.jax4j.examples.cli.InfoCommand, io.jax4j.examples.cli.ConformanceCommand,
            io.jax4j.examples.train.TrainCommand, io.jax4j.examples.techniques.ExampleCommand;
}
