package io.jax4j.xla.cuda;

import io.jax4j.Device;
import io.jax4j.core.Jax4jException;
import io.jax4j.xla.internal.Lowering.Program;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * This process's GPU ({@code cuda:0}; under mpirun, the GPU of its local rank), opened once per JVM: the driver, its primary context, one non-blocking stream that every
 * executable and every copy runs on (so work is ordered without events, and a freed buffer's next
 * user always runs after its last one), the caching allocator, NVRTC and cuBLAS. {@link #probe()}
 * says why not when any of them is missing (no driver, no device, no NVRTC or cuBLAS library).
 *
 * <p>Threads that queue work on the stream (a call, a copy, a wait) hold this object's monitor: a
 * stream being captured into a graph must see no other thread's work.
 *
 * <p>Work is queued asynchronously: a call returns once its commands are on the stream. The device
 * remembers the last program queued, so that an error that surfaces at a later synchronisation
 * ({@link #synchronize}) names it.
 */
final class CudaDevice {
    static final long CUBLAS_WORKSPACE = 32L << 20;

    /** How a program's kernels become the image {@code cuModuleLoadData} takes: NVRTC's cubin, cached on disk. */
    interface KernelImages {
        byte[] image(Program program, CudaDevice device);
    }

    static final KernelImages NVRTC = (p, d) -> d.nvrtc.cubin(p.source(), Nvrtc.options(d.ccMajor, d.ccMinor), p.name(), cacheDir());

    final Driver driver;
    final int device, sms, ccMajor, ccMinor;
    final String name;
    final MemorySegment context, stream;
    final CachingAllocator allocator;
    final Nvrtc nvrtc;
    final Cublas cublas;
    final KernelImages images;
    final Device id = new Device("cuda", 0);
    private volatile String lastQueued = "(nothing yet)";
    private final Path libraryDir;
    private Nccl nccl;

    private static volatile CudaDevice instance;
    private static volatile String failure;

    /** The libraries from {@code libraryDir} (null: the loader's search path); kernels made into images by {@code images}. */
    CudaDevice(Path libraryDir, KernelImages images) {
        this.images = images;
        this.libraryDir = libraryDir;
        driver = new Driver(libraryDir);
        driver.init();
        int count = driver.deviceCount();
        if (count == 0) throw new IllegalStateException("the CUDA driver loaded but reports no device");
        device = driver.device(localRank() % count);
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
        nvrtc = new Nvrtc(libraryDir);
        cublas = new Cublas(libraryDir, stream, allocator.alloc(CUBLAS_WORKSPACE), CUBLAS_WORKSPACE);
    }

    /**
     * This process's rank among the MPI processes on its machine ({@code OMPI_COMM_WORLD_LOCAL_RANK},
     * 0 outside mpirun): local rank r uses GPU r (modulo the GPUs), which it calls {@code cuda:0}, as
     * one GPU per process does under {@code CUDA_VISIBLE_DEVICES}.
     */
    static int localRank() {
        String r = System.getenv("OMPI_COMM_WORLD_LOCAL_RANK");
        try {
            return r == null ? 0 : Math.max(0, Integer.parseInt(r.trim()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Where the CUDA libraries are looked for first: {@code -Djax4j.cudaLibraryPath} or {@code JAX4J_CUDA_LIBRARY_PATH}, else null. */
    static Path libraryDir() {
        String dir = System.getProperty("jax4j.cudaLibraryPath", System.getenv("JAX4J_CUDA_LIBRARY_PATH"));
        return dir == null || dir.isBlank() ? null : Path.of(dir);
    }

    /** Null when a device is usable, else the reason (the first failure, remembered). */
    static synchronized String probe() {
        if (instance != null) return null;
        if (failure != null) return failure;
        try {
            instance = new CudaDevice(libraryDir(), NVRTC);
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

    /**
     * NCCL with a communicator over the processes of this run, made at the first collective a
     * program runs (programs without one never load NCCL); a missing library is an error naming it.
     */
    synchronized Nccl nccl() {
        if (nccl == null) nccl = new Nccl(libraryDir, io.jax4j.spi.ProcessGroups.current());
        return nccl;
    }

    /** Driver calls need the context current on the calling thread. */
    void makeCurrent() { driver.setCurrent(context); }

    /** Notes that {@code program}'s commands are on the stream (named by a later asynchronous failure). */
    void queued(String program) { lastQueued = program; }

    /** Waits for everything queued; a failure of any of it names {@code what} and the last program queued. */
    void synchronize(String what) {
        try {
            driver.synchronize(stream, what);
        } catch (Jax4jException e) {
            throw new Jax4jException(e.getMessage() + "\n  (work runs asynchronously: the last program queued on the device was "
                    + lastQueued + ")", e);
        }
    }

    /**
     * {@code bytes} of device memory for {@code what}; when the device is full (after the allocator
     * has returned its cached blocks), the error names {@code what} and the bytes asked for.
     */
    synchronized long alloc(long bytes, String what) {
        try {
            return allocator.alloc(bytes);
        } catch (Jax4jException e) {
            CachingAllocator.Stats s = allocator.stats();
            throw new Jax4jException("cuda backend: out of device memory: " + bytes + " bytes for " + what + " could not be allocated ("
                    + s.liveBytes() + " bytes held by live arrays and executables); free arrays (close()), donate inputs, or use a smaller batch\n  "
                    + e.getMessage(), e);
        }
    }

    /** A buffer for an array of {@code bytes}. */
    CudaBuffer buffer(long bytes, String what) { return new CudaBuffer(this, alloc(bytes, what), bytes); }

    static Path cacheDir() { return io.jax4j.core.CacheDirs.kernels(); }

    String describe() {
        return name + " (sm_" + ccMajor + ccMinor + ", " + sms + " SMs, driver " + driver.driverVersion() + ", NVRTC " + nvrtc.version() + ")";
    }
}
