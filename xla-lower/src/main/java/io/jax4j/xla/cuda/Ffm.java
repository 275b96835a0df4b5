package io.jax4j.xla.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A native library opened by name (the dynamic loader's search: LD_LIBRARY_PATH, ldconfig) and its downcalls. */
final class Ffm {
    final String name;
    private final SymbolLookup lookup;

    private Ffm(String name, SymbolLookup lookup) {
        this.name = name;
        this.lookup = lookup;
    }

    /**
     * Opens the first of {@code candidates} that loads, from {@code dir} when it is given (the
     * {@code jax4j.cudaLibraryPath} property), else by the dynamic loader's search; the exception
     * lists every name tried and why each failed.
     */
    static Ffm open(Path dir, String... candidates) {
        List<String> why = new ArrayList<>();
        for (String c : candidates) {
            String name = dir == null ? c : dir.resolve(c).toString();
            try {
                return dir == null ? new Ffm(c, SymbolLookup.libraryLookup(c, Arena.global()))
                        : new Ffm(name, SymbolLookup.libraryLookup(Path.of(name), Arena.global()));
            } catch (IllegalArgumentException e) {
                why.add(name + ": " + e.getMessage());
            }
        }
        throw new IllegalStateException("none of " + String.join(", ", candidates) + " could be loaded" + (dir == null ? "" : " from " + dir)
                + " (" + String.join("; ", why) + "); put the CUDA 13 libraries on LD_LIBRARY_PATH");
    }

    MethodHandle fn(String symbol, FunctionDescriptor d) {
        MemorySegment s = lookup.find(symbol).orElseThrow(() -> new IllegalStateException(name + " has no symbol " + symbol));
        return Linker.nativeLinker().downcallHandle(s, d);
    }

    /** A NUL-terminated C string at {@code p}, or null for a null pointer. */
    static String string(MemorySegment p) {
        if (p == null || p.equals(MemorySegment.NULL)) return null;
        return p.reinterpret(Long.MAX_VALUE).getString(0);
    }
}
