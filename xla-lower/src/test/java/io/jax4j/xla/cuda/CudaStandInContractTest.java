package io.jax4j.xla.cuda;

import io.jax4j.spi.Backend;
import io.jax4j.xla.AbstractBackendContractTest;

/**
 * The cuda backend's host side against the reference backend on every primitive family, with no
 * GPU: the {@link CudaStandIn} driver runs each program's launch plan (bindings, copies, GEMMs on
 * the stand-in's cuBLAS, graphs on a repeat, host ops) with the C build of the same kernels.
 */
class CudaStandInContractTest extends AbstractBackendContractTest {
    @Override
    protected Backend backend() { return CudaStandIn.backend(Cublas.Precision.HIGHEST); }
}
