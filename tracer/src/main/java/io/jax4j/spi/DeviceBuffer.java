package io.jax4j.spi;

import io.jax4j.Device;

import java.lang.foreign.MemorySegment;

/**
 * An array's data in a device's memory (a backend's allocation), held by
 * {@link io.jax4j.core.ArrayImpl}: the array is read on the host by one {@link #copyToHost} (which
 * waits for the queued work that writes the buffer), and the buffer goes back to its allocator by
 * {@link #free}, when the array is closed, donated away or unreachable.
 */
public interface DeviceBuffer {
    Device device();

    long bytes();

    /** Copies the buffer into {@code dst} ({@link #bytes()} long) once the queued work that writes it has run. */
    void copyToHost(MemorySegment dst);

    /** Waits for the queued work that writes this buffer; an asynchronous failure surfaces here. */
    void blockUntilReady();

    /** Returns the memory to its allocator. Idempotent; called from a cleaner thread too, so it must not block on the device. */
    void free();
}
