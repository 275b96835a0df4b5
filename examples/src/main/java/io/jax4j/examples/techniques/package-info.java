/**
 * The Flax tutorial's techniques as small programs, each runnable as {@code jax4j example NAME}
 * and each with a {@code docs/} page showing the Flax code and the jax4j code side by side:
 * {@code batch-norm}, {@code dropout}, {@code lr-schedule}, {@code transfer-learning},
 * {@code checkpoints}. Each has a static {@code run(...)} that returns what it computed, which its
 * test checks.
 */
package io.jax4j.examples.techniques;
