/**
 * The {@code cuda} backend (priority 20, chosen automatically when an NVIDIA GPU is present): the
 * shared lowering rendered in the CUDA dialect and compiled by NVRTC, {@code dot_general} and the
 * convolutions' products on cuBLAS, device buffers from a caching allocator, and a jitted step whose
 * buffers repeat captured once into a CUDA graph and replayed. Every native library (the driver
 * {@code libcuda}, {@code libnvrtc}, {@code libcublas}) is called through the FFM API
 * ({@code java.lang.foreign}), loaded by name from the library path: see
 * {@link io.jax4j.xla.cuda.CudaBackend} for why not the JavaCPP preset.
 *
 * <p>The story of a call: {@link io.jax4j.xla.cuda.LaunchPlan} says, with no device, where each buffer
 * of a lowered program is bound (the arrays' own device buffers, or the executable's arena for
 * intermediates and small staged inputs and outputs) and which commands run (copies in, kernel
 * launches, GEMMs, fills, host ops, copies out). {@link io.jax4j.xla.cuda.CudaExecutable} binds the
 * call's arrays (uploading a host array once, keeping the upload with it), passes every kernel the
 * slot table by value, queues the body (or replays its graph) and returns arrays whose data stays on
 * the device ({@link io.jax4j.xla.cuda.CudaBuffer}) until the host reads them. Errors name the call,
 * the native status and what was running ({@link io.jax4j.xla.cuda.CudaErrors}); an asynchronous
 * failure names the last program queued.
 *
 * <p>Without a GPU the tests drive all of it against a stand-in for the three libraries (test
 * resources, {@code cuda_standin.c}) whose kernels are the C build of the same kernel IR.
 */
package io.jax4j.xla.cuda;
