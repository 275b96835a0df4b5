package io.jax4j.xla.internal;

import io.jax4j.DType;

/**
 * The knobs in which C-like targets differ; everything else is {@link CStyleRenderer}'s. A CUDA
 * dialect overrides the signature ({@code extern "C" __global__}), the loop (grid-stride over the
 * thread index) and the half-precision intrinsics.
 */
public interface Dialect {
    /** Includes and helpers at the top of a translation unit. */
    String prelude();

    /** The element type of a dtype. */
    String type(DType d);

    /** A libm function for the dtype: {@code expf} for f32, {@code exp} for f64. */
    String math(String fn, DType d);

    /** The function header of a kernel, taking the executable's slot table. */
    String signature(String kernelName);

    /** The pointer qualifier for a parameter that no other parameter aliases. */
    String restrict();

    /** A line before an outer loop doing {@code work} element operations (an OpenMP pragma), or "". */
    String parallelFor(long work);

    /** A line before a flat loop doing {@code work} element operations: split across cores when large, and vectorised. */
    default String parallelForSimd(long work) { return parallelFor(work); }

    /** A line before an innermost loop whose iterations are independent (vectorise it), or "". */
    default String simd() { return ""; }

    /**
     * A line before the inner loop of a sum (which may then be reassociated and vectorised); when
     * {@code work} is large (the sum is the kernel's only loop) it also splits the loop across cores.
     */
    String parallelSum(long work, String acc);
}
