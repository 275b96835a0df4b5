package io.jax4j.xla.internal;

import io.jax4j.Array;
import io.jax4j.Lax;
import io.jax4j.Np;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.jax4j.xla.Traced.f32;
import static io.jax4j.xla.Traced.trace;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Golden CUDA: the C dialect's golden cases and one of each reduction layout, in the CUDA dialect. */
class CudaCodegenGoldenTest {
    private static String source(java.util.function.Function<List<Array>, List<Array>> f, io.jax4j.ShapedArray... avals) {
        String src = Lowering.lower(trace(f, avals), null, "golden", CudaDialect.INSTANCE).source();
        String prelude = CudaDialect.INSTANCE.prelude();
        assertEquals(prelude, src.substring(0, prelude.length()));
        String rest = src.substring(prelude.length());
        // then the slot table, passed by value, of as many entries as the program has slots
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^struct J4Slots \\{\n    void\\* p\\[\\d+\\];\n.*?\n\\};\n",
                java.util.regex.Pattern.DOTALL).matcher(rest);
        org.junit.jupiter.api.Assertions.assertTrue(m.find(), rest);
        return rest.substring(m.end());
    }

    @Test
    void biasAddReluAfterAGemm() {
        String src = source(xs -> List.of(Np.maximum(Np.add(xs.get(0).matmul(xs.get(1)), xs.get(2)), Array.weak(0))),
                f32(16, 8), f32(8, 32), f32(32));
        assertEquals("""

                extern "C" __global__ void __launch_bounds__(256) k0(const J4Slots slots) {
                    const float* __restrict__ p0 = (const float*) slots[3];
                    const float* __restrict__ p1 = (const float*) slots[2];
                    float* __restrict__ p2 = (float*) slots[4];
                    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < 512; i += gridDim.x * blockDim.x) {
                        const int o = i / 32;
                        const int j = i - o * 32;
                        const float v0 = p0[i];
                        const float v1 = p1[j];
                        const float v2 = v0 + v1;
                        const float v3 = 0.0f;
                        const float v4 = ((v2 != v2 || v3 != v3) ? v2 + v3 : (v2 > v3 ? v2 : v3));
                        p2[i] = v4;
                    }
                }
                """, src);
    }

    @Test
    void reductionWithASideOutputAndAnEpilogue() {
        // 2x is a second output over the reduction's domain (stored from its loop), log(sum) + 1 an epilogue (once per row)
        String src = source(xs -> List.of(Lax.add(Lax.log(Lax.reduceSum(Lax.exp(xs.get(0)), 1)), Lax.scalar(1, io.jax4j.DType.F32)),
                Lax.mul(xs.get(0), Lax.scalar(2, io.jax4j.DType.F32))), f32(6, 100));
        assertEquals("""

                extern "C" __global__ void __launch_bounds__(256) k0(const J4Slots slots) {
                    const float* __restrict__ p0 = (const float*) slots[0];
                    float* __restrict__ p1 = (float*) slots[1];
                    float* __restrict__ p2 = (float*) slots[3];
                    float* __restrict__ p3 = (float*) slots[2];
                    __shared__ double j4_part[8];
                    for (int o = blockIdx.x; o < 6; o += gridDim.x) {
                        double acc = 0;
                        for (int r = threadIdx.x; r < 100; r += blockDim.x) {
                            const float v0 = p0[o * 100 + r];
                            const float v1 = expf(v0);
                            const float v2 = 2.0f;
                            const float v3 = (float)(v0 * v2);
                            acc = acc + v1;
                            p2[o * 100 + r] = v3;
                        }
                        for (int s = 16; s > 0; s >>= 1) { const double w = j4_shfl_down(acc, s); acc = acc + w; }
                        if ((threadIdx.x & 31) == 0) j4_part[threadIdx.x >> 5] = acc;
                        __syncthreads();
                        if (threadIdx.x < 32) {
                            acc = threadIdx.x < (blockDim.x >> 5) ? j4_part[threadIdx.x] : 0;
                            for (int s = 16; s > 0; s >>= 1) { const double w = j4_shfl_down(acc, s); acc = acc + w; }
                        }
                        if (threadIdx.x == 0) {
                            p1[o] = (float) acc;
                            const float v4 = (float) acc;
                            const float v5 = logf(v4);
                            const float v6 = 1.0f;
                            const float v7 = v5 + v6;
                            p3[o] = v7;
                        }
                        __syncthreads();
                    }
                }
                """, src);
    }

    @Test
    void reductionThreadPerRow() {
        String src = source(xs -> List.of(Lax.reduceSum(Lax.exp(Lax.transpose(xs.get(0), 1, 0)), 1)), f32(3, 4));
        assertEquals("""

                extern "C" __global__ void __launch_bounds__(256) k0(const J4Slots slots) {
                    const float* __restrict__ p0 = (const float*) slots[0];
                    float* __restrict__ p1 = (float*) slots[1];
                    for (int o = blockIdx.x * blockDim.x + threadIdx.x; o < 4; o += gridDim.x * blockDim.x) {
                        double acc = 0;
                        for (int r = 0; r < 3; r++) {
                            const float v0 = p0[r * 4 + o];
                            const float v1 = expf(v0);
                            acc = acc + v1;
                        }
                        p1[o] = (float) acc;
                    }
                }
                """, src);
    }

    @Test
    void reductionBlockPerRowMax() {
        String src = source(xs -> List.of(Lax.reduceMax(xs.get(0), 1)), f32(10, 1000));
        assertEquals("""

                extern "C" __global__ void __launch_bounds__(256) k0(const J4Slots slots) {
                    const float* __restrict__ p0 = (const float*) slots[0];
                    float* __restrict__ p1 = (float*) slots[1];
                    __shared__ float j4_part[8];
                    for (int o = blockIdx.x; o < 10; o += gridDim.x) {
                        float acc = -INFINITY;
                        for (int r = threadIdx.x; r < 1000; r += blockDim.x) {
                            const float v0 = p0[o * 1000 + r];
                            acc = (acc != acc || v0 != v0) ? acc + v0 : (v0 > acc ? v0 : acc);
                        }
                        for (int s = 16; s > 0; s >>= 1) { const float w = j4_shfl_down(acc, s); acc = (acc != acc || w != w) ? acc + w : (w > acc ? w : acc); }
                        if ((threadIdx.x & 31) == 0) j4_part[threadIdx.x >> 5] = acc;
                        __syncthreads();
                        if (threadIdx.x < 32) {
                            acc = threadIdx.x < (blockDim.x >> 5) ? j4_part[threadIdx.x] : -INFINITY;
                            for (int s = 16; s > 0; s >>= 1) { const float w = j4_shfl_down(acc, s); acc = (acc != acc || w != w) ? acc + w : (w > acc ? w : acc); }
                        }
                        if (threadIdx.x == 0) {
                            p1[o] = (float) acc;
                        }
                        __syncthreads();
                    }
                }
                """, src);
    }

    @Test
    void reductionSplitAcrossBlocks() {
        String src = source(xs -> List.of(Lax.reduceSum(Lax.mul(Lax.tanh(xs.get(0)), xs.get(0)), 0)), f32(1 << 20));
        assertEquals("""

                __device__ double j4_part_k0[1024];
                __device__ unsigned int j4_done_k0;
                extern "C" __global__ void __launch_bounds__(256) k0(const J4Slots slots) {
                    const float* __restrict__ p0 = (const float*) slots[0];
                    float* __restrict__ p1 = (float*) slots[1];
                    __shared__ double j4_part[8];
                    __shared__ bool j4_last;
                    const int o = 0;
                    double acc = 0;
                    for (int r = blockIdx.x * blockDim.x + threadIdx.x; r < 1048576; r += gridDim.x * blockDim.x) {
                        const float v0 = p0[o * 1048576 + r];
                        const float v1 = tanhf(v0);
                        const float v2 = (float)(v1 * v0);
                        acc = acc + v2;
                    }
                    for (int s = 16; s > 0; s >>= 1) { const double w = j4_shfl_down(acc, s); acc = acc + w; }
                    if ((threadIdx.x & 31) == 0) j4_part[threadIdx.x >> 5] = acc;
                    __syncthreads();
                    if (threadIdx.x < 32) {
                        acc = threadIdx.x < (blockDim.x >> 5) ? j4_part[threadIdx.x] : 0;
                        for (int s = 16; s > 0; s >>= 1) { const double w = j4_shfl_down(acc, s); acc = acc + w; }
                    }
                    if (threadIdx.x == 0) {
                        j4_part_k0[blockIdx.x] = acc;
                        __threadfence();
                        j4_last = atomicAdd(&j4_done_k0, 1u) == gridDim.x - 1;
                    }
                    __syncthreads();
                    if (!j4_last) return;
                    __threadfence();
                    acc = 0;
                    for (unsigned b = threadIdx.x; b < gridDim.x; b += blockDim.x) {
                        const double w = ((volatile double*) j4_part_k0)[b];
                        acc = acc + w;
                    }
                    for (int s = 16; s > 0; s >>= 1) { const double w = j4_shfl_down(acc, s); acc = acc + w; }
                    if ((threadIdx.x & 31) == 0) j4_part[threadIdx.x >> 5] = acc;
                    __syncthreads();
                    if (threadIdx.x < 32) {
                        acc = threadIdx.x < (blockDim.x >> 5) ? j4_part[threadIdx.x] : 0;
                        for (int s = 16; s > 0; s >>= 1) { const double w = j4_shfl_down(acc, s); acc = acc + w; }
                    }
                    if (threadIdx.x == 0) {
                        p1[o] = (float) acc;
                        j4_done_k0 = 0;
                    }
                }
                """, src);
    }

    @Test
    void launchShapes() {
        var flat = new KernelIR.Kernel("k", List.of(), new KernelIR.Flat(1 << 24), List.of(), List.of());
        assertEquals(new CudaDialect.LaunchShape(132 * 16, 256), CudaDialect.launchShape(flat, 132));
        var small = new KernelIR.Kernel("k", List.of(), new KernelIR.Flat(4), List.of(), List.of());
        assertEquals(new CudaDialect.LaunchShape(1, 256), CudaDialect.launchShape(small, 132));
        var split = new KernelIR.Kernel("k", List.of(), new KernelIR.Reduction(1, 1 << 24, "add", 0, io.jax4j.DType.F32), List.of(), List.of());
        assertEquals(new CudaDialect.LaunchShape(1024, 256), CudaDialect.launchShape(split, 132));
        var rows = new KernelIR.Kernel("k", List.of(), new KernelIR.Reduction(10, 1000, "max", 0, io.jax4j.DType.F32), List.of(), List.of());
        assertEquals(new CudaDialect.LaunchShape(10, 256), CudaDialect.launchShape(rows, 132));
    }
}
