package io.jax4j.xla.cuda;

import io.jax4j.spi.Backend;
import io.jax4j.xla.AbstractBackendContractTest;
import org.junit.jupiter.api.Tag;

/** The cuda backend against the reference backend on every primitive family (on a GPU; skipped, saying so, elsewhere). */
@Tag("gpu")
class CudaBackendContractTest extends AbstractBackendContractTest {
    @Override
    protected Backend backend() { return CudaAvailable.BACKEND; }

    @Override
    protected void assumeAvailable() { CudaAvailable.assume(); }
}
