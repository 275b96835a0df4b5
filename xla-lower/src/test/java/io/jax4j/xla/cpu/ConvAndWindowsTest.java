package io.jax4j.xla.cpu;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Lax;
import io.jax4j.Np;
import io.jax4j.ShapedArray;
import io.jax4j.autodiff.Jax;
import io.jax4j.core.ArrayImpl;
import io.jax4j.core.ReferenceBackend;
import io.jax4j.ir.Jaxpr;
import io.jax4j.prims.Convolution.ConvDimensionNumbers;
import io.jax4j.xla.Traced;
import io.jax4j.xla.internal.FusionPlanner;
import io.jax4j.xla.internal.KernelPlan;
import io.jax4j.xla.internal.Lowering;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import static io.jax4j.xla.Traced.f32;
import static io.jax4j.xla.Traced.f64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Convolutions (im2col + GEMM), pooling and its gradients, rev, threefry and bitcast on the cpu
 * backend against the reference backend on random inputs; every case must run with no host op.
 */
class ConvAndWindowsTest {
    record Case(String name, Function<List<Array>, List<Array>> f, ShapedArray... avals) {}

    static final ConvDimensionNumbers NHWC = ConvDimensionNumbers.of("NHWC", "HWIO", "NHWC");
    static final ConvDimensionNumbers NCHW = ConvDimensionNumbers.of("NCHW", "OIHW", "NCHW");

    static Array conv(Array x, Array w, int[] strides, int[][] pad, int[] ld, int[] rd, ConvDimensionNumbers dn, int fgc, int bgc) {
        return Lax.convGeneralDilated(x, w, strides, pad, ld, rd, dn, fgc, bgc);
    }

    /** The conv, and the gradients of sum(conv * c) with respect to both operands (the transposed convs). */
    static Case convAndGrads(String name, ShapedArray x, ShapedArray w, Function<List<Array>, Array> f) {
        return new Case(name, xs -> {
            Array y = f.apply(xs);
            Function<Array, Array> sq = v -> Np.sum(Np.multiply(v, Lax.sin(v)));
            Array gx = Jax.grad((Array a, Array b) -> sq.apply(f.apply(List.of(a, b)))).apply(xs.get(0), xs.get(1));
            Array gw = Jax.grad((Array b, Array a) -> sq.apply(f.apply(List.of(a, b)))).apply(xs.get(1), xs.get(0));
            return List.of(y, gx, gw);
        }, x, w);
    }

