package io.jax4j.xla.cpu;

import org.bytedeco.javacpp.Loader;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * OpenBLAS's {@code cblas_sgemm}/{@code cblas_dgemm}. JavaCPP's {@code openblas} preset extracts and
 * loads the library; the calls themselves go through FFM downcalls on our own segments, so a GEMM
 * allocates nothing and copies nothing.
 */
final class Blas {
    static final int ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;

    private static final System.Logger LOG = System.getLogger("io.jax4j.xla");
    private static MethodHandle sgemm, dgemm;
    private static SymbolLookup library;
    private static String error;
    private static boolean loaded;

    private Blas() {}

    /** Loads OpenBLAS once; null on success, else why not. */
    static synchronized String load() {
        if (loaded) return error;
        loaded = true;
        try {
            threadDefaults();
            SymbolLookup lookup;
            try {
                Loader.load(org.bytedeco.openblas.global.openblas_nolapack.class);
                lookup = find();
            } catch (UnsatisfiedLinkError onTheModulePath) {   // the platform module is not resolved: open its library directly
                lookup = ModulePathNatives.openblas().orElseThrow(() -> onTheModulePath);
            }
            Linker linker = Linker.nativeLinker();
            library = lookup;
            shareThreads(lookup);
            sgemm = linker.downcallHandle(lookup.find("cblas_sgemm").orElseThrow(), FunctionDescriptor.ofVoid(
                    JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_FLOAT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT,
                    JAVA_FLOAT, ADDRESS, JAVA_INT));
            dgemm = linker.downcallHandle(lookup.find("cblas_dgemm").orElseThrow(), FunctionDescriptor.ofVoid(
                    JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_DOUBLE, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT,
                    JAVA_DOUBLE, ADDRESS, JAVA_INT));
        } catch (Throwable t) {
            error = "OpenBLAS could not be loaded: " + t;
        }
        return error;
    }

    /**
     * Two cores shared by OpenBLAS's threads and the kernels' OpenMP threads: with two thread pools,
     * each library's idle threads either spin (stealing the core the other is about to use; a W1
     * step measured 12x slower that way) or sleep (every call then pays a wake-up, and a step's
     * GEMMs ran 1.5-2x slower than alone). So OpenBLAS runs its jobs on the kernels' OpenMP team
     * instead ({@link #shareThreads}), one pool whose idle threads spin briefly, as libgomp does by
     * default. OpenBLAS's own threads, should they still run, sleep at once
     * ({@code OPENBLAS_THREAD_TIMEOUT=4}, unless the user set it). Read when OpenBLAS loads, so this
     * runs before.
     */
    static void threadDefaults() {
        setDefault("OPENBLAS_THREAD_TIMEOUT", "4");
    }

    /**
     * The callback OpenBLAS (0.3.27 and later) calls to run a GEMM's parallel jobs, on OpenMP's team;
     * and split-K GEMMs: for a small result over a long sum (a weight gradient: K is the batch times
     * the positions) OpenBLAS splits the small M or N between the cores and runs ~1.6x slower than
     * each core taking half of K on its own and the halves added. OpenBLAS runs one thread per call
     * meanwhile (its thread count is global in a pthreads build: set around the region, not inside,
     * and restored to the count read at load; one split-K GEMM at a time, {@link #SPLIT_K_LOCK}).
     */
    static final String NATIVE_HELPERS = """
            #include <stddef.h>
            #include <stdlib.h>
            #include <omp.h>
            typedef void (*j4_dojob)(int thread, void* job, int data);
            void j4_openblas_threads(int sync, j4_dojob dojob, int numjobs, size_t size, void* jobs, int data) {
                (void) sync;
                #pragma omp parallel for schedule(static, 1)
                for (int i = 0; i < numjobs; i++) dojob(i, (char*) jobs + (size_t) i * size, data);
            }
            typedef void (*j4_set_threads)(int);
            #define J4_SPLIT_K(NAME, T) \\
            typedef void (*NAME##_fn)(int, int, int, int, int, int, T, const T*, int, const T*, int, T, T*, int); \\
            int NAME(NAME##_fn gemm, j4_set_threads set, int threads, int ta, int tb, int m, int n, int k, \\
                     const T* a, int lda, const T* b, int ldb, T* c, int ldc) { \\
                int parts = omp_get_max_threads(); \\
                if (parts > 8) parts = 8; \\
                if (parts < 2) return 0; \\
                T* partial = (T*) malloc(sizeof(T) * (size_t) (parts - 1) * m * n); \\
                if (!partial) return 0; \\
                set(1); \\
                _Pragma("omp parallel num_threads(parts)") \\
                { \\
                    int t = omp_get_thread_num(), p = omp_get_num_threads(); \\
                    long k0 = (long) k * t / p, k1 = (long) k * (t + 1) / p; \\
                    T* dst = t == 0 ? c : partial + (size_t) (t - 1) * m * n; \\
                    int ld = t == 0 ? ldc : n; \\
                    gemm(101, ta ? 112 : 111, tb ? 112 : 111, m, n, (int) (k1 - k0), (T) 1, \\
                         a + (ta ? k0 * lda : k0), lda, b + (tb ? k0 : k0 * ldb), ldb, (T) 0, dst, ld); \\
                    _Pragma("omp barrier") \\
                    _Pragma("omp for schedule(static)") \\
                    for (long i = 0; i < m; i++) \\
                        for (int q = 1; q < p; q++) \\
                            for (long j = 0; j < n; j++) c[i * ldc + j] += partial[(size_t) (q - 1) * m * n + i * n + j]; \\
                } \\
                set(threads); \\
                free(partial); \\
                return 1; \\
            }
            J4_SPLIT_K(j4_sgemm_split_k, float)
            J4_SPLIT_K(j4_dgemm_split_k, double)
            """;

