/**
 * The primitives, by family: one contiguous block per primitive defines its typed params, its shape
 * and dtype rule, its reference implementation, its JVP (or a declared zero JVP), its transpose when it
 * is linear, and its batching rule. {@link io.jax4j.prims.Defs} holds the factories named after JAX's
 * helpers ({@code unop}, {@code binop}, {@code defJvp}, {@code defLinear}, {@code vectorized},
 * {@code broadcasting}); {@link io.jax4j.prims.Primitives} lists the family classes, and a coverage
 * test fails when a primitive lacks a rule. Two families act only through a transformation:
 * {@link io.jax4j.prims.Collectives} ({@code psum}, {@code all_gather}, ...) are applied by the
 * vmap/pmap that binds their axis name (across processes through {@code process_allreduce} and
 * {@code process_allgather}, host ops), and {@link io.jax4j.prims.Decompositions} (the linear-algebra
 * factorizations), {@code random_gamma} and {@code random_gamma_grad} have no kernels: backends run
 * their implementations as host ops. The factorizations' implementation asks a
 * {@link io.jax4j.spi.NativeLinalg} provider first (LAPACK, with the cpu backend), eager calls and
 * host ops alike, the Java reference being the fallback and the oracle; {@code random_gamma_grad}'s
 * mathematics (the regularized incomplete gamma function and its derivative in a) is in
 * {@code IncompleteGamma}, and {@code erf_inv} evaluates XLA's float32 log and log1p
 * ({@link io.jax4j.prims.RandomPrimitives}) so that normal and truncated-normal draws are JAX's bits.
 */
package io.jax4j.prims;
