package io.jax4j.xla.cpu;

import org.junit.jupiter.api.Assumptions;

/**
 * Tests that compile C call {@link #assume()}: where no C compiler ({@code cc}) runs they are
 * skipped with the reason, as the cpu backend itself then falls back to the reference interpreter.
 */
public final class CpuAvailable {
    private CpuAvailable() {}

    public static final CpuBackend BACKEND = new CpuBackend();

    public static void assume() {
        Assumptions.assumeTrue(BACKEND.isAvailable(), () -> "cpu backend unavailable, test skipped: " + BACKEND.unavailableReason());
    }
}
