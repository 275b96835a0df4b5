package io.jax4j.xla.cuda;

import io.jax4j.spi.Backend;
import io.jax4j.spi.Backends;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The backend's identity and availability, on any machine. */
class CudaBackendTest {
    @Test
    void foundByServiceLoaderWithPriority20() {
        Backend b = Backends.all().stream().filter(x -> x.name().equals("cuda")).findFirst().orElseThrow();
        assertEquals(20, b.priority());
        assertTrue(b.priority() > Backends.all().stream().filter(x -> x.name().equals("cpu")).findFirst().orElseThrow().priority());
    }

    @Test
    void availabilityIsExplained() {
        CudaBackend b = new CudaBackend();
        if (b.isAvailable()) {
            assertEquals("", b.unavailableReason());
            assertTrue(b.describe().contains("sm_"), b.describe());
            assertEquals("cuda", Backends.current().name());
        } else {
            // e.g. "no CUDA device: none of libcuda.so.1, libcuda.so could be loaded (...)"
            assertTrue(b.unavailableReason().startsWith("no CUDA device: "), b.unavailableReason());
            assertTrue(b.describe().startsWith("cuda: unavailable (no CUDA device: "), b.describe());
            assertNotEquals("cuda", Backends.current().name());
            var e = org.junit.jupiter.api.Assertions.assertThrows(io.jax4j.core.Jax4jException.class, () -> Backends.byName("cuda"));
            assertTrue(e.getMessage().contains("backend 'cuda' is not available here: no CUDA device"), e.getMessage());
        }
    }
}
