package io.jax4j.xla.internal;

import io.jax4j.DType;

/**
 * C99 for the system compiler: {@code restrict} pointers, loops the auto-vectoriser understands,
 * OpenMP pragmas for loops big enough to share across cores, and libm for transcendental functions
 * (their NaN/Inf behaviour is IEEE's; the build uses {@code -fno-math-errno}, never fast-math).
 */
public final class CDialect implements Dialect {
    /** Loops with fewer element operations than this run on one thread (a fork costs ~2 µs). */
    public static final long PARALLEL_WORK = 1L << 16;

    public static final CDialect INSTANCE = new CDialect();

    private CDialect() {}

    @Override
    public String prelude() {
        return "#include <math.h>\n#include <stdint.h>\n";
    }

    @Override
    public String type(DType d) {
        return switch (d) {
            case F32 -> "float";
            case F64 -> "double";
            case I32 -> "int32_t";
            case U32 -> "uint32_t";
            case BOOL -> "uint8_t";
            case F16, BF16 -> throw new IllegalArgumentException("no C type for " + d + " (runs as a host op)");
        };
    }

    @Override
    public String math(String fn, DType d) { return d == DType.F32 ? fn + "f" : fn; }

    @Override
    public String signature(String kernelName) { return "void " + kernelName + "(void* const* slots)"; }

    @Override
    public String restrict() { return "restrict "; }

    @Override
    public String parallelFor(long work) {
        return work >= PARALLEL_WORK ? "#pragma omp parallel for schedule(static)" : "";
    }

    @Override
    public String parallelSum(long work, String acc) {
        return work >= PARALLEL_WORK ? "#pragma omp parallel for simd schedule(static) reduction(+:" + acc + ")"
                : "#pragma omp simd reduction(+:" + acc + ")";
    }
}