    /**
     * Hands OpenBLAS the OpenMP callback (before its first GEMM, as OpenBLAS requires). Without the
     * entry point (an older OpenBLAS) or a C compiler, OpenBLAS keeps its own threads.
     */
    private static void shareThreads(SymbolLookup openblas) {
        var set = openblas.find("openblas_set_threads_callback_function");
        if (set.isEmpty() || CCompiler.version() == null) return;
        try {
            SymbolLookup helpers = CCompiler.load(NATIVE_HELPERS, "openblas_helpers").lookup();
            Linker linker = Linker.nativeLinker();
            linker.downcallHandle(set.get(), FunctionDescriptor.ofVoid(ADDRESS)).invokeExact(helpers.find("j4_openblas_threads").orElseThrow());
            var setThreads = openblas.find("openblas_set_num_threads");
            var getThreads = openblas.find("openblas_get_num_threads");
            if (setThreads.isPresent() && getThreads.isPresent() && Runtime.getRuntime().availableProcessors() > 1) {
                Blas.setThreads = setThreads.get();
                blasThreads = (int) linker.downcallHandle(getThreads.get(), FunctionDescriptor.of(JAVA_INT)).invokeExact();
                sgemmFn = openblas.find("cblas_sgemm").orElseThrow();
                dgemmFn = openblas.find("cblas_dgemm").orElseThrow();
                FunctionDescriptor split = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                        ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT);
                sgemmSplitK = linker.downcallHandle(helpers.find("j4_sgemm_split_k").orElseThrow(), split);
                dgemmSplitK = linker.downcallHandle(helpers.find("j4_dgemm_split_k").orElseThrow(), split);
            }
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.WARNING, "OpenBLAS keeps its own threads (" + t + "); GEMMs inside jitted steps may run slower");
        }
    }

    private static MethodHandle sgemmSplitK, dgemmSplitK;
    private static MemorySegment setThreads, sgemmFn, dgemmFn;
    private static int blasThreads;
    /** OpenBLAS's thread count is one global: two split-K GEMMs at once would restore it out of order. */
    private static final Object SPLIT_K_LOCK = new Object();

    /** A small result over a long sum: each core takes a share of K (see {@link #NATIVE_HELPERS}). */
    static boolean splitK(int m, int n, int k) {
        return sgemmSplitK != null && k >= 4L * Math.max(m, n) && (long) m * n <= (1L << 20) && (long) m * n * k >= (1L << 22);
    }

    private static void setDefault(String name, String value) {
        if (System.getenv(name) != null) return;
        try (Arena a = Arena.ofConfined()) {
            MethodHandle setenv = Linker.nativeLinker().downcallHandle(Linker.nativeLinker().defaultLookup().find("setenv").orElseThrow(),
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
            int rc = (int) setenv.invokeExact(a.allocateFrom(name), a.allocateFrom(value), 0);
            if (rc != 0) LOG.log(System.Logger.Level.WARNING, "could not set " + name + "=" + value);
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.WARNING, "could not set " + name + "=" + value + ": " + t);
        }
    }

    /** OpenBLAS's symbols (its LAPACKE included), once {@link #load} succeeded; else null. */
    static synchronized SymbolLookup library() { return load() == null ? library : null; }

    private static SymbolLookup find() {
        SymbolLookup loader = SymbolLookup.loaderLookup();
        if (loader.find("cblas_sgemm").isPresent()) return loader;
        Optional<String> path = Loader.getLoadedLibraries().values().stream()
                .filter(p -> p != null && Path.of(p).getFileName().toString().startsWith("libopenblas")).findFirst();
        return SymbolLookup.libraryLookup(Path.of(path.orElseThrow(() -> new IllegalStateException(
                "libopenblas not among JavaCPP's loaded libraries " + Loader.getLoadedLibraries().keySet()))), Arena.global());
    }

    static void sgemm(boolean ta, boolean tb, int m, int n, int k, MemorySegment a, int lda, MemorySegment b, int ldb,
                      MemorySegment c, int ldc) throws Throwable {
        if (splitK(m, n, k)) {
            synchronized (SPLIT_K_LOCK) {
                if ((int) sgemmSplitK.invokeExact(sgemmFn, setThreads, blasThreads, ta ? 1 : 0, tb ? 1 : 0, m, n, k, a, lda, b, ldb, c, ldc) == 1) return;
            }
        }
        sgemm.invokeExact(ROW_MAJOR, ta ? TRANS : NO_TRANS, tb ? TRANS : NO_TRANS, m, n, k, 1f, a, lda, b, ldb, 0f, c, ldc);
    }

    static void dgemm(boolean ta, boolean tb, int m, int n, int k, MemorySegment a, int lda, MemorySegment b, int ldb,
                      MemorySegment c, int ldc) throws Throwable {
        if (splitK(m, n, k)) {
            synchronized (SPLIT_K_LOCK) {
                if ((int) dgemmSplitK.invokeExact(dgemmFn, setThreads, blasThreads, ta ? 1 : 0, tb ? 1 : 0, m, n, k, a, lda, b, ldb, c, ldc) == 1) return;
            }
        }
        dgemm.invokeExact(ROW_MAJOR, ta ? TRANS : NO_TRANS, tb ? TRANS : NO_TRANS, m, n, k, 1.0, a, lda, b, ldb, 0.0, c, ldc);
    }
}
