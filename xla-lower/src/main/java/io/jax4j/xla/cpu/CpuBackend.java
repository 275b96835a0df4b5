package io.jax4j.xla.cpu;

import io.jax4j.core.Debug;
import io.jax4j.ir.Jaxpr;
import io.jax4j.spi.Backend;
import io.jax4j.spi.Executable;
import io.jax4j.xla.internal.CDialect;
import io.jax4j.xla.internal.Lowering;

/**
 * The {@code cpu} backend (priority 10): available when the system C compiler runs and OpenBLAS
 * loads; otherwise it says why once on standard error, and jit falls back to the reference backend.
 */
public final class CpuBackend implements Backend {
    private static volatile Boolean available;
    private static volatile String reason = "";

    public CpuBackend() {}

    @Override
    public String name() { return "cpu"; }

    @Override
    public int priority() { return 10; }

    @Override
    public boolean isAvailable() {
        if (available == null) {
            synchronized (CpuBackend.class) {
                if (available == null) {
                    String why = CCompiler.version() == null ? CCompiler.probeError() : Blas.load();
                    reason = why == null ? "" : why;
                    available = why == null;
                    if (why != null) {
                        String fix = CCompiler.version() == null ? "install a C compiler as 'cc'"
                                : "put org.bytedeco:openblas with its linux-x86_64 classifier on the class or module path";
                        System.getLogger("io.jax4j.xla").log(System.Logger.Level.WARNING, "the cpu backend is unavailable (" + why
                                + "); jit runs on the reference interpreter instead (" + fix + ")");
                    }
                }
            }
        }
        return available;
    }

    @Override
    public String unavailableReason() {
        isAvailable();
        return reason;
    }

    @Override
    public Executable compile(Jaxpr jaxpr, boolean[] donated, String name) {
        long t0 = System.nanoTime();
        Lowering.Program p = Lowering.lower(jaxpr, donated, name, CDialect.INSTANCE);
        if (Debug.LEVEL >= 4) System.err.println("[jax4j] generated source of " + name + ":\n" + p.source());
        CpuExecutable exe = new CpuExecutable(p, p.hasKernels() ? new KernelLibraries.Library(p.source(), name) : null);
        if (Debug.LEVEL >= 4) System.err.printf("[jax4j] compiled %s in %.1f ms%n", name, (System.nanoTime() - t0) / 1e6);
        return exe;
    }

    /** The flags generated kernels are compiled with (for references compiled the same way, e.g. {@code jax4j bench}). */
    public static java.util.List<String> compilerFlags() { return CCompiler.FLAGS; }

    /**
     * Compiles C source with the kernels' compiler and flags (through the disk cache) and loads it;
     * for hand-written reference kernels. {@link #isAvailable} must be true.
     */
    public static java.lang.foreign.SymbolLookup compileC(String source, String name) {
        return CCompiler.load(source, name).lookup();
    }

    @Override
    public String describe() {
        return "cpu: generated C (" + (CCompiler.version() == null ? "no compiler" : CCompiler.version()) + ", "
                + String.join(" ", CCompiler.FLAGS) + ") + OpenBLAS; kernel cache " + CCompiler.cacheDir();
    }
}
