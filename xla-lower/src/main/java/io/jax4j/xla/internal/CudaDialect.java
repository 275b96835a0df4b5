package io.jax4j.xla.internal;

import io.jax4j.DType;
import io.jax4j.xla.internal.KernelIR.Flat;
import io.jax4j.xla.internal.KernelIR.Kernel;
import io.jax4j.xla.internal.KernelIR.Nested;
import io.jax4j.xla.internal.KernelIR.Reduction;

/**
 * CUDA C for NVRTC (and {@code nvcc}): {@code extern "C" __global__} kernels taking the executable's
 * slot table by value (a struct of buffer pointers, {@link #slotTable}), grid-stride loops over the flat index, and
 * reductions by a {@link Strategy}: a thread per output row for short rows, a block per row with
 * warp-shuffle and shared-memory combining, or, for one long row, every block on a slice with the
 * last block to finish combining the partials (deterministic: no floating-point atomics).
 * Transcendental functions are CUDA's accurate ones ({@code expf}, {@code tanhf}: at most 2 ulp),
 * never the {@code __expf} intrinsics; no fast-math flags.
 */
public final class CudaDialect implements Dialect {
    /** Threads per block of every kernel (a multiple of the warp size, 32). */
    public static final int BLOCK = 256;
    /** Most blocks of a split reduction (the size of its partials array). */
    public static final int MAX_SPLIT_BLOCKS = 1024;
    /** A single-row reduction at least this long is split across blocks. */
    public static final long SPLIT_MIN = 1L << 16;
    /** Rows shorter than this are reduced by one thread each. */
    public static final long SERIAL_MAX = 32;

    public static final CudaDialect INSTANCE = new CudaDialect();

    private CudaDialect() {}

    /** How a reduction kernel is laid out on the grid. */
    public enum Strategy { THREAD_PER_ROW, BLOCK_PER_ROW, SPLIT_ROW }

    public static Strategy strategy(Reduction r) {
        if (r.inner() < SERIAL_MAX) return Strategy.THREAD_PER_ROW;
        if (r.outer() == 1 && r.inner() >= SPLIT_MIN) return Strategy.SPLIT_ROW;
        return Strategy.BLOCK_PER_ROW;
    }

    /** A kernel's launch shape: blocks in the grid, threads per block. */
    public record LaunchShape(int grid, int block) {}

    /** The grid for a kernel on a device with {@code sms} multiprocessors (grid-stride loops cover the rest). */
    public static LaunchShape launchShape(Kernel k, int sms) {
        int wide = Math.max(1, sms) * 16;
        return switch (k.loop()) {
            case Flat f -> new LaunchShape(blocksFor(f.n(), wide), BLOCK);
            case Nested n -> new LaunchShape(blocksFor(n.outer() * n.inner(), wide), BLOCK);
            case Reduction r -> switch (strategy(r)) {
                case THREAD_PER_ROW -> new LaunchShape(blocksFor(r.outer(), wide), BLOCK);
                case BLOCK_PER_ROW -> new LaunchShape((int) Math.max(1, Math.min(r.outer(), wide)), BLOCK);
                case SPLIT_ROW -> new LaunchShape((int) Math.min(MAX_SPLIT_BLOCKS,
                        Math.min(Math.max(1, sms) * 8L, Math.max(1, r.inner() / (BLOCK * 4L)))), BLOCK);
            };
        };
    }

    private static int blocksFor(long n, int cap) {
        return (int) Math.max(1, Math.min(cap, (n + BLOCK - 1) / BLOCK));
    }

