package io.jax4j.internal;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Off-heap allocations through the C allocator, freed deterministically: by {@code close()} or, for
 * an owner that becomes unreachable, by a {@link Cleaner}. The garbage collector does not see native
 * memory, so, like the JDK's direct buffers, an allocation that would take the live native total past
 * a soft limit first asks for a collection and waits for the cleaner to return memory.
 */
public final class NativeMemory {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle MALLOC = LINKER.downcallHandle(
            LINKER.defaultLookup().find("malloc").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle FREE = LINKER.downcallHandle(
            LINKER.defaultLookup().find("free").orElseThrow(),
            FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
    private static final Cleaner CLEANER = Cleaner.create();
    private static final AtomicLong LIVE_BYTES = new AtomicLong();
    private static final AtomicLong LIVE_BLOCKS = new AtomicLong();
    private static final long SOFT_LIMIT = Long.getLong("jax4j.nativeSoftLimit", 1L << 30);

    private NativeMemory() {}

    /** Bytes currently allocated by jax4j arrays and not yet freed. */
    public static long liveBytes() { return LIVE_BYTES.get(); }

    /** Number of native blocks currently allocated and not yet freed. */
    public static long liveBlocks() { return LIVE_BLOCKS.get(); }

    /** A zero-filled block of {@code bytes} (at least 1) bytes, 16-byte aligned by malloc. */
    public static Block allocate(long bytes) {
        Block b = allocateUninitialized(bytes);
        b.segment.fill((byte) 0);
        return b;
    }

    /**
     * Blocks of at least this size are kept for reuse when freed (up to {@link #POOL_LIMIT} bytes in
     * all): malloc returns them to the OS (munmap), and touching a fresh mapping again costs a page
     * fault per 4 KiB, more than the kernel that fills it (W4's 64 MiB gradient).
     */
    static final long POOL_MIN = 1L << 20, POOL_LIMIT = Long.getLong("jax4j.nativePool", 512L << 20);
    private static final java.util.Map<Long, java.util.ArrayDeque<MemorySegment>> POOL = new java.util.LinkedHashMap<>();
    private static long pooledBytes;

    /** Bytes held in the reuse pool (freed, not returned to the OS). */
    public static synchronized long pooledBytes() { return pooledBytes; }

    private static synchronized MemorySegment takePooled(long n) {
        var q = POOL.get(n);
        if (q == null || q.isEmpty()) return null;
        pooledBytes -= n;
        return q.pop();
    }

    /** Keeps a freed block for reuse, first returning the least recently pooled sizes to the OS if the pool is full. */
    private static synchronized boolean pool(MemorySegment seg, long n) {
        if (n < POOL_MIN || n > POOL_LIMIT) return false;
        var sizes = POOL.entrySet().iterator();
        while (pooledBytes + n > POOL_LIMIT && sizes.hasNext()) {
            var e = sizes.next();
            if (e.getKey() == n) continue;
            while (!e.getValue().isEmpty() && pooledBytes + n > POOL_LIMIT) {
                freeNow(e.getValue().pollLast());
                pooledBytes -= e.getKey();
            }
            if (e.getValue().isEmpty()) sizes.remove();
        }
        if (pooledBytes + n > POOL_LIMIT) return false;
        POOL.computeIfAbsent(n, k -> new java.util.ArrayDeque<>()).push(seg);
        pooledBytes += n;
        return true;
    }

    private static void freeNow(MemorySegment seg) {
        try {
            FREE.invokeExact(MemorySegment.ofAddress(seg.address()));
        } catch (Throwable t) {
            throw new IllegalStateException("free failed", t);
        }
    }

    /** A block of {@code bytes} (at least 1) bytes whose contents are undefined. */
    public static Block allocateUninitialized(long bytes) {
        long n = Math.max(bytes, 1);
        MemorySegment pooled = n >= POOL_MIN ? takePooled(n) : null;
        if (pooled != null) {
            LIVE_BYTES.addAndGet(n);
            LIVE_BLOCKS.incrementAndGet();
            return new Block(pooled, n);
        }
        if (LIVE_BYTES.get() + n > SOFT_LIMIT) reclaim(n);
        MemorySegment raw;
        try {
            raw = (MemorySegment) MALLOC.invokeExact(n);
        } catch (Throwable t) {
            throw new IllegalStateException("malloc(" + n + ") failed", t);
        }
        if (raw.address() == 0) throw new OutOfMemoryError("native allocation of " + n + " bytes failed");
        MemorySegment seg = raw.reinterpret(n);
        LIVE_BYTES.addAndGet(n);
        LIVE_BLOCKS.incrementAndGet();
        return new Block(seg, n);
    }

    private static void reclaim(long wanted) {
        for (int i = 0; i < 8 && LIVE_BYTES.get() + wanted > SOFT_LIMIT; i++) {
            System.gc();
            try {
                Thread.sleep(1L << i);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Registers {@code owner} so that the block is freed when the owner becomes unreachable. */
    public static Cleaner.Cleanable register(Object owner, Block block) {
        return CLEANER.register(owner, block::free);
    }

    /** A malloc'ed block; {@link #free} is idempotent and thread-safe. */
    public static final class Block {
        private final MemorySegment segment;
        private final long bytes;
        private final java.util.concurrent.atomic.AtomicBoolean freed = new java.util.concurrent.atomic.AtomicBoolean();

        Block(MemorySegment segment, long bytes) {
            this.segment = segment;
            this.bytes = bytes;
        }

        public MemorySegment segment() { return segment; }

        public void free() {
            if (!freed.compareAndSet(false, true)) return;
            LIVE_BYTES.addAndGet(-bytes);
            LIVE_BLOCKS.decrementAndGet();
            if (pool(segment, bytes)) return;
            try {
                FREE.invokeExact(MemorySegment.ofAddress(segment.address()));
            } catch (Throwable t) {
                throw new IllegalStateException("free failed", t);
            }
        }

        public boolean isFreed() { return freed.get(); }
    }
}
