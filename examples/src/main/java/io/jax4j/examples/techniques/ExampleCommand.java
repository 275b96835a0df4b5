package io.jax4j.examples.techniques;

import io.jax4j.examples.cli.CliCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code jax4j example NAME}: one small program per technique of the Flax tutorial. */
@Command(name = "example", mixinStandardHelpOptions = true,
        description = "Runs one of the tutorial's techniques as a small program (see docs/).",
        subcommands = {BatchNormExample.class, DropoutExample.class, LrScheduleExample.class,
                TransferLearningExample.class, CheckpointsExample.class})
public final class ExampleCommand implements CliCommand {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }
}
