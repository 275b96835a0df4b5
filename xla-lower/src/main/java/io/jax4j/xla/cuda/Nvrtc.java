package io.jax4j.xla.cuda;

import io.jax4j.core.Debug;
import io.jax4j.xla.internal.KernelCache;

import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * NVRTC through FFM ({@code nvrtcCreateProgram}, {@code nvrtcCompileProgram}, {@code nvrtcGetCUBIN}):
 * CUDA source to a cubin for the device's architecture, cached on disk under the kernel cache
 * ({@code <sha256>.cubin}, keyed by source, options and NVRTC version). The JavaCPP 13.1 nvrtc
 * wrapper crashed inside nvrtcCompileProgram against the CUDA 13.0 library; these plain calls did not.
 */
final class Nvrtc {
    private final MethodHandle create, compile, logSize, log, cubinSize, cubin, destroy, errorString, version;
    final CudaErrors.Api api;

    Nvrtc(java.nio.file.Path dir) {
        Ffm lib = Ffm.open(dir, "libnvrtc.so.13", "libnvrtc.so");
        create = lib.fn("nvrtcCreateProgram", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
        compile = lib.fn("nvrtcCompileProgram", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
        logSize = lib.fn("nvrtcGetProgramLogSize", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        log = lib.fn("nvrtcGetProgramLog", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        cubinSize = lib.fn("nvrtcGetCUBINSize", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        cubin = lib.fn("nvrtcGetCUBIN", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        destroy = lib.fn("nvrtcDestroyProgram", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        errorString = lib.fn("nvrtcGetErrorString", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        version = lib.fn("nvrtcVersion", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        api = new CudaErrors.Api("NVRTC", this::error, this::error);
    }

    private String error(int status) {
        try {
            return Ffm.string((MemorySegment) errorString.invokeExact(status));
        } catch (Throwable t) {
            return null;
        }
    }

    String version() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment major = a.allocate(JAVA_INT), minor = a.allocate(JAVA_INT);
            int r = (int) version.invokeExact(major, minor);
            return r == 0 ? major.get(JAVA_INT, 0) + "." + minor.get(JAVA_INT, 0) : "?";
        } catch (Throwable t) {
            return "?";
        }
    }

    /** The options for a device of compute capability {@code major.minor}: no fast math, ever. */
    static List<String> options(int major, int minor) {
        return List.of("--gpu-architecture=sm_" + major + minor, "--std=c++17");
    }

    /** The cubin of {@code source}: from the disk cache, else compiled (a failure throws with the log and numbered source). */
    byte[] cubin(String source, List<String> options, String program, Path cacheDir) {
        String key = key(source, options);
        KernelCache cache = new KernelCache(cacheDir, ".cubin", "nvrtc " + version(), String.join(" ", options));
        try {
            byte[] cached = cache.read(key);
            if (cached != null) return cached;
            long t0 = System.nanoTime();
            byte[] bin = compile(source, options, program);
            cache.write(key, bin);
            if (Debug.LEVEL >= 4) System.err.printf("[jax4j] NVRTC compiled %s in %.1f ms%n", program, (System.nanoTime() - t0) / 1e6);
            return bin;
        } catch (UncheckedIOException e) {
            throw new UncheckedIOException("cuda backend: " + e.getMessage(), e.getCause());
        }
    }

    String key(String source, List<String> options) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update((source + "\n" + String.join(" ", options) + "\nnvrtc " + version()).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private byte[] compile(String source, List<String> options, String program) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment prog = a.allocate(ADDRESS);
            int r = (int) create.invokeExact(prog, a.allocateFrom(source), a.allocateFrom(program + ".cu"), 0, MemorySegment.NULL, MemorySegment.NULL);
            CudaErrors.check(r, api, "nvrtcCreateProgram", "compiling " + program);
            MemorySegment p = prog.get(ADDRESS, 0);
            try {
                MemorySegment opts = a.allocate(ADDRESS, options.size());
                for (int i = 0; i < options.size(); i++) opts.setAtIndex(ADDRESS, i, a.allocateFrom(options.get(i)));
                int status = (int) compile.invokeExact(p, options.size(), opts);
                if (status != 0) throw CudaErrors.compileError(error(status) + " (" + status + ")", program, options, programLog(a, p), source);
                MemorySegment n = a.allocate(JAVA_LONG);
                CudaErrors.check((int) cubinSize.invokeExact(p, n), api, "nvrtcGetCUBINSize", "compiling " + program);
                MemorySegment bin = a.allocate(n.get(JAVA_LONG, 0));
                CudaErrors.check((int) cubin.invokeExact(p, bin), api, "nvrtcGetCUBIN", "compiling " + program);
                return bin.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            } finally {
                int ignored = (int) destroy.invokeExact(prog);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private String programLog(Arena a, MemorySegment p) throws Throwable {
        MemorySegment n = a.allocate(JAVA_LONG);
        if ((int) logSize.invokeExact(p, n) != 0) return "(no log)";
        MemorySegment text = a.allocate(Math.max(1, n.get(JAVA_LONG, 0)));
        if ((int) log.invokeExact(p, text) != 0) return "(no log)";
        return text.getString(0);
    }
}
