package io.jax4j.xla.cuda;

import io.jax4j.xla.internal.CDialect;
import io.jax4j.xla.internal.CStyleRenderer;
import io.jax4j.xla.internal.Lowering;
import io.jax4j.xla.internal.Lowering.Program;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The cuda backend on a machine with no GPU: {@code cuda_standin.c} (the driver, cuBLAS and NVRTC
 * entry points over host memory) built with {@code cc} into a folder as {@code libcuda.so.1},
 * {@code libcublas.so.13}, {@code libnvrtc.so.13} and {@code libnccl.so.2}, and a {@link CudaDevice} opened from it whose
 * kernel images are the C-dialect build of each program's kernels (same names, same slot table), so
 * whole programs run numerically. One stand-in device per JVM; tests that use it are skipped, saying
 * so, where there is no {@code cc}.
 */
final class CudaStandIn {
    private CudaStandIn() {}

    private static Path dir;
    private static CudaDevice device;
    private static MethodHandle calls, fail, memoryLimit, liveBlocks, graphsLive, tf32Gemms;

    /** Statuses the stand-in returns (the driver's numbers). */
    static final int INVALID_VALUE = 1, OUT_OF_MEMORY = 2, ILLEGAL_ADDRESS = 700;

    static synchronized CudaDevice device() {
        if (device == null) {
            Path d = build();
            device = new CudaDevice(d, CudaStandIn::hostKernels);
            SymbolLookup lib = SymbolLookup.libraryLookup(d.resolve("libcuda.so.1"), Arena.global());
            Linker l = Linker.nativeLinker();
            calls = l.downcallHandle(lib.find("j4s_calls").orElseThrow(), FunctionDescriptor.of(JAVA_LONG, ADDRESS));
            fail = l.downcallHandle(lib.find("j4s_fail").orElseThrow(), FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_LONG));
            memoryLimit = l.downcallHandle(lib.find("j4s_set_memory_limit").orElseThrow(), FunctionDescriptor.ofVoid(JAVA_LONG));
            liveBlocks = l.downcallHandle(lib.find("j4s_live_blocks").orElseThrow(), FunctionDescriptor.of(JAVA_INT));
            graphsLive = l.downcallHandle(lib.find("j4s_graphs_live").orElseThrow(), FunctionDescriptor.of(JAVA_LONG));
            tf32Gemms = l.downcallHandle(lib.find("j4s_tf32_gemms").orElseThrow(), FunctionDescriptor.of(JAVA_LONG));
        }
        return device;
    }

    static CudaBackend backend(Cublas.Precision precision) { return CudaBackend.on(device(), precision); }

    /** How often the stand-in's entry point (named without its {@code _v2} suffix) was called. */
    static long calls(String entryPoint) {
        try (Arena a = Arena.ofConfined()) {
            return (long) calls.invokeExact(a.allocateFrom(entryPoint));
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The call of {@code entryPoint} after {@code after} more calls returns {@code status}, once. */
    static void failNext(String entryPoint, int status, long after) {
        try (Arena a = Arena.ofConfined()) {
            fail.invokeExact(a.allocateFrom(entryPoint), status, after);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static void memoryLimit(long bytes) {
        try {
            memoryLimit.invokeExact(bytes);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static int liveBlocks() {
        try {
            return (int) liveBlocks.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static long graphsLive() {
        try {
            return (long) graphsLive.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static long tf32Gemms() {
        try {
            return (long) tf32Gemms.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static Path build() {
        try {
            Files.createDirectories(Path.of("target"));
            Path d = Files.createTempDirectory(Path.of("target"), "cuda-standin-");  // cleaned with the build
            Path src = d.resolve("cuda_standin.c"), so = d.resolve("cuda_standin.so");
            try (InputStream in = CudaStandIn.class.getResourceAsStream("cuda_standin.c")) {
                Files.copy(in, src);
            }
            cc(List.of("cc", "-O1", "-g", "-fPIC", "-shared", "-Wall", "-Werror", "-o", so.toString(), src.toString(), "-ldl", "-lpthread"), "the CUDA stand-in");
            for (String name : List.of("libcuda.so.1", "libcublas.so.13", "libnvrtc.so.13", "libnccl.so.2")) Files.createSymbolicLink(d.resolve(name), so.getFileName());
            dir = d;
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The program's kernels in the C dialect (the CUDA lowering's kernel IR, rendered for the host), as a shared library's path. */
    static synchronized byte[] hostKernels(Program p, CudaDevice dev) {
        String source = new CStyleRenderer(CDialect.INSTANCE).render(p.kernels(), Math.max(1, p.memory().slots.size()))
                + Lowering.dedicatedKernels(p.plan(), p.memory(), CDialect.INSTANCE)
                + "\nconst unsigned long j4_param_bytes = " + 8L * Math.max(1, p.memory().slots.size()) + ";\n";
        try {
            String key = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(source.getBytes(StandardCharsets.UTF_8)));
            Path so = dir.resolve("k-" + key + ".so");
            if (!Files.exists(so)) {
                // threads compiling the same program: one builds it, written whole before anyone can load it
                Path c = dir.resolve("k-" + key + ".c"), tmp = dir.resolve("k-" + key + ".so.tmp");
                Files.writeString(c, source);
                cc(List.of("cc", "-O1", "-fPIC", "-shared", "-fno-math-errno", "-fno-trapping-math", "-o", tmp.toString(), c.toString(), "-lm"),
                        "the host build of " + p.name());
                Files.move(tmp, so, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            return so.toString().getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void cc(List<String> cmd, String what) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort("no C compiler (cc) to build " + what + ": CUDA stand-in test skipped");
            throw e;
        }
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException("cc failed on " + what + ":\n" + log);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
