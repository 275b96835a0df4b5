/**
 * jax4j's core: arrays, dtypes, pytrees, primitives with all their rules, traces (eager, staging,
 * vmap), the jaxpr IR, the jit front end and the reference backend.
 */
module io.jax4j.tracer {
    requires transitive io.vavr;
    exports io.jax4j;
    exports io.jax4j.core;
    exports io.jax4j.ir;
    exports io.jax4j.prims;
    exports io.jax4j.tree;
    exports io.jax4j.spi;
    exports io.jax4j.internal to io.jax4j.xla;
    uses io.jax4j.spi.Backend;
    uses io.jax4j.spi.ControlFlowProvider;
    uses io.jax4j.spi.NativeLinalg;
}
