// On the module path: read jax4j, and open the package of your pytree records to jax4j's core,
// which reads and rebuilds them reflectively (as JAX flattens dataclasses).
module demo {
    requires io.jax4j.all;
    opens demo to io.jax4j.tracer;
}
