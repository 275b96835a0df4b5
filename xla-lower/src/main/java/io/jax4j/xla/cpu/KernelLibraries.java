package io.jax4j.xla.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The generated kernel libraries that executables use, at most {@code -Djax4j.maxLoadedKernelLibraries}
 * (default {@value #DEFAULT_CAP}) loaded at once. A program jitted at 200 shapes would otherwise keep
 * 200 libraries mapped for the life of the process.
 *
 * <p>Each executable owns a {@link Library}. A call pins it ({@link Library#acquire}, loading it
 * again from the disk cache, or compiling it, if it was unloaded) and unpins it when done. When a
 * load takes the count over the cap, the least recently used libraries that no call has pinned are
 * unloaded (their arena closed: {@code dlclose}); their executables load them again on their next
 * call. A pinned library is never unloaded, so a running kernel's code cannot disappear.
 */
final class KernelLibraries {
    static final int DEFAULT_CAP = 64;
    static final AtomicInteger LOADS = new AtomicInteger(), UNLOADS = new AtomicInteger();

    /** The loaded libraries in least-recently-used-first order. */
    private static final LinkedHashMap<Library, Boolean> LOADED = new LinkedHashMap<>(16, 0.75f, true);

    private KernelLibraries() {}

    /** The cap, read at each load so that it can be changed while running. */
    static int cap() {
        int cap = Integer.getInteger("jax4j.maxLoadedKernelLibraries", DEFAULT_CAP);
        return Math.max(1, cap);
    }

    static synchronized int loadedCount() { return LOADED.size(); }

    /** One executable's library: its C source (to load it again), and while loaded its arena and symbols. */
    static final class Library {
        private final String source;
        private final String name;
        private Arena arena;
        private SymbolLookup lookup;
        private int pins;

        Library(String source, String name) {
            this.source = source;
            this.name = name;
        }

        /**
         * Pins the library loaded and returns its symbols; every acquire is followed by one
         * {@link #release}. The lookup changes after the library was unloaded and loaded again.
         */
        SymbolLookup acquire() {
            synchronized (KernelLibraries.class) {
                if (lookup != null) {
                    pins++;
                    LOADED.get(this);   // most recently used
                    return lookup;
                }
            }
            Arena fresh = Arena.ofShared();
            SymbolLookup loaded;
            try {
                loaded = CCompiler.load(source, name, fresh).lookup();
            } catch (RuntimeException | Error e) {
                fresh.close();
                throw e;
            }
            List<Arena> unload = new ArrayList<>();
            SymbolLookup result;
            synchronized (KernelLibraries.class) {
                if (lookup == null) {   // else another thread loaded it meanwhile: ours goes
                    arena = fresh;
                    lookup = loaded;
                    LOADED.put(this, Boolean.TRUE);
                    LOADS.incrementAndGet();
                } else unload.add(fresh);
                pins++;
                result = lookup;
                unload.addAll(evictOverCap());
            }
            for (Arena a : unload) a.close();
            return result;
        }

        void release() {
            synchronized (KernelLibraries.class) {
                pins--;
            }
        }
    }

    /** Unlinks the least recently used unpinned libraries beyond the cap; their arenas, to close outside the lock. */
    private static List<Arena> evictOverCap() {
        List<Arena> out = new ArrayList<>();
        int over = LOADED.size() - cap();
        if (over <= 0) return out;
        var it = LOADED.keySet().iterator();
        while (over > 0 && it.hasNext()) {
            Library l = it.next();
            if (l.pins > 0) continue;
            it.remove();
            out.add(l.arena);
            l.arena = null;
            l.lookup = null;
            UNLOADS.incrementAndGet();
            over--;
        }
        return out;
    }
}
