package io.jax4j.xla.cpu;

import io.jax4j.core.CacheDirs;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * OpenBLAS's native libraries on the module path without {@code --add-modules}. JavaCPP ships them in
 * a platform module ({@code org.bytedeco.openblas.linux.x86_64}) that nothing requires, so the module
 * system never resolves it and JavaCPP's loader cannot see its files ("no jniopenblas_nolapack in
 * java.library.path"). jax4j calls OpenBLAS through FFM and only needs the library itself: this finds
 * the platform module on {@code jdk.module.path}, copies its shared libraries into
 * {@code <cache>/natives/<module>-<version>/} (atomically; reused while their sizes match) and opens
 * {@code libopenblas}.
 */
final class ModulePathNatives {
    private ModulePathNatives() {}

    /** The libraries of the platform module, the BLAS one last (its dependencies load first from the same directory). */
    private static final List<String> LIBRARIES = List.of("libgcc_s.so.1", "libquadmath.so.0", "libgfortran.so.5", "libopenblas.so.0");

    /** OpenBLAS opened from the platform module on the module path, or empty when there is none (or this is not Linux x86-64). */
    static Optional<SymbolLookup> openblas() throws IOException {
        String platform = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("linux")
                && List.of("amd64", "x86_64").contains(System.getProperty("os.arch")) ? "linux-x86_64" : null;
        String modulePath = System.getProperty("jdk.module.path");
        if (platform == null || modulePath == null || modulePath.isBlank()) return Optional.empty();
        String name = "org.bytedeco.openblas." + platform.replace('-', '.');
        Path[] entries = Arrays.stream(modulePath.split(java.io.File.pathSeparator)).filter(s -> !s.isBlank()).map(Path::of).toArray(Path[]::new);
        Optional<ModuleReference> ref = ModuleFinder.of(entries).find(name);
        if (ref.isEmpty()) return Optional.empty();
        String version = ref.get().descriptor().rawVersion().orElse(Integer.toHexString(ref.get().location().hashCode()));
        Path dir = CacheDirs.root().resolve("natives").resolve(name + "-" + version);
        Files.createDirectories(dir);
        try (ModuleReader reader = ref.get().open()) {
            for (String lib : LIBRARIES) extract(reader, "org/bytedeco/openblas/" + platform + "/" + lib, dir.resolve(lib));
        }
        for (String lib : LIBRARIES.subList(0, LIBRARIES.size() - 1)) {
            if (Files.exists(dir.resolve(lib))) SymbolLookup.libraryLookup(dir.resolve(lib), Arena.global());
        }
        return Optional.of(SymbolLookup.libraryLookup(dir.resolve(LIBRARIES.getLast()), Arena.global()));
    }

    /** Copies one resource into place unless a file of its size is there (written to a temporary name, then renamed). */
    private static void extract(ModuleReader reader, String resource, Path target) throws IOException {
        Optional<InputStream> in = reader.open(resource);
        if (in.isEmpty()) return;
        try (InputStream s = in.get()) {
            long size = reader.find(resource).map(uri -> {
                try {
                    return uri.toURL().openConnection().getContentLengthLong();
                } catch (IOException e) {
                    return -1L;
                }
            }).orElse(-1L);
            if (Files.exists(target) && size >= 0 && Files.size(target) == size) return;
            Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
            try {
                Files.copy(s, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }
}