    static List<Case> cases() {
        List<Case> cs = new ArrayList<>();
        int[][] same = {{1, 1}, {1, 1}};
        cs.add(convAndGrads("NHWC 3x3 SAME (the CNN layer)", f32(2, 6, 5, 3), f32(3, 3, 3, 4),
                xs -> Lax.convGeneralDilated(xs.get(0), xs.get(1), new int[]{1, 1}, "SAME", null, null, NHWC, 1)));
        // the direct kernels: 64 features in blocks of 7 pixels over rows of 11 (a remainder), 16 back;
        // 80 features (5 blocks of one vector), a VALID 2x3 window
        cs.add(convAndGrads("NHWC 3x3 SAME, 16 -> 64 features (direct kernels)", f32(2, 5, 11, 16), f32(3, 3, 16, 64),
                xs -> Lax.convGeneralDilated(xs.get(0), xs.get(1), new int[]{1, 1}, "SAME", null, null, NHWC, 1)));
        cs.add(convAndGrads("NHWC 2x3 VALID, 3 -> 80 features (direct kernel)", f32(2, 5, 7, 3), f32(2, 3, 3, 80),
                xs -> Lax.convGeneralDilated(xs.get(0), xs.get(1), new int[]{1, 1}, "VALID", null, null, NHWC, 1)));
        cs.add(convAndGrads("NHWC stride 2, asymmetric padding", f32(2, 7, 6, 2), f32(3, 2, 2, 3),
                xs -> conv(xs.get(0), xs.get(1), new int[]{2, 2}, new int[][]{{1, 0}, {0, 2}}, null, null, NHWC, 1, 1)));
        cs.add(convAndGrads("NCHW/OIHW (transposed layouts)", f32(2, 3, 5, 5), f32(4, 3, 3, 2),
                xs -> conv(xs.get(0), xs.get(1), new int[]{1, 2}, same, null, null, NCHW, 1, 1)));
        cs.add(convAndGrads("rhs and lhs dilation", f32(1, 6, 6, 2), f32(2, 3, 2, 3),
                xs -> conv(xs.get(0), xs.get(1), new int[]{1, 1}, same, new int[]{2, 1}, new int[]{2, 1}, NHWC, 1, 1)));
        cs.add(convAndGrads("feature groups", f32(2, 5, 5, 4), f32(3, 3, 2, 6),
                xs -> conv(xs.get(0), xs.get(1), new int[]{1, 1}, same, null, null, NHWC, 2, 1)));
        cs.add(convAndGrads("depthwise (groups = channels), stride 2", f32(2, 6, 6, 3), f32(3, 3, 1, 3),
                xs -> conv(xs.get(0), xs.get(1), new int[]{2, 2}, same, null, null, NHWC, 3, 1)));
        cs.add(new Case("batch groups", xs -> List.of(conv(xs.get(0), xs.get(1), new int[]{1, 1}, same, null, null, NHWC, 1, 2)),
                f32(4, 5, 5, 3), f32(3, 3, 3, 4)));
        cs.add(convAndGrads("1-d NWC f64", f64(2, 9, 3), f64(4, 3, 5),
                xs -> conv(xs.get(0), xs.get(1), new int[]{2}, new int[][]{{2, 1}}, null, null, ConvDimensionNumbers.of("NWC", "WIO", "NWC"), 1, 1)));
        // pooling and its gradients
        cs.add(new Case("avg_pool 2x2 and its gradient", xs -> {
            Function<Array, Array> pool = x -> Np.divide(Lax.reduceWindowSum(x, new int[]{1, 2, 2, 1}, new int[]{1, 2, 2, 1}, "VALID"), Array.weak(4f));
            Array g = Jax.grad((Array x) -> Np.sum(Np.multiply(pool.apply(x), pool.apply(x)))).apply(xs.get(0));
            return List.of(pool.apply(xs.get(0)), g);
        }, f32(2, 6, 6, 5)));
        cs.add(new Case("avg_pool 2x2 over the innermost axes (NCHW) and its gradient", xs -> {
            Function<Array, Array> pool = x -> Np.divide(Lax.reduceWindowSum(x, new int[]{1, 1, 2, 2}, new int[]{1, 1, 2, 2}, "VALID"), Array.weak(4f));
            Array g = Jax.grad((Array x) -> Np.sum(Np.multiply(pool.apply(x), Lax.sin(pool.apply(x))))).apply(xs.get(0));
            return List.of(pool.apply(xs.get(0)), g);
        }, f32(2, 3, 4, 6)));
        cs.add(new Case("avg_pool 3x3 stride 2 SAME, padded (row kernel) and its gradient", xs -> {
            Function<Array, Array> pool = x -> Lax.reduceWindowSum(x, new int[]{1, 3, 3, 1}, new int[]{1, 2, 2, 1}, "SAME");
            Array g = Jax.grad((Array x) -> Np.sum(Np.multiply(pool.apply(x), pool.apply(x)))).apply(xs.get(0));
            return List.of(pool.apply(xs.get(0)), g, Lax.reduceWindowMax(xs.get(0), new int[]{1, 2, 2, 1}, new int[]{1, 1, 1, 1}, "VALID"));
        }, f32(2, 7, 6, 8)));
        cs.add(new Case("sums over leading axes (bias gradients: column kernel)", xs -> List.of(
                Np.sum(xs.get(0), new int[]{0, 1}, false), Np.sum(Lax.exp(xs.get(0)), new int[]{0}, false), Np.mean(xs.get(1), new int[]{0}, false)),
                f32(64, 33, 7), f32(300, 9000)));
        cs.add(new Case("sums with epilogues: means, a variance, log-sum-exp", xs -> {
            Array x = xs.get(0);
            Array mean = Np.mean(x, new int[]{1}, false);
            Array var = Np.subtract(Np.mean(Np.multiply(x, x), new int[]{1}, false), Np.multiply(mean, mean));
            Array lse = Np.add(Np.log(Np.sum(Np.exp(x), new int[]{1}, false)), Array.weak(1f));
            return List.of(Np.mean(Lax.exp(xs.get(1))), mean, var, lse, Np.sqrt(Np.add(var, Array.weak(1e-5f))));
        }, f32(37, 29), f32(1000)));
        cs.add(new Case("Adam's update of params, mu and nu (one multi-output kernel)", xs -> {
            Array param = xs.get(0), g = xs.get(1), mu = xs.get(2), nu = xs.get(3);
            Array mu2 = Np.add(Np.multiply(mu, Array.weak(0.9f)), Np.multiply(g, Array.weak(0.1f)));
            Array nu2 = Np.add(Np.multiply(nu, Array.weak(0.999f)), Np.multiply(Np.multiply(g, g), Array.weak(0.001f)));
            Array p2 = Np.subtract(param, Np.multiply(Np.divide(mu2, Np.add(Np.sqrt(Np.abs(nu2)), Array.weak(1e-8f))), Array.weak(1e-3f)));
            return List.of(p2, mu2, nu2);
        }, f32(33, 70), f32(33, 70), f32(33, 70), f32(33, 70)));
        cs.add(new Case("W4 value and grad: one kernel storing the sum and the gradient", xs -> {
            var vg = Jax.valueAndGrad((Array y) -> Np.sum(Np.multiply(Np.tanh(Np.add(Np.multiply(y, Array.weak(1.5f)), Array.weak(0.5f))),
                    Np.exp(Np.negative(Np.multiply(y, y)))))).apply(xs.get(0));
            Array rows = Np.sum(Np.multiply(Lax.exp(xs.get(1)), Array.weak(2f)), new int[]{1}, false);
            return List.of(vg.value(), vg.grad(), rows, Lax.exp(xs.get(1)));
        }, f32(100_003), f32(37, 29)));
        cs.add(new Case("max_pool 3x3 stride 2 SAME and its gradient (select_and_scatter_add)", xs -> {
            Function<Array, Array> pool = x -> Lax.reduceWindowMax(x, new int[]{1, 3, 3, 1}, new int[]{1, 2, 2, 1}, "SAME");
            Array g = Jax.grad((Array x) -> Np.sum(Np.multiply(pool.apply(x), pool.apply(x)))).apply(xs.get(0));
            return List.of(pool.apply(xs.get(0)), g);
        }, f32(2, 7, 6, 2)));
        cs.add(new Case("min_pool and the JVP of max_pool (select_and_gather_add)", xs -> {
            Array mn = Lax.reduceWindowMin(xs.get(0), new int[]{2, 2}, new int[]{1, 1}, "VALID");
            Array t = Jax.jvp((Array x) -> Lax.reduceWindowMax(x, new int[]{2, 3}, new int[]{2, 1}, "SAME"), xs.get(0), xs.get(1)).tangentsOut();
            return List.of(mn, t);
        }, f32(7, 8), f32(7, 8)));
        cs.add(new Case("rev, threefry and bitcast (a dropout mask)", xs -> {
            List<Array> tf = io.jax4j.prims.RandomPrimitives.THREEFRY2X32.bind(io.jax4j.core.Params.NONE, List.of(xs.get(1), xs.get(2), xs.get(3), xs.get(4)));
            Array bits = Lax.bitwiseXor(tf.get(0), tf.get(1));
            Array u = Lax.bitcastConvertType(Lax.bitwiseOr(Lax.shiftRightLogical(bits, Lax.fullLike(bits, 9)), Lax.fullLike(bits, 0x3F800000L)), DType.F32);
            return List.of(Lax.rev(xs.get(0), 0, 1), Np.multiply(u, Lax.rev(xs.get(0), 1)), bits);
        }, f32(5, 33), ShapedArray.of(DType.U32), ShapedArray.of(DType.U32), ShapedArray.of(DType.U32, 5, 33), ShapedArray.of(DType.U32, 5, 33)));
        return cs;
    }

