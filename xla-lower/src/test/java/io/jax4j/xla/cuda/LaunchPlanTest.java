package io.jax4j.xla.cuda;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Lax;
import io.jax4j.Np;
import io.jax4j.xla.internal.CudaDialect;
import io.jax4j.xla.internal.Lowering;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.jax4j.xla.Traced.f32;
import static io.jax4j.xla.Traced.trace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Kernel plan to device commands, with no device: offsets, grids, GEMM strides, what a graph can hold. */
class LaunchPlanTest {
    static LaunchPlan plan(java.util.function.Function<List<Array>, List<Array>> f, boolean[] donated, io.jax4j.ShapedArray... avals) {
        return LaunchPlan.of(Lowering.lower(trace(f, avals), donated, "t", CudaDialect.INSTANCE), 132);
    }

    @Test
    void mlpLayerIsOneGraphOfGemmAndFusedEpilogue() {
        LaunchPlan p = plan(xs -> List.of(Np.maximum(Np.add(xs.get(0).matmul(xs.get(1)), xs.get(2)), Array.weak(0))),
                null, f32(128, 784), f32(784, 512), f32(512));
        // the batch (401 kB) and the bias are staged through the arena; the 1.6 MB weights are read in place;
        // the product is scratch at the arena's start; the 256 kB result is staged and copied out
        assertEquals("""
                launch plan: 1 launches, arena 927744 bytes, one CUDA graph
                  copy in  arg 0 -> slot 0 @262144 (401408 B)
                  copy in  arg 2 -> slot 2 @663552 (2048 B)
                  gemm     dot_general f32[128,784] x f32[784,512] -> f32[128,512] (batch 1) slots 0 1 -> 3 @0
                  launch   k0 <<<256, 256>>>
                  copy out slot 4 @665600 -> out 0 (262144 B)
                """, p.toString());
        assertTrue(p.capturable());
        assertEquals(new LaunchPlan.InputBuffer(1), p.bindings()[1]);
        var g = (LaunchPlan.Gemm) p.commands().get(2);
        assertEquals(0, g.call().a());
        assertEquals(1, g.call().b());
        assertEquals(128, g.call().spec().m());
        assertEquals(512, g.call().spec().n());
        assertEquals(784, g.call().spec().k());
        for (LaunchPlan.Binding b : p.bindings()) if (b instanceof LaunchPlan.InArena a) assertEquals(0, a.offset() % LaunchPlan.ALIGN);
        assertEquals(List.of(), p.hostOps());
    }

    @Test
    void largeOutputsGetTheirOwnBuffers() {
        LaunchPlan p = plan(xs -> List.of(Np.tanh(xs.get(0))), null, f32(1024, 1024));
        assertEquals(new LaunchPlan.InputBuffer(0), p.bindings()[0]);
        assertEquals(new LaunchPlan.OutputBuffer(0, -1), p.bindings()[1]);
        assertTrue(p.commands().stream().noneMatch(c -> c instanceof LaunchPlan.CopyIn || c instanceof LaunchPlan.CopyOut), p.toString());
        assertEquals(LaunchPlan.ALIGN, p.arenaBytes(), "nothing lives in the arena");
    }

    @Test
    void batchedGemmStrides() {
        LaunchPlan p = plan(xs -> List.of(Lax.dotGeneral(xs.get(0), xs.get(1), new int[]{2}, new int[]{1}, new int[]{0}, new int[]{0})),
                null, f32(6, 3, 4), f32(6, 4, 5));
        var g = p.commands().stream().filter(c -> c instanceof LaunchPlan.Gemm).map(c -> ((LaunchPlan.Gemm) c).call()).findFirst().orElseThrow();
        assertEquals(6, g.spec().batch());
        assertEquals(12, g.strideA());
        assertEquals(20, g.strideB());
        assertEquals(15, g.strideC());
        assertTrue(g.f32());
    }

    @Test
    void hostOpsMakeThePlanUncapturable() {
        LaunchPlan p = plan(xs -> List.of(Lax.sort(Lax.exp(xs.get(0)), 1)), null, f32(4, 6));
        assertFalse(p.capturable());
        assertTrue(p.toString().contains("host     sort"), p.toString());
        assertTrue(p.toString().contains("not capturable (host ops: sort)"), p.toString());
        assertEquals(List.of("sort"), p.hostOps());
        // argmax is a kernel
        assertTrue(plan(xs -> List.of(Lax.argmax(Lax.exp(xs.get(0)), 1, DType.I32)), null, f32(4, 6)).capturable());
    }

