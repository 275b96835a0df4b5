/**
 * The device-independent lowering: {@link io.jax4j.xla.internal.FusionPlanner} cuts a jaxpr into a
 * {@link io.jax4j.xla.internal.KernelPlan} (fused loops, GEMMs, host ops, aliases);
 * {@link io.jax4j.xla.internal.KernelBuilder} turns each fused loop into
 * {@link io.jax4j.xla.internal.KernelIR}, with movement ops as index arithmetic
 * ({@link io.jax4j.xla.internal.Ix}); {@link io.jax4j.xla.internal.MemoryPlan} places every buffer
 * (liveness-shared scratch, donation); {@link io.jax4j.xla.internal.CStyleRenderer} prints the
 * kernels through a {@link io.jax4j.xla.internal.Dialect} (in C, gathered loads that read contiguous
 * runs, {@link io.jax4j.xla.internal.Runs}, compute their index once per run);
 * {@link io.jax4j.xla.internal.ConvSpec} picks how a
 * convolution becomes a GEMM (im2col, transposed columns, or GEMM then gather) and writes its gather
 * kernels. Nothing here touches a device.
 */
package io.jax4j.xla.internal;
