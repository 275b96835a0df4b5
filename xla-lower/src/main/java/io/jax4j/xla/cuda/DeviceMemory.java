package io.jax4j.xla.cuda;

/** Raw device memory (the driver's cuMemAlloc/cuMemFree; a fake in tests). */
public interface DeviceMemory {
    /** A device address of at least {@code bytes}; throws when the device is out of memory. */
    long alloc(long bytes);

    void free(long ptr);
}
