package io.jax4j.internal;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.ref.Cleaner;
import java.lang.ref.PhantomReference;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Off-heap allocations through the C allocator, freed deterministically: by {@code close()} or, for
 * an owner that becomes unreachable, once the garbage collector has found it (a phantom reference
 * that a daemon thread, or an allocating thread that is reclaiming, turns into a free).
 *
 * <p>The garbage collector does not see native memory, so the memory held (live blocks and the reuse
 * pool) is kept under a soft limit that follows the live set, as a tracing collector sizes its heap:
 * an allocation that would pass the limit first asks for a collection, frees what it found, and the
 * limit becomes {@code max(floor, growth × live bytes)} after that reclamation. A training loop that
 * does not donate its state (each step allocates a new one and drops the old) is thus collected every
 * {@code (limit - live) / bytes per step} steps, and its freed blocks are reused by the next steps;
 * a program whose live set grows doubles the limit instead of collecting again and again.
 * {@code -Djax4j.nativeSoftLimit} sets the floor (default 256 MiB), {@code -Djax4j.nativeGrowth} the
 * growth (default 2).
 */
public final class NativeMemory {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle MALLOC = LINKER.downcallHandle(
            LINKER.defaultLookup().find("malloc").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle FREE = LINKER.downcallHandle(
            LINKER.defaultLookup().find("free").orElseThrow(),
            FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
    private static final AtomicLong LIVE_BYTES = new AtomicLong();
    private static final AtomicLong LIVE_BLOCKS = new AtomicLong();
    static final long FLOOR = Long.getLong("jax4j.nativeSoftLimit", 256L << 20);
    static final double GROWTH = Math.max(1.0, Double.parseDouble(System.getProperty("jax4j.nativeGrowth", "2")));
    /** The soft limit on live + pooled bytes; it changes only at a reclamation. */
    private static volatile long limit = FLOOR;
    private static final AtomicLong RECLAMATIONS = new AtomicLong();
    private static final Object RECLAIM_LOCK = new Object();

    private NativeMemory() {}

    /** Bytes currently allocated by jax4j arrays and not yet freed. */
    public static long liveBytes() { return LIVE_BYTES.get(); }

    /** Number of native blocks currently allocated and not yet freed. */
    public static long liveBlocks() { return LIVE_BLOCKS.get(); }

    /** The current soft limit on live + pooled bytes. */
    public static long softLimit() { return limit; }

    /** How many times an allocation has asked for a collection (each time one {@code System.gc()}). */
    public static long reclamations() { return RECLAMATIONS.get(); }

    /**
     * The soft limit after a reclamation that left {@code live} bytes live (the allocation that asked
     * for it included): {@code growth} times the live set, at least {@code floor}, saturating.
     */
    static long limitAfter(long live, long floor, double growth) {
        double l = growth * live;
        return l >= Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(floor, (long) l);
    }

    /** A zero-filled block of {@code bytes} (at least 1) bytes, 16-byte aligned by malloc. */
    public static Block allocate(long bytes) {
        Block b = allocateUninitialized(bytes);
        b.segment.fill((byte) 0);
        return b;
    }

    // ---------------------------------------------------------------- the reuse pool

    /**
     * Blocks of at least this size are kept for reuse when freed, while live + pooled bytes stay under
     * the soft limit (and the pool under {@link #POOL_LIMIT}): malloc returns them to the OS (munmap),
     * and touching a fresh mapping again costs a page fault per 4 KiB, more than the kernel that fills
     * it (W4's 64 MiB gradient; a train step whose new state goes to fresh memory runs at a fraction of
     * its speed).
     */
    static final long POOL_MIN = 1L << 20, POOL_LIMIT = Long.getLong("jax4j.nativePool", 512L << 20);
    private static final java.util.Map<Long, java.util.ArrayDeque<MemorySegment>> POOL = new java.util.LinkedHashMap<>();
    private static volatile long pooledBytes;

    /** Bytes held in the reuse pool (freed, not returned to the OS). */
    public static long pooledBytes() { return pooledBytes; }

    private static synchronized MemorySegment takePooled(long n) {
        var q = POOL.get(n);
        if (q == null || q.isEmpty()) return null;
        pooledBytes -= n;
        return q.pop();
    }

    /** Keeps a freed block for reuse, first returning the least recently pooled other sizes to the OS if there is no room. */
    private static synchronized boolean pool(MemorySegment seg, long n) {
        if (n < POOL_MIN) return false;
        long room = Math.min(POOL_LIMIT, limit - LIVE_BYTES.get());
        if (n > room) return false;
        trimPool(room - n, n);
        if (pooledBytes + n > room) return false;
        POOL.computeIfAbsent(n, k -> new java.util.ArrayDeque<>()).push(seg);
        pooledBytes += n;
        return true;
    }

    /** Returns pooled blocks to the OS, least recently pooled sizes first (not size {@code keep}), until at most {@code max} bytes are pooled. */
    private static synchronized void trimPool(long max, long keep) {
        var sizes = POOL.entrySet().iterator();
        while (pooledBytes > max && sizes.hasNext()) {
            var e = sizes.next();
            if (e.getKey() == keep) continue;
            while (!e.getValue().isEmpty() && pooledBytes > max) {
                freeNow(e.getValue().pollLast());
                pooledBytes -= e.getKey();
            }
            if (e.getValue().isEmpty()) sizes.remove();
        }
    }

    private static void freeNow(MemorySegment seg) {
        try {
            FREE.invokeExact(MemorySegment.ofAddress(seg.address()));
        } catch (Throwable t) {
            throw new IllegalStateException("free failed", t);
        }
    }

    // ---------------------------------------------------------------- allocation and reclamation

    /** A block of {@code bytes} (at least 1) bytes whose contents are undefined. */
    public static Block allocateUninitialized(long bytes) {
        long n = Math.max(bytes, 1);
        MemorySegment pooled = n >= POOL_MIN ? takePooled(n) : null;
        if (pooled != null) {
            LIVE_BYTES.addAndGet(n);
            LIVE_BLOCKS.incrementAndGet();
            return new Block(pooled, n);
        }
        if (LIVE_BYTES.get() + pooledBytes + n > limit) makeRoom(n);
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

    /**
     * Keeps live + pooled + {@code n} bytes under the soft limit: returns pooled blocks to the OS, and
     * if the live bytes alone are too many, collects once and moves the limit to follow the live set.
     */
    private static void makeRoom(long n) {
        synchronized (RECLAIM_LOCK) {
            trimPool(limit - LIVE_BYTES.get() - n, -1);
            if (LIVE_BYTES.get() + n <= limit) return;  // the pool made room, or another thread reclaimed
            RECLAMATIONS.incrementAndGet();
            collectAndDrain();
            limit = limitAfter(LIVE_BYTES.get() + n, FLOOR, GROWTH);
            trimPool(limit - LIVE_BYTES.get() - n, -1);  // a lower limit: the pool gives back what no longer fits
        }
    }

    // ---------------------------------------------------------------- owners that become unreachable

    private static final ReferenceQueue<Object> QUEUE = new ReferenceQueue<>();
    /** The registered references (a phantom reference must stay reachable until it is enqueued). */
    private static final java.util.Set<Owned> REGISTERED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Frees its block when cleaned, explicitly or once its owner is unreachable. */
    private static final class Owned extends PhantomReference<Object> implements Cleaner.Cleanable {
        private final Block block;

        Owned(Object owner, Block block) {
            super(owner, QUEUE);
            this.block = block;
            REGISTERED.add(this);
        }

        @Override
        public void clean() {
            if (!REGISTERED.remove(this)) return;
            clear();
            block.free();
        }
    }

    /** Enqueued with the garbage of the collection a reclamation asked for: once it is seen, that collection's references are in the queue. */
    private static final class Marker extends PhantomReference<Object> {
        volatile boolean seen;

        Marker() { super(new Object(), QUEUE); }
    }

    private static void handle(Reference<?> r) {
        if (r instanceof Owned o) o.clean();
        else if (r instanceof Marker m) m.seen = true;
    }

    static {
        Thread t = new Thread(() -> {
            while (true) {
                try {
                    handle(QUEUE.remove());
                } catch (InterruptedException e) {
                    // a daemon: keep serving
                } catch (Throwable e) {
                    // a failed free must not stop the thread that frees every other block
                }
            }
        }, "jax4j-native-memory");
        t.setDaemon(true);
        t.start();
    }

    /**
     * One collection, then the freeing of the blocks whose owners it found unreachable, by this thread
     * (with the daemon): until the marker made unreachable just before has come through and the queue
     * is empty, or 100 ms at most (a collection that {@code -XX:+DisableExplicitGC} skips).
     */
    private static void collectAndDrain() {
        Marker marker = new Marker();
        System.gc();
        long deadline = System.nanoTime() + 100_000_000L;
        try {
            while (true) {
                Reference<?> r = QUEUE.poll();
                if (r != null) {
                    handle(r);
                    continue;
                }
                if (marker.seen || System.nanoTime() > deadline) return;
                r = QUEUE.remove(1);
                if (r != null) handle(r);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Registers {@code owner} so that the block is freed when the owner becomes unreachable; {@code clean()} frees it now. */
    public static Cleaner.Cleanable register(Object owner, Block block) {
        return new Owned(owner, block);
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
            freeNow(segment);
        }

        public boolean isFreed() { return freed.get(); }
    }
}
