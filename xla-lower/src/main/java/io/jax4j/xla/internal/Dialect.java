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

    /** Declarations after the prelude for an executable whose slot table has {@code slotCount} entries ("" in C). */
    default String slotTable(int slotCount) { return ""; }

    /** The function header of a kernel, taking the executable's slot table. */
    String signature(String kernelName);

    /**
     * The bits of {@code x} (of type {@code from}) read as type {@code to} of the same width: C's
     * compound-literal union, which NVRTC rejects ("type definition is not allowed"), by default.
     */
    default String bitcast(String x, String from, String to) {
        return "((union { " + from + " a; " + to + " b; }){ .a = " + x + " }).b";
    }

    /** The pointer qualifier for a parameter that no other parameter aliases. */
    String restrict();

    /** A line before an outer loop doing {@code work} element operations (an OpenMP pragma), or "". */
    String parallelFor(long work);

    /** A line before a flat loop doing {@code work} element operations: split across cores when large, and vectorised. */
    default String parallelForSimd(long work) { return parallelFor(work); }

    /** A line before an innermost loop whose iterations are independent (vectorise it), or "". */
    default String simd() { return ""; }

    /**
     * Whether the target renders a reduction kernel's extra outputs: elementwise values stored from
     * inside its loop and epilogue values after it ({@link FusionPlanner}'s rules 4b and 4c).
     */
    default boolean reductionOutputs() { return false; }

    /**
     * A line before the inner loop of a sum (which may then be reassociated and vectorised); when
     * {@code work} is large (the sum is the kernel's only loop) it also splits the loop across cores.
     */
    String parallelSum(long work, String acc);

    /**
     * Renders the kernel's loop nest (body and stores included) into {@code sb} with the renderer's
     * helpers, or returns false to get {@link CStyleRenderer}'s sequential C loops. The CUDA dialect
     * uses it for grid-stride loops and block reductions.
     */
    default boolean renderLoops(StringBuilder sb, KernelIR.Kernel k, CStyleRenderer r) { return false; }

    /**
     * The header of a loop over {@code n} independent iterations of {@code var} in a dedicated
     * kernel ({@link NativeKernels}): sequential in C (after {@link #parallelFor}), grid-stride on a GPU.
     */
    default String independentLoop(String var, long n) {
        return "for (long " + var + " = 0; " + var + " < " + n + "L; " + var + "++) {";
    }

    /** {@code target += value}, where other iterations of an {@link #independentLoop} may add to the same target. */
    default String sharedAdd(String target, String value) { return target + " += " + value + ";"; }

    /** Whether select_and_scatter_add's kernel zeroes its output itself (else the backend fills it with zeros before the launch). */
    default boolean zeroesScatterOutput() { return true; }

    /** Whether a pooling kernel may keep a vector of per-channel accumulators (registers and cache on a CPU; too large for a GPU thread). */
    default boolean channelAccumulators() { return true; }

    /** Whether convolutions may take {@link ConvSpec}'s direct kernels (register blocks for AVX-512 hosts; else im2col and GEMMs). */
    default boolean directConvolutions() { return ConvSpec.DIRECT_KERNELS; }
}
