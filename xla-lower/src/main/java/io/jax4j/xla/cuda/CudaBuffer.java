package io.jax4j.xla.cuda;

import io.jax4j.Device;
import io.jax4j.spi.DeviceBuffer;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An array's data in the GPU's memory: a block of the device's caching allocator. Reading it on the
 * host queues a copy after the work that writes it (one stream orders both) and waits for it; freeing
 * it only returns the block to the allocator's free list, so a cleaner thread may do it, and the
 * block's next user is queued after every earlier reader.
 */
final class CudaBuffer implements DeviceBuffer {
    private final CudaDevice dev;
    final long address;
    private final long bytes;
    private final AtomicBoolean freed = new AtomicBoolean();

    CudaBuffer(CudaDevice dev, long address, long bytes) {
        this.dev = dev;
        this.address = address;
        this.bytes = bytes;
    }

    @Override
    public Device device() { return dev.id; }

    @Override
    public long bytes() { return bytes; }

    @Override
    public void copyToHost(MemorySegment dst) {
        String what = "reading an array of " + bytes + " bytes from the GPU";
        synchronized (dev) {  // the device's stream: not while another thread captures a graph on it
            dev.makeCurrent();
            if (bytes > 0) dev.driver.copyToHost(dst, address, bytes, dev.stream, what);
            dev.synchronize(what);
        }
    }

    @Override
    public void blockUntilReady() {
        synchronized (dev) {
            dev.makeCurrent();
            dev.synchronize("waiting for an array (blockUntilReady)");
        }
    }

    @Override
    public void free() {
        if (freed.compareAndSet(false, true)) dev.allocator.free(address);
    }

    boolean isFreed() { return freed.get(); }
}
