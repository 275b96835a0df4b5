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
        assertEquals("""
                launch plan: 1 launches, arena 2533632 bytes, one CUDA graph
                  upload   arg 0 -> slot 0 @262400 (401408 B)
                  upload   arg 1 -> slot 1 @663808 (1605632 B)
                  upload   arg 2 -> slot 2 @2269440 (2048 B)
                  gemm     dot_general f32[128,784] x f32[784,512] -> f32[128,512] (batch 1)
                  launch   k0 <<<256, 256>>>
                  download slot 4 @2271488 -> out 0 (262144 B)
                """, p.toString());
        assertTrue(p.capturable());
        // the GEMM's product lives in scratch right after the slot table
        var g = (LaunchPlan.Gemm) p.commands().get(3);
        assertEquals(256, g.call().c());
        assertEquals(p.slotOffset()[0], g.call().a());
        assertEquals(p.slotOffset()[1], g.call().b());
        assertEquals(128, g.call().spec().m());
        assertEquals(512, g.call().spec().n());
        assertEquals(784, g.call().spec().k());
        for (long o : p.slotOffset()) assertEquals(0, o % LaunchPlan.ALIGN);
        assertEquals(LaunchPlan.align(401408) + LaunchPlan.align(262144), p.stagingBytes() - LaunchPlan.align(1605632) - LaunchPlan.align(2048));
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
        LaunchPlan p = plan(xs -> List.of(Lax.argmax(Lax.exp(xs.get(0)), 1, DType.I32)), null, f32(4, 6));
        assertFalse(p.capturable());
        assertTrue(p.toString().contains("host     argmax"), p.toString());
        assertTrue(p.toString().contains("not capturable (host ops)"));
    }

    @Test
    void donatedOutputSharesTheInputsBuffer() {
        var f = (java.util.function.Function<List<Array>, List<Array>>) xs -> List.of(Lax.sub(xs.get(0), Lax.mulScalar(xs.get(1), 0.1)));
        LaunchPlan kept = plan(f, new boolean[]{false, false}, f32(1000), f32(1000));
        LaunchPlan donated = plan(f, new boolean[]{true, false}, f32(1000), f32(1000));
        int outKept = ((LaunchPlan.Download) kept.commands().getLast()).slot();
        int outDonated = ((LaunchPlan.Download) donated.commands().getLast()).slot();
        assertTrue(kept.slotOffset()[outKept] != kept.slotOffset()[0]);
        assertEquals(donated.slotOffset()[0], donated.slotOffset()[outDonated]);
        assertTrue(donated.arenaBytes() < kept.arenaBytes());
    }

    @Test
    void reshapeAliasSharesItsBase() {
        // the product, reshaped, feeds another product: the reshape is an alias of the first product's buffer
        LaunchPlan p = plan(xs -> List.of(Lax.dotGeneral(Lax.reshape(Lax.dotGeneral(xs.get(0), xs.get(1), new int[]{1}, new int[]{0}, new int[0], new int[0]), 4, 3),
                xs.get(2), new int[]{1}, new int[]{0}, new int[0], new int[0])), null, f32(3, 5), f32(5, 4), f32(3, 2));
        var gemms = p.commands().stream().filter(c -> c instanceof LaunchPlan.Gemm).map(c -> ((LaunchPlan.Gemm) c).call()).toList();
        assertEquals(2, gemms.size());
        assertEquals(gemms.get(0).c(), gemms.get(1).a(), "the second product reads the first one's buffer");
        long aliases = java.util.Arrays.stream(p.slotOffset()).filter(o -> o == gemms.get(0).c()).count();
        assertEquals(2, aliases, "the product and its reshape share one buffer");
        assertEquals(0, p.launches());
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
