package io.jax4j.xla.cpu;

import io.jax4j.spi.Backend;
import io.jax4j.xla.AbstractBackendContractTest;

/** The cpu backend (generated C + OpenBLAS) against the reference backend on every primitive family. */
class CpuBackendContractTest extends AbstractBackendContractTest {
    @Override
    protected Backend backend() { return CpuAvailable.BACKEND; }

    @Override
    protected void assumeAvailable() { CpuAvailable.assume(); }
}
