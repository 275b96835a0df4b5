package io.jax4j.xla.cuda;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The caching allocator's bookkeeping against a fake device with a capacity. */
class CachingAllocatorTest {
    /** A device of {@code capacity} bytes handing out increasing addresses; it fails like cuMemAlloc when full. */
    static final class FakeDevice implements DeviceMemory {
        final long capacity;
        long used, next = 0x7f0000000000L;
        final Set<Long> live = new HashSet<>();
        final java.util.Map<Long, Long> sizes = new java.util.HashMap<>();

        FakeDevice(long capacity) { this.capacity = capacity; }

        @Override
        public long alloc(long bytes) {
            if (used + bytes > capacity) throw new IllegalStateException("CUDA_ERROR_OUT_OF_MEMORY");
            long p = next;
            next += bytes;
            used += bytes;
            live.add(p);
            sizes.put(p, bytes);
            return p;
        }

        @Override
        public void free(long ptr) {
            assertTrue(live.remove(ptr), "double free on the device");
            used -= sizes.remove(ptr);
        }
    }

    @Test
    void sizeClasses() {
        assertEquals(512, CachingAllocator.sizeClass(0));
        assertEquals(512, CachingAllocator.sizeClass(1));
        assertEquals(1024, CachingAllocator.sizeClass(513));
        assertEquals(1L << 20, CachingAllocator.sizeClass(1L << 20));
        assertEquals(2L << 20, CachingAllocator.sizeClass((1L << 20) + 1));
        assertEquals(4L << 20, CachingAllocator.sizeClass((2L << 20) + 1));
    }

    @Test
    void freedBlocksAreReusedWithoutDeviceCalls() {
        FakeDevice dev = new FakeDevice(1L << 30);
        CachingAllocator a = new CachingAllocator(dev);
        long p = a.alloc(1000), q = a.alloc(1000);
        assertNotEquals(p, q);
        a.free(p);
        assertEquals(p, a.alloc(900));  // same class (1024), taken from the cache
        a.free(q);
        long r = a.alloc(5000);         // another class: a new device block
        assertNotEquals(q, r);
        var s = a.stats();
        assertEquals(3, s.deviceAllocs());
        assertEquals(1, s.hits());
        assertEquals(1024 + 5120, s.liveBytes());
        assertEquals(1024, s.cachedBytes());
        assertEquals(0, s.deviceFrees());
        // steady state: a loop of alloc/free of fixed sizes never reaches the device
        for (int i = 0; i < 100; i++) a.free(a.alloc(3 << 20));
        assertEquals(4, a.stats().deviceAllocs());
    }

    @Test
    void outOfMemoryEmptiesTheCacheAndRetries() {
        FakeDevice dev = new FakeDevice(8L << 20);
        CachingAllocator a = new CachingAllocator(dev);
        long p = a.alloc(6L << 20);
        a.free(p);                       // cached, still held on the device
        long q = a.alloc(4L << 20);      // another class: does not fit beside the cached block
        assertEquals(1, a.stats().deviceFrees());
        assertEquals(0, a.stats().cachedBytes());
        assertEquals(4L << 20, dev.used);
        assertTrue(dev.live.contains(q));
        // with nothing cached, out of memory is the device's error
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> a.alloc(6L << 20));
        assertTrue(e.getMessage().contains("OUT_OF_MEMORY"));
    }

    @Test
    void doubleFreeIsAnError() {
        CachingAllocator a = new CachingAllocator(new FakeDevice(1 << 20));
        long p = a.alloc(10);
        a.free(p);
        var e = assertThrows(IllegalArgumentException.class, () -> a.free(p));
        assertTrue(e.getMessage().contains("freed twice"), e.getMessage());
    }
}
