/**
 * Flax linen in Java: modules, scopes and variable collections, rng streams, layers, TrainState,
 * traverse utilities, serialization (Flax msgpack, safetensors), checkpoints and pretrained imports.
 */
module io.jax4j.nn {
    requires transitive io.jax4j.tracer;
    requires transitive io.jax4j.autodiff;
    requires transitive io.jax4j.optim;
    // msgpack-core 0.9.10 has no module-info and no Automatic-Module-Name: its name comes from the jar
    requires msgpack.core;
    requires com.fasterxml.jackson.databind;
    exports io.jax4j.linen;
    exports io.jax4j.serialization;
    exports io.jax4j.pretrained;
    exports io.jax4j.checkpoint;
}
