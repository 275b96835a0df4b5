package io.jax4j.xla.internal;

import io.jax4j.Array;
import io.jax4j.Lax;
import io.jax4j.Np;
import io.jax4j.ir.Jaxpr;
import io.jax4j.ir.JaxprChecker;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.jax4j.xla.Traced.f32;
import static io.jax4j.xla.Traced.trace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Kernel counts of the fusion rules (tinygrad's check_schedule). */
class FusionTest {
    static KernelPlan plan(Jaxpr j) {
        Jaxpr p = Lowering.passes(j);
        JaxprChecker.check(p);
        return FusionPlanner.plan(p);
    }

    static Array w4(Array x) {
        return Lax.mul(Lax.tanh(Lax.addScalar(Lax.mulScalar(x, 1.5), 0.5)), Lax.exp(Lax.neg(Lax.mul(x, x))));
    }

    /**
     * The CNN layer's three convolutions by direct kernels (forward, input gradient, weight gradient); with 4 -> 8 features (not direct), the weight gradient
     * reads the forward pass's im2col columns and the input gradient is a GEMM then a gather.
     */
    @Test
    void eachConvolutionOfALayerGetsItsMethod() {
        // (without AVX-512 the direct kernels are off, and the wide layer takes the paths of the narrow one)
        assertEquals(ConvSpec.DIRECT_KERNELS ? List.of(ConvSpec.Method.DIRECT, ConvSpec.Method.DIRECT, ConvSpec.Method.DIRECT_WEIGHTS)
                        : List.of(ConvSpec.Method.IM2COL, ConvSpec.Method.IM2COL_TRANSPOSED, ConvSpec.Method.GEMM_THEN_GATHER),
                convs(layer(32, 64)).stream().map(c -> c.spec().method()).sorted().toList());
        List<KernelPlan.Conv> narrow = convs(layer(4, 8));
        assertEquals(List.of(ConvSpec.Method.IM2COL, ConvSpec.Method.IM2COL_TRANSPOSED, ConvSpec.Method.GEMM_THEN_GATHER),
                narrow.stream().map(c -> c.spec().method()).sorted().toList());
        KernelPlan.Conv forward = narrow.stream().filter(c -> c.spec().method() == ConvSpec.Method.IM2COL).findFirst().orElseThrow();
        KernelPlan.Conv weights = narrow.stream().filter(c -> c.spec().transposed()).findFirst().orElseThrow();
        assertTrue(weights.reusesCol() && !forward.reusesCol(), narrow.toString());
        assertEquals(forward.col(), weights.col());
        assertEquals(3 * 3 * 4, weights.spec().m());
        assertEquals(4 * 14 * 14, weights.spec().k());
    }

    private static KernelPlan layer(int in, int out) {
        java.util.function.BiFunction<Array, Array, Array> conv = (x, w) -> Lax.convGeneralDilated(x, w, new int[]{1, 1}, "SAME", null, null,
                io.jax4j.prims.Convolution.ConvDimensionNumbers.of("NHWC", "HWIO", "NHWC"), 1);
        return plan(trace(xs -> {
            Array gx = io.jax4j.autodiff.Jax.grad((Array x, Array w) -> Np.sum(conv.apply(x, w))).apply(xs.get(0), xs.get(1));
            Array gw = io.jax4j.autodiff.Jax.grad((Array w, Array x) -> Np.sum(conv.apply(x, w))).apply(xs.get(1), xs.get(0));
            return List.of(conv.apply(xs.get(0), xs.get(1)), gx, gw);
        }, f32(4, 14, 14, in), f32(3, 3, in, out)));
    }

    private static List<KernelPlan.Conv> convs(KernelPlan p) {
        return p.steps().stream().filter(KernelPlan.Conv.class::isInstance).map(KernelPlan.Conv.class::cast).toList();
    }

    /**
     * A grouped convolution (a layer under a replica axis: a feature group per replica) and both its
     * gradients (the weight gradient is grouped too) split into one ungrouped convolution per group,
     * each taking the direct kernels where the host has them; the numbers equal the reference.
     */
    @Test
    void groupedConvolutionsSplitIntoDirectOnesPerGroup() {
        var dn = io.jax4j.prims.Convolution.ConvDimensionNumbers.of("NHWC", "HWIO", "NHWC");
        java.util.function.BiFunction<Array, Array, Array> conv = (x, w) -> Lax.convGeneralDilated(x, w, new int[]{1, 1}, "SAME", null, null, dn, 2);
        Jaxpr j = trace(xs -> {
            Array gx = io.jax4j.autodiff.Jax.grad((Array x, Array w) -> Np.sum(Np.square(conv.apply(x, w)))).apply(xs.get(0), xs.get(1));
            Array gw = io.jax4j.autodiff.Jax.grad((Array w, Array x) -> Np.sum(Np.square(conv.apply(x, w)))).apply(xs.get(1), xs.get(0));
            return List.of(conv.apply(xs.get(0), xs.get(1)), gx, gw);
        }, f32(4, 10, 10, 32), f32(3, 3, 16, 64));
        KernelPlan p = plan(j);
        if (ConvSpec.DIRECT_KERNELS) {
            long direct = p.steps().stream().filter(st -> st instanceof KernelPlan.Conv c
                    && (c.spec().method() == ConvSpec.Method.DIRECT || c.spec().method() == ConvSpec.Method.DIRECT_WEIGHTS)).count();
            assertEquals(6, direct, "two groups each of the forward, input-gradient and weight-gradient convolutions, direct:\n" + p);
            for (KernelPlan.Step st : p.steps()) {
                if (st instanceof KernelPlan.Conv c && c.spec().groups() > 1) assertTrue(!ConvLayout.splits(c.eqn()), "left grouped: " + c);
            }
        }
        assertCpuEqualsReference(j, 1e-4f, 4, f32(4, 10, 10, 32), f32(3, 3, 16, 64));
    }

    /** The cpu backend's outputs of {@code j} on random inputs equal the reference backend's, within tol of each output's largest magnitude. */
    private static void assertCpuEqualsReference(Jaxpr j, float tol, long seed, io.jax4j.ShapedArray... avals) {
        io.jax4j.xla.cpu.CpuAvailable.assume();
        java.util.Random rnd = new java.util.Random(seed);
        List<io.jax4j.core.ArrayImpl> args = new java.util.ArrayList<>();
        for (io.jax4j.ShapedArray a : avals) args.add(io.jax4j.xla.Traced.random(a, rnd, false));
        List<Array> want = io.jax4j.core.ReferenceBackend.INSTANCE.compile(j, new boolean[avals.length], "oracle").execute(args);
        List<Array> got = io.jax4j.xla.cpu.CpuAvailable.BACKEND.compile(j, new boolean[avals.length], "oracle").execute(args);
        for (int i = 0; i < want.size(); i++) {
            float[] w = want.get(i).toFloatArray(), g = got.get(i).toFloatArray();
            float scale = 1;
            for (float v : w) scale = Math.max(scale, Math.abs(v));
            for (int k = 0; k < w.length; k++) assertEquals(w[k], g[k], tol * scale, "output " + i + " [" + k + "]");
        }
    }

    /**
     * Rule 2b: avg_pool's gradient (an upsampling window) read by a reduction and a transpose is
     * computed once into a buffer, not recomputed inside both consumers' kernels; same numbers as
     * the reference.
     */
    @Test
    void anUpsamplingWindowReadTwiceIsComputedOnce() {
        Jaxpr j = trace(xs -> {
            Array g = io.jax4j.autodiff.Jax.grad((Array t) -> Np.sum(Np.multiply(io.jax4j.Pooling.avgPool(t, new int[]{2, 2}, new int[]{2, 2}, "VALID"),
                    xs.get(1)))).apply(xs.get(0));
            Array masked = Np.where(Np.greater(xs.get(0), Array.weak(0)), g, Np.zerosLike(g));
            return List.of(Np.sum(masked, new int[]{0, 1, 2}, false), Np.transpose(masked, 3, 0, 1, 2));
        }, f32(4, 8, 8, 6), f32(4, 4, 4, 6));
        KernelPlan p = plan(j);
        long windows = p.steps().stream().filter(st -> st instanceof KernelPlan.Fused f
                && f.eqns().stream().anyMatch(e -> e.primitive() == io.jax4j.prims.Windows.REDUCE_WINDOW_SUM)).count();
        assertEquals(1, windows, "one kernel evaluates the window:\n" + p);
        assertCpuEqualsReference(j, 1e-5f, 3, f32(4, 8, 8, 6), f32(4, 4, 4, 6));
    }

    @Test
    void w4ValueIsOneKernel() {
        KernelPlan p = plan(trace(xs -> List.of(Np.sum(w4(xs.get(0)))), f32(1 << 20)));
        assertEquals(1, p.steps().size(), p.toString());
        KernelPlan.Fused k = assertInstanceOf(KernelPlan.Fused.class, p.steps().getFirst());
        assertEquals("reduce_sum", k.reduce().primitive().name());
        assertEquals(1, k.reads().size());
    }

    @Test
    void w4ValueAndGradIsOneKernelWithTwoOutputs() {
        KernelPlan p = plan(trace(xs -> {
            Array x = xs.get(0);
            Array t = Lax.tanh(Lax.addScalar(Lax.mulScalar(x, 1.5), 0.5)), e = Lax.exp(Lax.neg(Lax.mul(x, x)));
            Array value = Np.sum(Lax.mul(t, e));
            // d/dx = 1.5 (1 - t²) e + t e (-2x)
            Array grad = Lax.add(Lax.mul(Lax.mulScalar(Lax.rsubScalar(1, Lax.mul(t, t)), 1.5), e), Lax.mul(Lax.mul(t, e), Lax.mulScalar(x, -2)));
            return List.of(value, grad);
        }, f32(1 << 20)));
        assertEquals(1, p.kernelCount(), p.toString());
        assertEquals(1, p.steps().size(), p.toString());
        KernelPlan.Fused k = (KernelPlan.Fused) p.steps().getFirst();
        assertEquals(2, k.roots().size(), "the sum and the gradient are both stored by the one pass");
        assertEquals(1, k.reads().size(), "x is read once");
    }

    @Test
    void meanIsOneKernelWithTheDivisionAsEpilogue() {
        KernelPlan p = plan(trace(xs -> List.of(Np.mean(Lax.exp(xs.get(0))), Np.mean(xs.get(1), new int[]{1}, false)), f32(1000), f32(64, 33)));
        assertEquals(2, p.kernelCount(), p.toString());
        for (KernelPlan.Step s : p.steps()) {
            KernelPlan.Fused k = assertInstanceOf(KernelPlan.Fused.class, s);
            assertEquals("reduce_sum", k.reduce().primitive().name());
            assertTrue(k.eqns().stream().anyMatch(e -> e.primitive().name().equals("div")), p.toString());
        }
    }

    @Test
    void adamUpdateOfParamsMuAndNuIsOneKernel() {
        KernelPlan p = plan(trace(xs -> {
            Array param = xs.get(0), g = xs.get(1), mu = xs.get(2), nu = xs.get(3);
            Array mu2 = Np.add(Np.multiply(mu, Array.weak(0.9f)), Np.multiply(g, Array.weak(0.1f)));
            Array nu2 = Np.add(Np.multiply(nu, Array.weak(0.999f)), Np.multiply(Np.multiply(g, g), Array.weak(0.001f)));
            Array p2 = Np.subtract(param, Np.multiply(Np.divide(mu2, Np.add(Np.sqrt(nu2), Array.weak(1e-8f))), Array.weak(1e-3f)));
            return List.of(p2, mu2, nu2);
        }, f32(784, 512), f32(784, 512), f32(784, 512), f32(784, 512)));
        assertEquals(1, p.kernelCount(), p.toString());
        assertEquals(3, ((KernelPlan.Fused) p.steps().getFirst()).roots().size(), p.toString());
    }

    @Test
    void w4ThroughTheRealAutodiffIsOneKernel() {
        KernelPlan p = plan(io.jax4j.autodiff.Jax.makeJaxpr((Array x) -> {
            var vg = io.jax4j.autodiff.Jax.valueAndGrad((Array y) -> Np.sum(Np.multiply(Np.tanh(Np.add(Np.multiply(y, Array.weak(1.5f)),
                    Array.weak(0.5f))), Np.exp(Np.negative(Np.multiply(y, y)))))).apply(x);
            return List.of(vg.value(), vg.grad());
        }).apply(Array.zeros(1 << 20)).jaxpr());
        assertEquals(1, p.kernelCount(), p.toString());
        assertEquals(1, p.steps().size(), p.toString());
    }

    @Test
    void mlpLayerIsAGemmAndOneFusedKernel() {
        KernelPlan p = plan(trace(xs -> List.of(Np.maximum(Np.add(xs.get(0).matmul(xs.get(1)), xs.get(2)), Array.weak(0))),
                f32(128, 784), f32(784, 512), f32(512)));
        assertEquals(1, p.gemmCount(), p.toString());
        assertEquals(1, p.kernelCount(), p.toString());
        assertInstanceOf(KernelPlan.Gemm.class, p.steps().get(0));
        assertTrue(p.toString().contains("fused k0 over f32[128,512]"), p.toString());
    }

    @Test
    void sameDomainOutputsShareAKernelAndReductionsGetTheirOwn() {
        KernelPlan p = plan(trace(xs -> {
            Array x = xs.get(0);
            Array s = Lax.sin(x);
            return List.of(Lax.mul(s, s), Lax.add(s, x), Lax.reduceMax(x, 1), Lax.reduceSum(x, 1));
        }, f32(8, 16)));
        assertEquals(3, p.kernelCount(), p.toString());
        assertEquals(2, ((KernelPlan.Fused) p.steps().get(0)).roots().size(), p.toString());
    }

    @Test
    void expensiveValuesAreMaterialisedBeforeAnExpandingBroadcast() {
        KernelPlan p = plan(trace(xs -> List.of(Lax.mul(xs.get(0),
                Lax.broadcastInDim(Lax.exp(xs.get(1)), new int[]{64, 32}, new int[]{1}))), f32(64, 32), f32(32)));
        assertEquals(2, p.kernelCount(), p.toString());
    }

    @Test
    void otherPrimitivesRunAsHostOpsSoEveryJaxprRuns() {
        KernelPlan p = plan(trace(xs -> List.of(Lax.sort(Lax.exp(xs.get(0)), 1)), f32(4, 6)));
        assertEquals(1, p.hostCount(), p.toString());
        assertEquals(1, p.kernelCount(), p.toString());
    }

    @Test
    void reshapeOfABufferIsAnAlias() {
        KernelPlan p = plan(trace(xs -> List.of(Lax.reshape(xs.get(0).matmul(xs.get(1)), 2, 6).matmul(xs.get(2))),
                f32(3, 5), f32(5, 4), f32(6, 2)));
        assertEquals(0, p.kernelCount(), p.toString());
        assertEquals(2, p.gemmCount(), p.toString());
        assertTrue(p.steps().stream().anyMatch(s -> s instanceof KernelPlan.Alias), p.toString());
    }

    @Test
    void transposedAndBatchedGemmsNeedNoCopies() {
        KernelPlan p = plan(trace(xs -> List.of(
                Lax.dotGeneral(xs.get(0), xs.get(1), new int[]{0}, new int[]{1}, new int[0], new int[0]),
                Lax.dotGeneral(xs.get(2), xs.get(3), new int[]{1}, new int[]{2}, new int[]{0}, new int[]{0})),
                f32(7, 5), f32(3, 7), f32(2, 4, 3), f32(2, 5, 4)));
        assertEquals(0, p.kernelCount(), p.toString());
        assertEquals(2, p.gemmCount(), p.toString());
    }
}
