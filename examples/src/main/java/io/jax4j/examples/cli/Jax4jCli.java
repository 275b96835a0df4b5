package io.jax4j.examples.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/**
 * {@code jax4j}: the command line. Subcommands ({@code info}, {@code conformance}, and those other
 * modules provide: {@code train}, {@code bench}, ...) are {@link CliCommand}s found with
 * {@link ServiceLoader}.
 */
@Command(name = "jax4j", mixinStandardHelpOptions = true, version = "jax4j 0.1.0-SNAPSHOT",
        description = "JAX for Java: run checks, jobs and benchmarks.",
        subcommands = CommandLine.HelpCommand.class)
public final class Jax4jCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The command line with every subcommand found on the class path or module path. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Jax4jCli());
        List<CliCommand> found = new ArrayList<>();
        // class path: META-INF/services; module path: the `provides` of every module in the layer
        ServiceLoader.load(CliCommand.class, Jax4jCli.class.getClassLoader()).forEach(found::add);
        found.sort(Comparator.comparing(c -> c.getClass().getName()));
        for (CliCommand c : found) cl.addSubcommand(c);
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
