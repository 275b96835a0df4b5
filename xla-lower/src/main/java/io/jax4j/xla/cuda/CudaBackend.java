package io.jax4j.xla.cuda;

import io.jax4j.Device;
import io.jax4j.core.ArrayImpl;
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
    /** The device this backend runs on, or null for the JVM's device 0 ({@link CudaDevice#get()}). */
    private final CudaDevice fixed;

    /** The precision of float32 products is read at each compile from the property or environment variable. */
    public CudaBackend() { this(null, null); }

    private CudaBackend(Cublas.Precision precision, CudaDevice device) {
        this.precision = precision;
        this.fixed = device;
    }

    /** A cuda backend whose float32 products use {@code precision}: {@code default} (TF32) or {@code highest} (FP32). */
    public static CudaBackend withMatmulPrecision(String precision) { return new CudaBackend(Cublas.Precision.parse(precision), null); }

    /** A backend on a device opened from other libraries (a stand-in driver in tests). */
    static CudaBackend on(CudaDevice device, Cublas.Precision precision) { return new CudaBackend(precision, device); }

    private CudaDevice dev() { return fixed != null ? fixed : CudaDevice.get(); }

    private Cublas.Precision precision() {
        return precision != null ? precision
                : Cublas.Precision.parse(System.getProperty("jax4j.matmulPrecision", System.getenv("JAX4J_DEFAULT_MATMUL_PRECISION")));
    }

    @Override
    public String name() { return "cuda"; }

    @Override
    public int priority() { return 20; }

    @Override
    public boolean isAvailable() { return fixed != null || CudaDevice.probe() == null; }

    @Override
    public String unavailableReason() {
        String why = fixed != null ? null : CudaDevice.probe();
        return why == null ? "" : why;
    }

    @Override
    public Device device() { return new Device("cuda", 0); }

    /** The array in the GPU's memory: itself when it is there already, else an upload (JAX's {@code device_put}). */
    @Override
    public ArrayImpl put(ArrayImpl x) {
        CudaDevice dev = dev();
        if (x.deviceBuffer() instanceof CudaBuffer && x.device().equals(dev.id)) return x;
        synchronized (dev) {  // the device's stream: not while another thread captures a graph on it
            return upload(dev, x);
        }
    }

    private static ArrayImpl upload(CudaDevice dev, ArrayImpl x) {
        dev.makeCurrent();
        long bytes = LaunchPlan.bytes(x.aval());
        CudaBuffer b = dev.buffer(bytes, "device_put of a " + x.aval().str());
        if (x.deviceBuffer() instanceof CudaBuffer src) {
            if (bytes > 0) dev.driver.copyOnDevice(b.address, src.address, bytes, dev.stream, "device_put of a " + x.aval().str());
        } else if (bytes > 0) {
            dev.driver.copyToDevice(b.address, x.segment(), bytes, dev.stream, "device_put of a " + x.aval().str());
        }
        return ArrayImpl.onDevice(x.aval(), b);
    }

    @Override
    public Executable compile(Jaxpr jaxpr, boolean[] donated, String name) {
        long t0 = System.nanoTime();
        CudaDevice dev = dev();
        Lowering.Program p = Lowering.lower(jaxpr, donated, name, CudaDialect.INSTANCE);
        LaunchPlan plan = LaunchPlan.of(p, dev.sms);
        if (Debug.LEVEL >= 3) System.err.print("[jax4j] " + name + " on cuda: " + plan);
        if (Debug.LEVEL >= 1 && !plan.hostOps().isEmpty()) {
            System.err.println("[jax4j] " + name + " on cuda: " + plan.hostOps().size() + " ops run on the host (no GPU kernel yet): "
                    + String.join(", ", new java.util.TreeSet<>(plan.hostOps())));
        }
        if (Debug.LEVEL >= 4) System.err.println("[jax4j] generated CUDA of " + name + ":\n" + p.source());
        CudaExecutable exe = new CudaExecutable(p, plan, dev, precision());
        if (Debug.LEVEL >= 4) System.err.printf("[jax4j] compiled %s for cuda in %.1f ms%n", name, (System.nanoTime() - t0) / 1e6);
        return exe;
    }

    @Override
    public String describe() {
        String why = fixed != null ? null : CudaDevice.probe();
        return "cuda: " + (why != null ? "unavailable (" + why + ")" : dev().describe() + ", NVRTC kernels + cuBLAS ("
                + (precision() == Cublas.Precision.HIGHEST ? "FP32" : "TF32") + " float32 matmuls), CUDA graphs; kernel cache "
                + CudaDevice.cacheDir());
    }
}