    /** NVRTC has no system headers: fixed-width types, the limits and INFINITY/NAN are defined here. */
    static final String PRELUDE = """
            #ifdef __CUDACC_RTC__
            typedef unsigned char uint8_t;
            typedef int int32_t;
            typedef unsigned int uint32_t;
            typedef long long int64_t;
            typedef unsigned long long uint64_t;
            #else
            #include <stdint.h>
            #include <math.h>
            #endif
            #ifndef INFINITY
            #define INFINITY __int_as_float(0x7f800000)
            #endif
            #ifndef NAN
            #define NAN __int_as_float(0x7fc00000)
            #endif
            #ifndef INT32_MIN
            #define INT32_MIN (-2147483647 - 1)
            #define INT32_MAX 2147483647
            #define UINT32_MAX 0xffffffffu
            #endif
            #ifndef INT64_MAX
            #define INT64_MAX 9223372036854775807LL
            #define INT64_MIN (-9223372036854775807LL - 1)
            #endif
            #define J4_FULL 0xffffffffu
            __device__ __forceinline__ double j4_shfl_down(double v, int o) { return __shfl_down_sync(J4_FULL, v, o); }
            __device__ __forceinline__ float j4_shfl_down(float v, int o) { return __shfl_down_sync(J4_FULL, v, o); }
            __device__ __forceinline__ int j4_shfl_down(int v, int o) { return __shfl_down_sync(J4_FULL, v, o); }
            __device__ __forceinline__ unsigned j4_shfl_down(unsigned v, int o) { return __shfl_down_sync(J4_FULL, v, o); }
            __device__ __forceinline__ long j4_shfl_down(long v, int o) { return __shfl_down_sync(J4_FULL, v, o); }
            __device__ __forceinline__ unsigned long j4_shfl_down(unsigned long v, int o) { return __shfl_down_sync(J4_FULL, v, o); }
            __device__ __forceinline__ long long j4_shfl_down(long long v, int o) { return __shfl_down_sync(J4_FULL, v, o); }
            __device__ __forceinline__ unsigned long long j4_shfl_down(unsigned long long v, int o) { return __shfl_down_sync(J4_FULL, v, o); }
            template <typename To, typename From> __device__ __forceinline__ To j4_bitcast(From v) {
                union { From a; To b; } u;
                u.a = v;
                return u.b;
            }
            __device__ __forceinline__ uint8_t j4_shfl_down(uint8_t v, int o) { return (uint8_t) __shfl_down_sync(J4_FULL, (int) v, o); }
            """;

    @Override
    public String prelude() { return PRELUDE + CStyleRenderer.erfInvSource("__device__ __forceinline__"); }

    @Override
    public String type(DType d) { return CDialect.INSTANCE.type(d); }

    @Override
    public String math(String fn, DType d) { return d == DType.F32 ? fn + "f" : fn; }

    /**
     * The slot table by value: every buffer's address as a kernel parameter (copied at each launch and
     * into a graph's nodes), so a call binds its arrays' own buffers without writing device memory.
     */
    @Override
    public String slotTable(int slotCount) {
        return "struct J4Slots {\n    void* p[" + slotCount + "];\n"
                + "    __device__ __forceinline__ void* operator[](int i) const { return p[i]; }\n};\n";
    }

    @Override
    public String signature(String kernelName) {
        return "extern \"C\" __global__ void __launch_bounds__(" + BLOCK + ") " + kernelName + "(const J4Slots slots)";
    }

    @Override
    public String restrict() { return "__restrict__ "; }

    /** A union declared inside a function body ({@code j4_bitcast} in the prelude): NVRTC allows no type definition in an expression. */
    @Override
    public String bitcast(String x, String from, String to) { return "j4_bitcast<" + to + ", " + from + ">(" + x + ")"; }

    @Override
    public String parallelFor(long work) { return ""; }

    @Override
    public String parallelSum(long work, String acc) { return ""; }

    @Override
    public boolean renderLoops(StringBuilder sb, Kernel k, CStyleRenderer r) {
        switch (k.loop()) {
            case Flat f -> {
                String ix = indexType(f.n());
                gridStride(sb, ix, "i", f.n());
                r.body(sb, 2, k.body());
                r.stores(sb, 2, k, "i", null);
                sb.append("    }\n");
            }
            case Nested n -> {
                String ix = indexType(n.outer() * n.inner());
                gridStride(sb, ix, "i", n.outer() * n.inner());
                sb.append("        const ").append(ix).append(" o = i / ").append(n.inner()).append(";\n");
                sb.append("        const ").append(ix).append(" j = i - o * ").append(n.inner()).append(";\n");
                r.body(sb, 2, k.body());
                r.stores(sb, 2, k, "i", null);
                sb.append("    }\n");
            }
            case Reduction red -> reduction(sb, k, red, r);
        }
        return true;
    }

    /** 32-bit index arithmetic (much cheaper on the GPU) unless the loop is longer than 2^30. */
    static String indexType(long n) { return n < (1L << 30) ? "int" : "long long"; }

    private static void gridStride(StringBuilder sb, String ix, String var, long n) {
        String cast = ix.equals("int") ? "" : "(" + ix + ") ";
        sb.append("    for (").append(ix).append(' ').append(var).append(" = ").append(cast).append("blockIdx.x * blockDim.x + threadIdx.x; ")
                .append(var).append(" < ").append(n).append("; ").append(var).append(" += ").append(cast).append("gridDim.x * blockDim.x) {\n");
    }

