/** Optax in Java: gradient transformations, optimizers, schedules and losses over pytrees. */
module io.jax4j.optim {
    requires transitive io.jax4j.tracer;
    // L-BFGS's line search differentiates the objective it is handed (value_fn)
    requires transitive io.jax4j.autodiff;
    exports io.jax4j.optim;
}
