package io.jax4j.xla.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * cuBLAS ({@code libcublas.so.13}) through FFM: one handle on the backend's stream, a fixed workspace
 * (so that GEMMs can be captured in graphs), and {@code cublasGemmStridedBatchedEx} for every
 * dot_general. float32 computes in TF32 by default, as JAX does on GPUs; {@link Precision#HIGHEST}
 * asks for true FP32.
 */
final class Cublas {
    static final int OP_N = 0, OP_T = 1, R_32F = 0, R_64F = 1;
    static final int COMPUTE_32F = 68, COMPUTE_32F_FAST_TF32 = 77, COMPUTE_64F = 70, GEMM_DEFAULT = -1;

    /** JAX's matmul precisions that matter for float32 on NVIDIA GPUs. */
    enum Precision {
        DEFAULT, HIGHEST;

        /** {@code default}/{@code tensorfloat32}/{@code bfloat16} (fast) or {@code highest}/{@code float32}, like jax_default_matmul_precision. */
        static Precision parse(String s) {
            if (s == null || s.isBlank()) return DEFAULT;
            return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "highest", "float32", "fp32" -> HIGHEST;
                case "default", "tensorfloat32", "tf32", "high", "bfloat16_3x", "bfloat16" -> DEFAULT;
                default -> throw new IllegalArgumentException("unknown matmul precision '" + s
                        + "': use default (TF32 on the GPU) or highest (true float32)");
            };
        }
    }

    /** The compute type cuBLAS gets for an operand dtype and a precision. */
    static int computeType(boolean f32, Precision p) {
        return !f32 ? COMPUTE_64F : p == Precision.HIGHEST ? COMPUTE_32F : COMPUTE_32F_FAST_TF32;
    }

    private final MethodHandle create, setStream, setWorkspace, gemm, statusName, statusString;
    final CudaErrors.Api api;
    private final MemorySegment handle;
    private final MemorySegment oneF, zeroF, oneD, zeroD;

    Cublas(java.nio.file.Path dir, MemorySegment stream, long workspace, long workspaceBytes) {
        Ffm lib = Ffm.open(dir, "libcublas.so.13", "libcublas.so");
        create = lib.fn("cublasCreate_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        setStream = lib.fn("cublasSetStream_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        setWorkspace = lib.fn("cublasSetWorkspace_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
        gemm = lib.fn("cublasGemmStridedBatchedEx", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG,
                ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT));
        statusName = lib.fn("cublasGetStatusName", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        statusString = lib.fn("cublasGetStatusString", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        api = new CudaErrors.Api("cuBLAS", s -> text(statusName, s), s -> text(statusString, s));
        Arena g = Arena.global();
        MemorySegment h = g.allocate(ADDRESS);
        try {
            CudaErrors.check((int) create.invokeExact(h), api, "cublasCreate", "creating the cuBLAS handle");
            handle = h.get(ADDRESS, 0);
            CudaErrors.check((int) setStream.invokeExact(handle, stream), api, "cublasSetStream", "");
            CudaErrors.check((int) setWorkspace.invokeExact(handle, workspace, workspaceBytes), api, "cublasSetWorkspace", "");
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        oneF = g.allocateFrom(JAVA_FLOAT, 1f);
        zeroF = g.allocateFrom(JAVA_FLOAT, 0f);
        oneD = g.allocateFrom(JAVA_DOUBLE, 1.0);
        zeroD = g.allocateFrom(JAVA_DOUBLE, 0.0);
    }

    private static String text(MethodHandle h, int status) {
        try {
            return Ffm.string((MemorySegment) h.invokeExact(status));
        } catch (Throwable t) {
            return null;
        }
    }

    /**
     * Row-major C[b] = op(A[b])·op(B[b]) as the column-major product C^T = op(B)^T·op(A)^T, which is
     * cuBLAS's gemm with the operands (and their flags, sizes, strides) swapped.
     */
    void gemm(LaunchPlan.GemmCall g, long[] slotAddress, Precision p, String context) {
        boolean f32 = g.f32();
        int type = f32 ? R_32F : R_64F;
        long a = slotAddress[g.a()] + g.offsetA(), b = slotAddress[g.b()] + g.offsetB(), c = slotAddress[g.c()] + g.offsetC();
        // alpha and beta as locals of type MemorySegment: a conditional expression written at a
        // signature-polymorphic call site would be typed Object, and invokeExact would throw
        MemorySegment alpha = f32 ? oneF : oneD, beta = f32 ? zeroF : zeroD;
        try {
            int s = (int) gemm.invokeExact(handle, g.spec().transB() ? OP_T : OP_N, g.spec().transA() ? OP_T : OP_N,
                    g.spec().n(), g.spec().m(), g.spec().k(), alpha,
                    b, type, g.spec().ldb(), g.strideB(), a, type, g.spec().lda(), g.strideA(),
                    beta, c, type, g.ldc(), g.strideC(), (int) g.spec().batch(),
                    computeType(f32, p), GEMM_DEFAULT);
            CudaErrors.check(s, api, "cublasGemmStridedBatchedEx", context);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