    private void reduction(StringBuilder sb, Kernel k, Reduction red, CStyleRenderer r) {
        String acc = r.accumulatorType(red), id = r.identity(red);
        String v = "v" + red.value();
        String result = red.dtype() == DType.BOOL ? "(acc != 0)" : "(" + type(red.dtype()) + ") acc";
        String ix = indexType(red.outer() * red.inner());
        switch (strategy(red)) {
            case THREAD_PER_ROW -> {
                gridStride(sb, ix, "o", red.outer());
                sb.append("        ").append(acc).append(" acc = ").append(id).append(";\n");
                sb.append("        for (").append(ix).append(" r = 0; r < ").append(red.inner()).append("; r++) {\n");
                r.body(sb, 3, k.body());
                sb.append("            acc = ").append(combine(r, red, v)).append(";\n");
                sideStores(sb, 3, k, red);
                sb.append("        }\n");
                resultStores(sb, 2, k, r, result);
                sb.append("    }\n");
            }
            case BLOCK_PER_ROW -> {
                sb.append("    __shared__ ").append(acc).append(" j4_part[").append(BLOCK / 32).append("];\n");
                sb.append("    for (").append(ix).append(" o = blockIdx.x; o < ").append(red.outer()).append("; o += gridDim.x) {\n");
                sb.append("        ").append(acc).append(" acc = ").append(id).append(";\n");
                sb.append("        for (").append(ix).append(" r = threadIdx.x; r < ").append(red.inner()).append("; r += blockDim.x) {\n");
                r.body(sb, 3, k.body());
                sb.append("            acc = ").append(combine(r, red, v)).append(";\n");
                sideStores(sb, 3, k, red);
                sb.append("        }\n");
                blockCombine(sb, 2, r, red, acc, id);
                sb.append("        if (threadIdx.x == 0) {\n");
                resultStores(sb, 3, k, r, result);
                sb.append("        }\n");
                sb.append("        __syncthreads();\n");
                sb.append("    }\n");
            }
            case SPLIT_ROW -> {
                String part = "j4_part_" + k.name(), done = "j4_done_" + k.name();
                // declared before the kernel: the renderer has already opened it, so insert at its start
                int at = sb.lastIndexOf(signature(k.name()));
                sb.insert(at, "__device__ " + acc + " " + part + "[" + MAX_SPLIT_BLOCKS + "];\n__device__ unsigned int " + done + ";\n");
                sb.append("    __shared__ ").append(acc).append(" j4_part[").append(BLOCK / 32).append("];\n");
                sb.append("    __shared__ bool j4_last;\n");
                sb.append("    const ").append(ix).append(" o = 0;\n");
                sb.append("    ").append(acc).append(" acc = ").append(id).append(";\n");
                String cast = ix.equals("int") ? "" : "(" + ix + ") ";
                sb.append("    for (").append(ix).append(" r = ").append(cast).append("blockIdx.x * blockDim.x + threadIdx.x; r < ").append(red.inner())
                        .append("; r += ").append(cast).append("gridDim.x * blockDim.x) {\n");
                r.body(sb, 2, k.body());
                sb.append("        acc = ").append(combine(r, red, v)).append(";\n");
                sideStores(sb, 2, k, red);
                sb.append("    }\n");
                blockCombine(sb, 1, r, red, acc, id);
                sb.append("    if (threadIdx.x == 0) {\n");
                sb.append("        ").append(part).append("[blockIdx.x] = acc;\n");
                sb.append("        __threadfence();\n");
                sb.append("        j4_last = atomicAdd(&").append(done).append(", 1u) == gridDim.x - 1;\n");
                sb.append("    }\n");
                sb.append("    __syncthreads();\n");
                sb.append("    if (!j4_last) return;\n");
                sb.append("    __threadfence();\n");
                sb.append("    acc = ").append(id).append(";\n");
                sb.append("    for (unsigned b = threadIdx.x; b < gridDim.x; b += blockDim.x) {\n");
                sb.append("        const ").append(acc).append(" w = ((volatile ").append(acc).append("*) ").append(part).append(")[b];\n");
                sb.append("        acc = ").append(combine(r, red, "w")).append(";\n");
                sb.append("    }\n");
                blockCombine(sb, 1, r, red, acc, id);
                sb.append("    if (threadIdx.x == 0) {\n");
                resultStores(sb, 2, k, r, result);
                sb.append("        ").append(done).append(" = 0;\n");
                sb.append("    }\n");
            }
        }
    }

