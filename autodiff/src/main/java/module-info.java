/**
 * jax4j's transformations of JAX: jvp, linearize (JVP plus partial evaluation), transpose, vjp, grad,
 * valueAndGrad with hasAux, jacfwd/jacrev/hessian; the public facade {@link io.jax4j.autodiff.Jax};
 * and several processes as one run ({@link io.jax4j.distributed.Distributed}, MPI through FFM).
 */
module io.jax4j.autodiff {
    requires transitive io.jax4j.tracer;
    exports io.jax4j.autodiff;
    exports io.jax4j.distributed;
    provides io.jax4j.spi.ControlFlowProvider with io.jax4j.autodiff.LaxControlFlow;
}
