package io.jax4j.xla.cuda;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A caching device allocator, as PyTorch's and XLA's: device memory is never returned to the driver
 * in steady state. Sizes round up to a size class (512-byte steps up to 1 MiB, 2 MiB steps above);
 * a freed block goes to its class's free list and the next request of that class takes it. When the
 * device is out of memory the cache is emptied (cuMemFree of every cached block) and the request
 * tried once more. Thread-safe; freeing only does bookkeeping, so a GC cleaner may call it.
 */
public final class CachingAllocator {
    static final long SMALL = 512, LARGE = 2L << 20, SMALL_LIMIT = 1L << 20;

    private final DeviceMemory device;
    private final TreeMap<Long, ArrayDeque<Long>> free = new TreeMap<>();
    private final Map<Long, Long> live = new HashMap<>();
    private long liveBytes, cachedBytes, hits, misses, deviceAllocs, deviceFrees;

    public CachingAllocator(DeviceMemory device) { this.device = device; }

    public record Stats(long liveBytes, long cachedBytes, long hits, long misses, long deviceAllocs, long deviceFrees) {}

    static long sizeClass(long bytes) {
        long b = Math.max(1, bytes);
        return b <= SMALL_LIMIT ? (b + SMALL - 1) / SMALL * SMALL : (b + LARGE - 1) / LARGE * LARGE;
    }

    public synchronized long alloc(long bytes) {
        long size = sizeClass(bytes);
        ArrayDeque<Long> q = free.get(size);
        long ptr;
        if (q != null && !q.isEmpty()) {
            ptr = q.pop();
            cachedBytes -= size;
            hits++;
        } else {
            misses++;
            try {
                ptr = device.alloc(size);
            } catch (RuntimeException oom) {
                if (cachedBytes == 0) throw oom;
                emptyCache();
                ptr = device.alloc(size);
            }
            deviceAllocs++;
        }
        live.put(ptr, size);
        liveBytes += size;
        return ptr;
    }

    public synchronized void free(long ptr) {
        Long size = live.remove(ptr);
        if (size == null) throw new IllegalArgumentException("cuda allocator: 0x" + Long.toHexString(ptr) + " was not allocated here (or freed twice)");
        liveBytes -= size;
        cachedBytes += size;
        free.computeIfAbsent(size, s -> new ArrayDeque<>()).push(ptr);
    }

    /** Returns every cached block to the driver. */
    public synchronized void emptyCache() {
        for (ArrayDeque<Long> q : free.values()) {
            for (long p : q) {
                device.free(p);
                deviceFrees++;
            }
        }
        free.clear();
        cachedBytes = 0;
    }

    public synchronized Stats stats() { return new Stats(liveBytes, cachedBytes, hits, misses, deviceAllocs, deviceFrees); }
}