    /** The ids of the kernel's epilogue instructions (values computed once per output element, after the reduction). */
    private static java.util.Set<Integer> epilogueIds(Kernel k) {
        java.util.Set<Integer> ids = new java.util.HashSet<>();
        for (KernelIR.Instr in : k.epilogue()) ids.add(in.id());
        return ids;
    }

    /**
     * Side outputs (FusionPlanner's rule 4b): elementwise values of the reduction's domain stored from
     * inside its loop, each element by the thread that computed it ({@code o·inner + r}, or
     * {@code r·outer + o} when the reduced axes lead).
     */
    private static void sideStores(StringBuilder sb, int indent, Kernel k, Reduction red) {
        java.util.Set<Integer> after = epilogueIds(k);
        String index = red.columns() ? "r * " + red.outer() + " + o" : "o * " + red.inner() + " + r";
        for (KernelIR.Store s : k.stores()) {
            if (s.value() >= 0 && !after.contains(s.value())) CStyleRenderer.line(sb, indent, "p" + s.param() + "[" + index + "] = v" + s.value() + ";");
        }
    }

    /** The reduced value's stores, then the epilogue (rule 4c) and its stores: by the one thread that holds the row's result. */
    private static void resultStores(StringBuilder sb, int indent, Kernel k, CStyleRenderer r, String result) {
        java.util.Set<Integer> after = epilogueIds(k);
        for (KernelIR.Store s : k.stores()) if (s.value() < 0) CStyleRenderer.line(sb, indent, "p" + s.param() + "[o] = " + result + ";");
        r.body(sb, indent, k.epilogue());
        for (KernelIR.Store s : k.stores()) if (after.contains(s.value())) CStyleRenderer.line(sb, indent, "p" + s.param() + "[o] = v" + s.value() + ";");
    }

    /** Side outputs stored from the reduction loop and epilogues after it, as the C dialect renders them. */
    @Override
    public boolean reductionOutputs() { return true; }

    /** Combines every thread's {@code acc} into thread 0's: shuffles within warps, then across the warps' partials. */
    private static void blockCombine(StringBuilder sb, int indent, CStyleRenderer r, Reduction red, String acc, String id) {
        String p = "    ".repeat(indent);
        String shuffle = "for (int s = 16; s > 0; s >>= 1) { const " + acc + " w = j4_shfl_down(acc, s); acc = " + combine(r, red, "w") + "; }";
        sb.append(p).append(shuffle).append('\n');
        sb.append(p).append("if ((threadIdx.x & 31) == 0) j4_part[threadIdx.x >> 5] = acc;\n");
        sb.append(p).append("__syncthreads();\n");
        sb.append(p).append("if (threadIdx.x < 32) {\n");
        sb.append(p).append("    acc = threadIdx.x < (blockDim.x >> 5) ? j4_part[threadIdx.x] : ").append(id).append(";\n");
        sb.append(p).append("    ").append(shuffle).append('\n');
        sb.append(p).append("}\n");
    }

    /** {@code acc ⊕ v} for the reduction's operator, with NaN propagation for float max/min. */
    private static String combine(CStyleRenderer r, Reduction red, String v) {
        return switch (red.op()) {
            case "add" -> "acc + " + v;
            case "max" -> r.floatNaN(red.dtype(), v, v + " > acc ? " + v + " : acc");
            case "min" -> r.floatNaN(red.dtype(), v, v + " < acc ? " + v + " : acc");
            default -> throw new IllegalArgumentException(red.op());
        };
    }

    /** A grid-stride loop: the launch ({@link #gridFor}) covers the iterations with the device's threads. */
    @Override
    public String independentLoop(String var, long n) {
        return "for (long long " + var + " = (long long) blockIdx.x * blockDim.x + threadIdx.x; " + var + " < " + n + "LL; "
                + var + " += (long long) gridDim.x * blockDim.x) {";
    }

    /** Overlapping windows of select_and_scatter_add add to one element from several threads. */
    @Override
    public String sharedAdd(String target, String value) { return "atomicAdd(&" + target + ", " + value + ");"; }

    @Override
    public boolean zeroesScatterOutput() { return false; }

    @Override
    public boolean channelAccumulators() { return false; }

    /** The launch of a dedicated kernel over {@code n} independent iterations on a device with {@code sms} multiprocessors. */
    public static LaunchShape gridFor(long n, int sms) { return new LaunchShape(blocksFor(n, Math.max(1, sms) * 16), BLOCK); }

    /** Convolutions are im2col (or kernel-reorder and contribution-gather) kernels around cuBLAS GEMMs; never the AVX-512 direct kernels. */
    @Override
    public boolean directConvolutions() { return false; }
}
