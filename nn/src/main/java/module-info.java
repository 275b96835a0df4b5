/**
 * jax4j's neural-network layer: Flax-compatible serialization ({@code io.jax4j.serialization}:
 * Flax msgpack state dicts and safetensors files); modules, layers and training state join here.
 *
 * <p>msgpack-core 0.9.10 ships neither a module descriptor nor an {@code Automatic-Module-Name},
 * so its automatic name is derived from the jar's file name: {@code msgpack.core}.
 */
module io.jax4j.nn {
    requires transitive io.jax4j.tracer;
    requires transitive io.jax4j.autodiff;
    // requires transitive io.jax4j.optim;   -- add once module io.jax4j.optim (branch optim) is merged
    requires msgpack.core;
    requires com.fasterxml.jackson.databind;
    exports io.jax4j.serialization;
}
