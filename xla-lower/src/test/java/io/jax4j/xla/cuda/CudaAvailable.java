package io.jax4j.xla.cuda;

import org.junit.jupiter.api.Assumptions;

/**
 * GPU tests (tagged {@code gpu}) call {@link #assume()}: without a usable CUDA device they are
 * skipped, saying why ("no CUDA device: ..."), and counted as skipped.
 */
public final class CudaAvailable {
    private CudaAvailable() {}

    /** True FP32 products, so that results compare with the reference backend at float32 tolerances. */
    public static final CudaBackend BACKEND = CudaBackend.withMatmulPrecision("highest");

    public static void assume() {
        Assumptions.assumeTrue(BACKEND.isAvailable(), () -> "GPU test skipped: " + BACKEND.unavailableReason());
    }
}
