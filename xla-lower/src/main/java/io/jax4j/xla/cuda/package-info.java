/**
 * The {@code cuda} backend (priority 20, chosen automatically when an NVIDIA GPU is present): the
 * shared lowering rendered in the CUDA dialect and compiled by NVRTC, {@code dot_general} on cuBLAS,
 * device buffers from a caching allocator, and a jitted step with fixed shapes captured once into a
 * CUDA graph and replayed. Every native library (the driver {@code libcuda}, {@code libnvrtc},
 * {@code libcublas}) is called through the FFM API ({@code java.lang.foreign}), loaded by name from
 * the library path: see {@link io.jax4j.xla.cuda.CudaBackend} for why not the JavaCPP preset.
 */
package io.jax4j.xla.cuda;
