/**
 * jax4j, everything a program needs, as one module to require: {@code requires io.jax4j.all;} reads
 * the core ({@code io.jax4j}, lax, numpy, random, pytrees), the transformations ({@code io.jax4j.autodiff.Jax}),
 * Optax ({@code io.jax4j.optim}) and Flax linen with serialization and checkpoints ({@code io.jax4j.linen},
 * {@code io.jax4j.checkpoint}), and brings the cpu and cuda backends ({@code io.jax4j.xla}) into the
 * module graph.
 */
module io.jax4j.all {
    requires transitive io.jax4j.tracer;
    requires transitive io.jax4j.autodiff;
    requires transitive io.jax4j.optim;
    requires transitive io.jax4j.nn;
    requires transitive io.jax4j.xla;
}