    @Test
    void donatedOutputIsWrittenIntoTheDonatedBuffer() {
        var f = (java.util.function.Function<List<Array>, List<Array>>) xs -> List.of(Lax.sub(xs.get(0), Lax.mulScalar(xs.get(1), 0.1)));
        LaunchPlan kept = plan(f, new boolean[]{false, false}, f32(1000), f32(1000));
        LaunchPlan donated = plan(f, new boolean[]{true, false}, f32(1000), f32(1000));
        int out = 2;
        assertTrue(kept.bindings()[out] instanceof LaunchPlan.InArena, "a small output is staged: " + kept);
        assertEquals(new LaunchPlan.OutputBuffer(0, 0), donated.bindings()[out]);
        assertEquals(new LaunchPlan.InputBuffer(0), donated.bindings()[0], "a donor is never staged");
        assertTrue(donated.commands().stream().noneMatch(c -> c instanceof LaunchPlan.CopyOut), donated.toString());
        assertTrue(donated.arenaBytes() < kept.arenaBytes());
    }

    @Test
    void reshapeAliasSharesItsBase() {
        // the product, reshaped, feeds another product: the reshape is an alias of the first product's buffer
        LaunchPlan p = plan(xs -> List.of(Lax.dotGeneral(Lax.reshape(Lax.dotGeneral(xs.get(0), xs.get(1), new int[]{1}, new int[]{0}, new int[0], new int[0]), 4, 3),
                xs.get(2), new int[]{1}, new int[]{0}, new int[0], new int[0])), null, f32(3, 5), f32(5, 4), f32(3, 2));
        var gemms = p.commands().stream().filter(c -> c instanceof LaunchPlan.Gemm).map(c -> ((LaunchPlan.Gemm) c).call()).toList();
        assertEquals(2, gemms.size());
        assertEquals(new LaunchPlan.AliasOf(gemms.get(0).c()), p.bindings()[gemms.get(1).a()], "the second product reads the first one's buffer");
        assertEquals(0, p.launches());
    }

    @Test
    void poolingGradientsZeroTheirOutputBeforeScattering() {
        LaunchPlan p = plan(xs -> List.of(io.jax4j.autodiff.Jax.grad((io.vavr.Function1<Array, Array>) t -> Np.sum(
                io.jax4j.Pooling.maxPool(t, new int[]{2, 2}, new int[]{2, 2}, "VALID"))).apply(xs.get(0))), null, f32(2, 8, 8, 4));
        String text = p.toString();
        int zero = text.indexOf("zero     slot"), launch = text.indexOf("launch   n");
        assertTrue(zero >= 0 && launch > zero, "the scatter's output is zeroed before its kernel runs:\n" + text);
        assertTrue(p.capturable(), text);
    }

    @Test
    void groupedConvolutionsAreOneProductPerGroupAtItsOffsets() {
        var dn = io.jax4j.prims.Convolution.ConvDimensionNumbers.of("NHWC", "HWIO", "NHWC");
        LaunchPlan p = plan(xs -> List.of(Lax.convGeneralDilated(xs.get(0), xs.get(1), new int[]{1, 1}, "SAME", null, null, dn, 2)),
                null, f32(2, 5, 5, 4), f32(3, 3, 2, 6));
        var gemms = p.commands().stream().filter(c -> c instanceof LaunchPlan.Gemm).map(c -> ((LaunchPlan.Gemm) c).call()).toList();
        assertEquals(2, gemms.size(), p.toString());
        long m = 2 * 5 * 5, k = 3 * 3 * 2, n = 3;
        assertEquals(m * k * 4, gemms.get(1).offsetA(), "group 1's columns");
        assertEquals(n * 4, gemms.get(1).offsetB(), "group 1's out-features of the kernel");
        assertEquals(n * 4, gemms.get(1).offsetC());
        assertEquals(6, gemms.get(1).ldc(), "rows of the output are all 6 features");
        assertTrue(p.commands().getFirst() instanceof LaunchPlan.Launch || p.commands().getFirst() instanceof LaunchPlan.CopyIn, p.toString());
    }

    @Test
    void wholeArraySumIsOneSplitLaunch() {
        LaunchPlan p = plan(xs -> List.of(Lax.reduceSum(Lax.mul(Lax.tanh(xs.get(0)), xs.get(0)), 0)), null, f32(1 << 24));
        assertTrue(p.toString().contains("launch   k0 <<<1024, 256>>>"), p.toString());
    }

    @Test
    void precisionParsing() {
        assertEquals(Cublas.Precision.DEFAULT, Cublas.Precision.parse(null));
        assertEquals(Cublas.Precision.HIGHEST, Cublas.Precision.parse("highest"));
        assertEquals(Cublas.Precision.DEFAULT, Cublas.Precision.parse("tensorfloat32"));
        assertEquals(Cublas.COMPUTE_32F_FAST_TF32, Cublas.computeType(true, Cublas.Precision.DEFAULT));
        assertEquals(Cublas.COMPUTE_32F, Cublas.computeType(true, Cublas.Precision.HIGHEST));
        assertEquals(Cublas.COMPUTE_64F, Cublas.computeType(false, Cublas.Precision.DEFAULT));
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Cublas.Precision.parse("fastest"));
        assertTrue(e.getMessage().contains("use default (TF32 on the GPU) or highest"));
    }
}
