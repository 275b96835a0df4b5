package io.jax4j.xla.cuda;

import io.jax4j.core.Debug;
import io.jax4j.ir.Jaxpr;
import io.jax4j.spi.Backend;
import io.jax4j.spi.Executable;
import io.jax4j.xla.internal.CudaDialect;
import io.jax4j.xla.internal.Lowering;

/**
 * The {@code cuda} backend (priority 20, so it is the default wherever it is available): the shared
 * lowering in the CUDA dialect, NVRTC, cuBLAS and CUDA graphs, all through FFM.
 *
 * <p>Why FFM and not the JavaCPP {@code cuda} preset: the preset's natives are CUDA 13.1 builds in a
 * jar of well over a gigabyte, far more than a GPU machine without network can be sent (the kit is
 * limited to 64 MiB), while the GPU machines carry the CUDA 13.0 libraries already; its 13.1 NVRTC
 * wrapper crashed in {@code nvrtcCompileProgram} against the 13.0 library; and the few dozen entry
 * points used here are plain C functions that FFM calls directly, with no JNI layer. The libraries
 * are loaded by name ({@code libcuda.so.1}, {@code libnvrtc.so.13}, {@code libcublas.so.13}) from
 * {@code LD_LIBRARY_PATH}.
 *
 * <p>float32 {@code dot_general} runs in TF32 as JAX does on GPUs; {@code -Djax4j.matmulPrecision=highest}
 * (or {@code JAX4J_DEFAULT_MATMUL_PRECISION=highest}, like JAX's {@code jax_default_matmul_precision})
 * or {@link #withMatmulPrecision} gives true FP32.
 */
public final class CudaBackend implements Backend {
    private final Cublas.Precision precision;

    /** The precision of float32 products is read at each compile from the property or environment variable. */
    public CudaBackend() { this(null); }

    private CudaBackend(Cublas.Precision precision) { this.precision = precision; }

    /** A cuda backend whose float32 products use {@code precision}: {@code default} (TF32) or {@code highest} (FP32). */
    public static CudaBackend withMatmulPrecision(String precision) { return new CudaBackend(Cublas.Precision.parse(precision)); }

    private Cublas.Precision precision() {
        return precision != null ? precision
                : Cublas.Precision.parse(System.getProperty("jax4j.matmulPrecision", System.getenv("JAX4J_DEFAULT_MATMUL_PRECISION")));
    }

    @Override
    public String name() { return "cuda"; }

    @Override
    public int priority() { return 20; }

    @Override
    public boolean isAvailable() { return CudaDevice.probe() == null; }

    @Override
    public String unavailableReason() {
        String why = CudaDevice.probe();
        return why == null ? "" : why;
    }

    @Override
    public Executable compile(Jaxpr jaxpr, boolean[] donated, String name) {
        long t0 = System.nanoTime();
        CudaDevice dev = CudaDevice.get();
        Lowering.Program p = Lowering.lower(jaxpr, donated, name, CudaDialect.INSTANCE);
        LaunchPlan plan = LaunchPlan.of(p, dev.sms);
        if (Debug.LEVEL >= 3) System.err.print("[jax4j] " + name + " on cuda: " + plan);
        if (Debug.LEVEL >= 4) System.err.println("[jax4j] generated CUDA of " + name + ":\n" + p.source());
        CudaExecutable exe = new CudaExecutable(p, plan, dev, precision());
        if (Debug.LEVEL >= 4) System.err.printf("[jax4j] compiled %s for cuda in %.1f ms%n", name, (System.nanoTime() - t0) / 1e6);
        return exe;
    }

    @Override
    public String describe() {
        String why = CudaDevice.probe();
        return "cuda: " + (why != null ? "unavailable (" + why + ")" : CudaDevice.get().describe() + ", NVRTC kernels + cuBLAS ("
                + (precision() == Cublas.Precision.HIGHEST ? "FP32" : "TF32") + " float32 matmuls), CUDA graphs; kernel cache "
                + CudaDevice.cacheDir());
    }
}
