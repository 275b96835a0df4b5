package io.jax4j.xla.cuda;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * Device 0, opened once per JVM: the driver, its primary context, one non-blocking stream that every
 * executable runs on, the caching allocator, NVRTC and cuBLAS. {@link #probe()} says why not when any
 * of them is missing (no driver, no device, no NVRTC or cuBLAS library).
 */
final class CudaDevice {
    static final long CUBLAS_WORKSPACE = 32L << 20;

    final Driver driver;
    final int device, sms, ccMajor, ccMinor;
    final String name;
    final MemorySegment context, stream;
    final CachingAllocator allocator;
    final Nvrtc nvrtc;
    final Cublas cublas;

    private static volatile CudaDevice instance;
    private static volatile String failure;

    private CudaDevice() {
        driver = new Driver();
        driver.init();
        if (driver.deviceCount() == 0) throw new IllegalStateException("the CUDA driver loaded but reports no device");
        device = driver.device(0);
        sms = driver.attribute(Driver.ATTR_SM_COUNT, device);
        ccMajor = driver.attribute(Driver.ATTR_CC_MAJOR, device);
        ccMinor = driver.attribute(Driver.ATTR_CC_MINOR, device);
        name = driver.deviceName(device);
        context = driver.primaryContext(device);
        driver.setCurrent(context);
        stream = driver.createStream();
        allocator = new CachingAllocator(new DeviceMemory() {
            @Override
            public long alloc(long bytes) { return driver.memAlloc(bytes); }

            @Override
            public void free(long ptr) { driver.memFree(ptr); }
        });
        nvrtc = new Nvrtc();
        cublas = new Cublas(stream, allocator.alloc(CUBLAS_WORKSPACE), CUBLAS_WORKSPACE);
    }

    /** Null when a device is usable, else the reason (the first failure, remembered). */
    static synchronized String probe() {
        if (instance != null) return null;
        if (failure != null) return failure;
        try {
            instance = new CudaDevice();
            return null;
        } catch (RuntimeException | LinkageError e) {
            failure = "no CUDA device: " + e.getMessage();
            return failure;
        }
    }

    static CudaDevice get() {
        String why = probe();
        if (why != null) throw new IllegalStateException(why);
        return instance;
    }

    /** Driver calls need the context current on the calling thread. */
    void makeCurrent() { driver.setCurrent(context); }

    static Path cacheDir() {
        String dir = System.getProperty("jax4j.cacheDir", System.getenv("JAX4J_CACHE_DIR"));
        if (dir != null && !dir.isBlank()) return Path.of(dir);
        return Path.of(System.getProperty("user.home"), ".cache", "jax4j", "kernels");
    }

    String describe() {
        return name + " (sm_" + ccMajor + ccMinor + ", " + sms + " SMs, driver " + driver.driverVersion() + ", NVRTC " + nvrtc.version() + ")";
    }
}