    @TestFactory
    List<DynamicTest> agreeWithTheReferenceWithNoHostOps() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Case c : cases()) tests.add(DynamicTest.dynamicTest(c.name(), () -> check(c)));
        return tests;
    }

    @org.junit.jupiter.api.Test
    void gemmOperandsComputedByKernelsHaveDenormalsFlushed() {
        CpuAvailable.assume();
        Jaxpr j = Traced.trace(xs -> List.of(Np.multiply(xs.get(0), Array.weak(1e-39f)).matmul(xs.get(1)), Np.multiply(xs.get(0), Array.weak(2e-39f))),
                f32(4, 8), f32(8, 3));
        String src = Lowering.lower(j, null, "ftz", io.jax4j.xla.internal.CDialect.INSTANCE).source();
        assertEquals(1, src.split("1.17549435e-38f", -1).length - 1, "one store (the GEMM operand) is flushed:\n" + src);
        double[] x = new double[32], w = new double[24];
        java.util.Arrays.fill(x, 1.0);
        java.util.Arrays.fill(w, 1.0);
        List<io.jax4j.Array> got = CpuAvailable.BACKEND.compile(j, new boolean[2], "ftz")
                .execute(List.of(ArrayImpl.ofDoubles(f32(4, 8), x), ArrayImpl.ofDoubles(f32(8, 3), w)));
        for (double v : got.get(0).toDoubleArray()) assertEquals(0.0, v);
        for (double v : got.get(1).toDoubleArray()) assertTrue(v > 0 && v < 1.2e-38, "outputs keep their denormals: " + v);
    }

    private static void check(Case c) {
        CpuAvailable.assume();
        Jaxpr j = Traced.trace(c.f(), c.avals());
        KernelPlan plan = FusionPlanner.plan(Lowering.passes(j));
        assertEquals(0, plan.hostCount(), c.name() + ": no host ops expected in\n" + plan);
        assertTrue(plan.nativeCount() > 0 || c.name().startsWith("rev") || c.name().startsWith("sums") || c.name().startsWith("W4") || c.name().startsWith("Adam"), plan.toString());
        Random rnd = new Random(c.name().hashCode());
        List<ArrayImpl> args = new ArrayList<>();
        for (ShapedArray a : c.avals()) args.add(Traced.random(a, rnd, false));
        List<io.jax4j.Array> want = ReferenceBackend.INSTANCE.compile(j, new boolean[args.size()], c.name()).execute(args);
        List<io.jax4j.Array> got = CpuAvailable.BACKEND.compile(j, new boolean[args.size()], c.name()).execute(args);
        for (int k = 0; k < want.size(); k++) {
            assertEquals(want.get(k).aval().str(), got.get(k).aval().str());
            double[] w = want.get(k).toDoubleArray(), g = got.get(k).toDoubleArray();
            // f32 sums in another order: compare relative to the output's scale
            double scale = 1;
            for (double v : w) scale = Math.max(scale, Math.abs(v));
            double tol = want.get(k).dtype() == DType.F64 ? 1e-12 : want.get(k).dtype() == DType.F32 ? 1e-5 : 0;
            for (int i = 0; i < w.length; i++) {
                if (!(Math.abs(w[i] - g[i]) <= tol * scale)) {
                    fail(c.name() + " output " + k + " element " + i + ": cpu " + g[i] + ", reference " + w[i]);
                }
            }
        }
    }
}
