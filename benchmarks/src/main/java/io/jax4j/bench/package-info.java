/**
 * {@code jax4j bench}: the workloads W1–W7 of the design (MLP, CNN and BatchNorm/Dropout train steps,
 * a fused value-and-grad, matrix products, dispatch, first-call latency), each timed against a
 * reference measured in the same run — the step's GEMMs alone in OpenBLAS, a hand-written fused C
 * loop, a direct {@code cblas_sgemm} — so that figures are ratios, robust to a noisy machine. Prints a
 * table (median and best of several repeats) and, with {@code --json}, the figures as JSON; the JMH
 * benchmarks cover the dispatch path and single kernels.
 */
package io.jax4j.bench;
