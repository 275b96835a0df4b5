/**
 * Flax linen in Java: modules, scopes and variable collections, rng streams, layers, TrainState,
 * traverse utilities, serialization (Flax msgpack, safetensors), checkpoints and pretrained imports.
 */
module io.jax4j.nn {
    requires transitive io.jax4j.tracer;
    requires transitive io.jax4j.autodiff;
    requires transitive io.jax4j.optim;
    exports io.jax4j.linen;
}
