package io.jax4j.examples.cli;

import java.util.concurrent.Callable;

/**
 * A subcommand of {@code jax4j}: a class annotated with picocli's {@code @Command(name = ...)},
 * with a public no-argument constructor, returning the exit code from {@link #call()}. Subcommands
 * are found with {@link java.util.ServiceLoader}: a module adds one by listing its class in
 * {@code META-INF/services/io.jax4j.examples.cli.CliCommand} (and {@code provides} in its
 * module-info), with no change here.
 */
public interface CliCommand extends Callable<Integer> {}
