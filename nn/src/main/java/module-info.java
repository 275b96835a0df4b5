/**
 * Flax linen in Java: modules, scopes and variable collections, rng streams, layers, TrainState,
 * traverse utilities, serialization (Flax msgpack, safetensors), checkpoints and pretrained imports.
 */
module io.jax4j.nn {
    requires transitive io.jax4j.tracer;
    requires transitive io.jax4j.autodiff;
    requires transitive io.jax4j.optim;
    // msgpack-core is shaded into this module (see nn/pom.xml); its buffers use sun.misc.Unsafe
    requires jdk.unsupported;
    requires com.fasterxml.jackson.databind;
    exports io.jax4j.linen;
    exports io.jax4j.serialization;
    exports io.jax4j.pretrained;
    exports io.jax4j.checkpoint;
}
