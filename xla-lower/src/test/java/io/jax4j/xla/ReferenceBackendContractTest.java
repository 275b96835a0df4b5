package io.jax4j.xla;

import io.jax4j.core.ReferenceBackend;
import io.jax4j.spi.Backend;

/** The oracle against itself: checks the harness (every case traces, runs and compares). */
class ReferenceBackendContractTest extends AbstractBackendContractTest {
    @Override
    protected Backend backend() { return ReferenceBackend.INSTANCE; }
}
