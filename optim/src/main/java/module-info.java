/** Optax in Java: gradient transformations, optimizers, schedules and losses over pytrees. */
module io.jax4j.optim {
    requires transitive io.jax4j.tracer;
    exports io.jax4j.optim;
}
