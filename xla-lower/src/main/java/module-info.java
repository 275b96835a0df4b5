/**
 * The fast path: what XLA is to JAX. Jaxpr passes, fusion planning, kernel IR, a C-style renderer,
 * memory planning and the {@code cpu} backend (generated C compiled by the system compiler, loaded
 * through the FFM API, plus OpenBLAS for {@code dot_general}).
 */
module io.jax4j.xla {
    requires io.jax4j.tracer;
    requires org.bytedeco.javacpp;
    requires org.bytedeco.openblas;
    exports io.jax4j.xla;
    exports io.jax4j.xla.cpu;
    exports io.jax4j.xla.cuda;
    provides io.jax4j.spi.Backend with io.jax4j.xla.cpu.CpuBackend, io.jax4j.xla.cuda.CudaBackend;
    provides io.jax4j.spi.NativeLinalg with io.jax4j.xla.cpu.Lapack;
}
