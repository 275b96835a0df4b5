/**
 * The {@code jax4j} command line (picocli): {@link io.jax4j.examples.cli.Jax4jCli} and the
 * subcommands {@code info} and {@code conformance}; other modules add theirs as
 * {@link io.jax4j.examples.cli.CliCommand} services.
 */
package io.jax4j.examples.cli;
