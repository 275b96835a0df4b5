package io.jax4j.spi;

import io.jax4j.Device;
import io.jax4j.core.ArrayImpl;
import io.jax4j.ir.Jaxpr;

/**
 * A lowering service: turns a jaxpr into an executable for one kind of device. Implementations are
 * found with {@link java.util.ServiceLoader}; the reference backend (a jaxpr interpreter) is always
 * present and is the oracle every other backend is tested against.
 */
public interface Backend {
    /** A short name: {@code reference}, {@code cpu}, {@code cuda}. */
    String name();

    /** Higher wins when no backend is requested explicitly. */
    int priority();

    /** Whether this machine can run it (a compiler, a device); why not is in {@link #unavailableReason()}. */
    boolean isAvailable();

    default String unavailableReason() { return ""; }

    /** Compiles a jaxpr with no constvars; {@code donated[i]} marks inputs the caller gives up. */
    Executable compile(Jaxpr jaxpr, boolean[] donated, String name);

    /** The device whose memory this backend's outputs live in: the host for {@code reference} and {@code cpu}. */
    default Device device() { return Device.CPU; }

    /**
     * {@code x} in this backend's device memory (JAX's {@code device_put}): {@code x} itself on a host
     * backend or when it is there already.
     */
    default ArrayImpl put(ArrayImpl x) { return x; }

    /** One line for {@code jax4j info}. */
    default String describe() { return name(); }
}
