package io.jax4j.xla.cuda;

import io.jax4j.core.Jax4jException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one check: native name and message, the call, the context (kernel, program); compile logs with numbered source. */
class CudaErrorsTest {
    static final CudaErrors.Api DRIVER = new CudaErrors.Api("CUDA driver",
            s -> s == 700 ? "CUDA_ERROR_ILLEGAL_ADDRESS" : null,
            s -> s == 700 ? "an illegal memory access was encountered" : null);

    @Test
    void successPasses() { assertDoesNotThrow(() -> CudaErrors.check(0, DRIVER, "cuLaunchKernel", "x")); }

    @Test
    void namesTheStatusTheCallAndTheKernel() {
        var e = assertThrows(Jax4jException.class,
                () -> CudaErrors.check(700, DRIVER, "cuLaunchKernel(grid 4, block 256)", "launching kernel k3 of jit(step)"));
        assertEquals("cuda backend: cuLaunchKernel(grid 4, block 256) failed with CUDA_ERROR_ILLEGAL_ADDRESS (700): "
                + "an illegal memory access was encountered\n  while launching kernel k3 of jit(step)", e.messageWithoutSite());
    }

    @Test
    void unknownStatusStillNamesTheLibraryAndNumber() {
        String m = CudaErrors.message(12345, DRIVER, "cuMemAlloc(64 bytes)", "");
        assertEquals("cuda backend: cuMemAlloc(64 bytes) failed with CUDA driver status (12345)", m);
        // a name function that throws (library half-loaded) does not hide the original failure
        var broken = new CudaErrors.Api("cuBLAS", s -> { throw new IllegalStateException(); }, s -> "x");
        assertTrue(CudaErrors.message(13, broken, "cublasGemmStridedBatchedEx", "dot_general").contains("cuBLAS status (13): x"));
    }

    @Test
    void compileErrorHasTheLogAndNumberedSource() {
        var e = CudaErrors.compileError("NVRTC_ERROR_COMPILATION (6)", "jit(f)", List.of("--gpu-architecture=sm_90"),
                "jit(f).cu(2): error: identifier \"v9\" is undefined\n", "extern \"C\" __global__ void k0() {\n    v9;\n}");
        assertEquals("""
                cuda backend: NVRTC could not compile the kernels of jit(f): NVRTC_ERROR_COMPILATION (6)
                  options: --gpu-architecture=sm_90
                  log:
                    jit(f).cu(2): error: identifier "v9" is undefined
                    1  extern "C" __global__ void k0() {
                    2      v9;
                    3  }
                """, e.messageWithoutSite());
    }
}
