/**
 * The cpu backend: generated C compiled by the system compiler ({@code cc}; a large source as one
 * translation unit per core, compiled concurrently) into a shared library loaded with the FFM API
 * and cached on disk, OpenBLAS for {@code dot_general} and convolutions, and an executable that runs
 * a lowered program's steps over buffers planned at compile time. Without a C compiler the backend
 * reports itself unavailable (once, on standard error) and jit uses the reference one.
 * {@code Lapack} provides the linear-algebra factorizations ({@link io.jax4j.spi.NativeLinalg}) from
 * the same OpenBLAS library's LAPACKE entry points.
 *
 * <p>Threads: one pool. The kernels' loops run on OpenMP's team, and OpenBLAS is handed a callback
 * that runs its GEMM jobs on the same team ({@code Blas}), so on two cores no
 * library's idle threads spin against the other's, and no GEMM waits for another pool to wake up.
 * A GEMM with a small result over a long sum (a weight gradient) is split over K between the cores.
 */
package io.jax4j.xla.cpu;
