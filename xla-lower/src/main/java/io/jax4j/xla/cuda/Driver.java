package io.jax4j.xla.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The CUDA driver API ({@code libcuda.so.1}) through FFM: the primary context of one device, a
 * non-blocking stream, device and pinned host memory, asynchronous copies, modules from cubins,
 * kernel launches and stream capture into graphs. Statuses go through {@link CudaErrors#check}.
 */
final class Driver {
    static final int ATTR_SM_COUNT = 16, ATTR_CC_MAJOR = 75, ATTR_CC_MINOR = 76;
    static final int CAPTURE_MODE_THREAD_LOCAL = 1;

    private final MethodHandle cuInit, cuDeviceGetCount, cuDeviceGet, cuDeviceGetAttribute, cuDeviceGetName, cuDriverGetVersion,
            cuDevicePrimaryCtxRetain, cuCtxSetCurrent, cuStreamCreate, cuStreamSynchronize, cuMemAlloc, cuMemFree, cuMemHostAlloc,
            cuMemcpyHtoDAsync, cuMemcpyDtoHAsync, cuMemcpyDtoDAsync, cuMemsetD8Async, cuModuleLoadData, cuModuleGetFunction, cuLaunchKernel,
            cuStreamBeginCapture, cuStreamEndCapture, cuGraphInstantiate, cuGraphLaunch, cuGraphDestroy, cuGraphExecDestroy,
            cuGetErrorName, cuGetErrorString;
    final CudaErrors.Api api;

    /** The driver from {@code dir}, or (null) from the loader's search path. */
    Driver(java.nio.file.Path dir) {
        Ffm lib = Ffm.open(dir, "libcuda.so.1", "libcuda.so");
        FunctionDescriptor i = FunctionDescriptor.of(JAVA_INT, JAVA_INT), a = FunctionDescriptor.of(JAVA_INT, ADDRESS);
        cuInit = lib.fn("cuInit", i);
        cuDeviceGetCount = lib.fn("cuDeviceGetCount", a);
        cuDeviceGet = lib.fn("cuDeviceGet", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        cuDeviceGetAttribute = lib.fn("cuDeviceGetAttribute", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        cuDeviceGetName = lib.fn("cuDeviceGetName", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        cuDriverGetVersion = lib.fn("cuDriverGetVersion", a);
        cuDevicePrimaryCtxRetain = lib.fn("cuDevicePrimaryCtxRetain", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        cuCtxSetCurrent = lib.fn("cuCtxSetCurrent", a);
        cuStreamCreate = lib.fn("cuStreamCreate", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        cuStreamSynchronize = lib.fn("cuStreamSynchronize", a);
        cuMemAlloc = lib.fn("cuMemAlloc_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
        cuMemFree = lib.fn("cuMemFree_v2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
        cuMemHostAlloc = lib.fn("cuMemHostAlloc", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
        cuMemcpyHtoDAsync = lib.fn("cuMemcpyHtoDAsync_v2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS));
        cuMemcpyDtoHAsync = lib.fn("cuMemcpyDtoHAsync_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS));
        cuMemcpyDtoDAsync = lib.fn("cuMemcpyDtoDAsync_v2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS));
        cuMemsetD8Async = lib.fn("cuMemsetD8Async", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_BYTE, JAVA_LONG, ADDRESS));
        cuModuleLoadData = lib.fn("cuModuleLoadData", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        cuModuleGetFunction = lib.fn("cuModuleGetFunction", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        cuLaunchKernel = lib.fn("cuLaunchKernel", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        cuStreamBeginCapture = lib.fn("cuStreamBeginCapture_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        cuStreamEndCapture = lib.fn("cuStreamEndCapture", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        cuGraphInstantiate = lib.fn("cuGraphInstantiateWithFlags", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
        cuGraphLaunch = lib.fn("cuGraphLaunch", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        cuGraphDestroy = lib.fn("cuGraphDestroy", a);
        cuGraphExecDestroy = lib.fn("cuGraphExecDestroy", a);
        cuGetErrorName = lib.fn("cuGetErrorName", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
        cuGetErrorString = lib.fn("cuGetErrorString", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
        api = new CudaErrors.Api("CUDA driver", s -> errorText(cuGetErrorName, s), s -> errorText(cuGetErrorString, s));
    }

    private static String errorText(MethodHandle h, int status) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocate(ADDRESS);
            int r = (int) h.invokeExact(status, p);
            return r == 0 ? Ffm.string(p.get(ADDRESS, 0)) : null;
        } catch (Throwable t) {
            return null;
        }
    }

    void check(int status, String call, String context) { CudaErrors.check(status, api, call, context); }

    /** Runs a native call, turning a Throwable from the linker into an unchecked exception. */
    interface Call { int run() throws Throwable; }

    int call(Call c) {
        try {
            return c.run();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    void init() { check(call(() -> (int) cuInit.invokeExact(0)), "cuInit(0)", "initialising the CUDA driver"); }

    int deviceCount() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment n = arena.allocate(JAVA_INT);
            check(call(() -> (int) cuDeviceGetCount.invokeExact(n)), "cuDeviceGetCount", "counting devices");
            return n.get(JAVA_INT, 0);
        }
    }

    int driverVersion() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment n = arena.allocate(JAVA_INT);
            check(call(() -> (int) cuDriverGetVersion.invokeExact(n)), "cuDriverGetVersion", "");
            return n.get(JAVA_INT, 0);
        }
    }

    int device(int ordinal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment d = arena.allocate(JAVA_INT);
            check(call(() -> (int) cuDeviceGet.invokeExact(d, ordinal)), "cuDeviceGet(" + ordinal + ")", "");
            return d.get(JAVA_INT, 0);
        }
    }

    int attribute(int attr, int device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(JAVA_INT);
            check(call(() -> (int) cuDeviceGetAttribute.invokeExact(v, attr, device)), "cuDeviceGetAttribute(" + attr + ")", "");
            return v.get(JAVA_INT, 0);
        }
    }

    String deviceName(int device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(256);
            check(call(() -> (int) cuDeviceGetName.invokeExact(s, 256, device)), "cuDeviceGetName", "");
            return s.getString(0);
        }
    }

    MemorySegment primaryContext(int device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment c = arena.allocate(ADDRESS);
            check(call(() -> (int) cuDevicePrimaryCtxRetain.invokeExact(c, device)), "cuDevicePrimaryCtxRetain", "");
            return c.get(ADDRESS, 0);
        }
    }

    void setCurrent(MemorySegment ctx) { check(call(() -> (int) cuCtxSetCurrent.invokeExact(ctx)), "cuCtxSetCurrent", ""); }

    MemorySegment createStream() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(ADDRESS);
            check(call(() -> (int) cuStreamCreate.invokeExact(s, 1 /* CU_STREAM_NON_BLOCKING */)), "cuStreamCreate", "");
            return s.get(ADDRESS, 0);
        }
    }

    void synchronize(MemorySegment stream, String context) {
        check(call(() -> (int) cuStreamSynchronize.invokeExact(stream)), "cuStreamSynchronize", context);
    }

    /** Device memory; throws (with CUDA_ERROR_OUT_OF_MEMORY named) when the device is full. */
    long memAlloc(long bytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocate(JAVA_LONG);
            check(call(() -> (int) cuMemAlloc.invokeExact(p, bytes)), "cuMemAlloc(" + bytes + " bytes)", "allocating device memory");
            return p.get(JAVA_LONG, 0);
        }
    }

    void memFree(long ptr) { check(call(() -> (int) cuMemFree.invokeExact(ptr)), "cuMemFree", "freeing device memory"); }

    /** Page-locked host memory (for copies that may be captured in graphs), for the life of the JVM. */
    MemorySegment hostAlloc(long bytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocate(ADDRESS);
            check(call(() -> (int) cuMemHostAlloc.invokeExact(p, Math.max(1, bytes), 0)), "cuMemHostAlloc(" + bytes + " bytes)", "");
            return p.get(ADDRESS, 0).reinterpret(Math.max(1, bytes));
        }
    }

    void copyToDevice(long dst, MemorySegment src, long bytes, MemorySegment stream, String context) {
        check(call(() -> (int) cuMemcpyHtoDAsync.invokeExact(dst, src, bytes, stream)), "cuMemcpyHtoDAsync", context);
    }

    void copyToHost(MemorySegment dst, long src, long bytes, MemorySegment stream, String context) {
        check(call(() -> (int) cuMemcpyDtoHAsync.invokeExact(dst, src, bytes, stream)), "cuMemcpyDtoHAsync", context);
    }

    void copyOnDevice(long dst, long src, long bytes, MemorySegment stream, String context) {
        check(call(() -> (int) cuMemcpyDtoDAsync.invokeExact(dst, src, bytes, stream)), "cuMemcpyDtoDAsync", context);
    }

    void zero(long dst, long bytes, MemorySegment stream, String context) {
        check(call(() -> (int) cuMemsetD8Async.invokeExact(dst, (byte) 0, bytes, stream)), "cuMemsetD8Async", context);
    }

    MemorySegment loadModule(MemorySegment cubin, String context) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = arena.allocate(ADDRESS);
            check(call(() -> (int) cuModuleLoadData.invokeExact(m, cubin)), "cuModuleLoadData", context);
            return m.get(ADDRESS, 0);
        }
    }

    MemorySegment function(MemorySegment module, String name, String context) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment f = arena.allocate(ADDRESS);
            MemorySegment n = arena.allocateFrom(name);
            check(call(() -> (int) cuModuleGetFunction.invokeExact(f, module, n)), "cuModuleGetFunction(" + name + ")", context);
            return f.get(ADDRESS, 0);
        }
    }

    void launch(MemorySegment fn, int grid, int block, MemorySegment stream, MemorySegment params, String context) {
        check(call(() -> (int) cuLaunchKernel.invokeExact(fn, grid, 1, 1, block, 1, 1, 0, stream, params, MemorySegment.NULL)),
                "cuLaunchKernel(grid " + grid + ", block " + block + ")", context);
    }

    void beginCapture(MemorySegment stream, String context) {
        check(call(() -> (int) cuStreamBeginCapture.invokeExact(stream, CAPTURE_MODE_THREAD_LOCAL)), "cuStreamBeginCapture", context);
    }

    /** Ends a capture and instantiates the graph. */
    MemorySegment endCapture(MemorySegment stream, String context) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment g = arena.allocate(ADDRESS), e = arena.allocate(ADDRESS);
            check(call(() -> (int) cuStreamEndCapture.invokeExact(stream, g)), "cuStreamEndCapture", context);
            MemorySegment graph = g.get(ADDRESS, 0);
            try {
                check(call(() -> (int) cuGraphInstantiate.invokeExact(e, graph, 0L)), "cuGraphInstantiateWithFlags", context);
            } finally {
                check(call(() -> (int) cuGraphDestroy.invokeExact(graph)), "cuGraphDestroy", context);
            }
            return e.get(ADDRESS, 0);
        }
    }

    void destroyGraph(MemorySegment exec, String context) {
        check(call(() -> (int) cuGraphExecDestroy.invokeExact(exec)), "cuGraphExecDestroy", context);
    }

    void graphLaunch(MemorySegment exec, MemorySegment stream, String context) {
        check(call(() -> (int) cuGraphLaunch.invokeExact(exec, stream)), "cuGraphLaunch", context);
    }
}
