package io.jax4j.bench;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Lax;
import io.jax4j.Np;
import io.jax4j.core.ArrayImpl;
import io.jax4j.core.JitFunction;
import io.jax4j.spi.Backends;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * A minimal timing of W4 (fused elementwise + reduction), W5 (GEMM vs direct cblas_sgemm) and W6
 * (dispatch of a jitted x + 1), on the default backend (cpu when a C compiler is present). Not yet
 * {@code jax4j bench}: no JSON, W4's gradient is written by hand (autodiff lands separately).
 */
public final class QuickBench {
    private QuickBench() {}

    public static void main(String[] args) {
        System.out.println("backend: " + Backends.current().describe());
        w6();
        w4();
        for (int n : new int[]{512, 2048, 4096}) w5(n);
    }

    private static double[] time(int reps, Runnable r) {
        double[] ms = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            r.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return new double[]{ms[reps / 2], ms[0]};
    }

    static void w6() {
        JitFunction f = new JitFunction(a -> ((Array) a.get(0)).add(1), "plus1", Set.of());
        Array x = Array.of(1f, 2f, 3f, 4f);
        List<Object> args = List.of(x);
        for (int i = 0; i < 200_000; i++) f.call(args);
        int n = 200_000;
        double[] t = time(5, () -> { for (int i = 0; i < n; i++) f.call(args); });
        System.out.printf("W6 dispatch x+1 on f32[4]: median %.2f us/call, best %.2f us/call%n", t[0] * 1e3 / n, t[1] * 1e3 / n);
    }

    static void w4() {
        int n = 1 << 24;
        JitFunction f = new JitFunction(a -> {
            Array x = (Array) a.get(0);
            Array t = Lax.tanh(Lax.addScalar(Lax.mulScalar(x, 1.5), 0.5)), e = Lax.exp(Lax.neg(Lax.mul(x, x)));
            Array grad = Lax.add(Lax.mul(Lax.mulScalar(Lax.rsubScalar(1, Lax.mul(t, t)), 1.5), e), Lax.mul(Lax.mul(t, e), Lax.mulScalar(x, -2)));
            return List.of(Np.sum(Lax.mul(t, e)), grad);
        }, "w4", Set.of());
        float[] data = new float[n];
        java.util.Random rnd = new java.util.Random(0);
        for (int i = 0; i < n; i++) data[i] = (float) rnd.nextGaussian();
        Array x = Array.fromFloats(data, n);
        f.call(List.of(x));
        double[] t = time(7, () -> f.call(List.of(x)));
        System.out.printf("W4 value+grad (hand-written grad) on 2^24 f32: median %.1f ms, best %.1f ms (%.1f GB/s at 8 B/elem)%n",
                t[0], t[1], 8.0 * n / t[0] / 1e6);
    }

    static void w5(int n) {
        JitFunction f = new JitFunction(a -> ((Array) a.get(0)).matmul((Array) a.get(1)), "mm", Set.of());
        Array a = Array.full(DType.F32, 0.5, n, n), b = Array.full(DType.F32, 0.25, n, n);
        int reps = n >= 4096 ? 3 : n >= 2048 ? 5 : 20;
        f.call(List.of(a, b));
        double[] t = time(reps, () -> ((ArrayImpl) f.call(List.of(a, b))).close());
        FloatPointer pa = new FloatPointer((long) n * n), pb = new FloatPointer((long) n * n), pc = new FloatPointer((long) n * n);
        Runnable direct = () -> openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasNoTrans,
                openblas_nolapack.CblasNoTrans, n, n, n, 1f, pa, n, pb, n, 0f, pc, n);
        direct.run();
        double[] d = time(reps, direct);
        double flop = 2.0 * n * n * n;
        System.out.printf("W5 matmul %d: jit median %.1f GFLOP/s (best %.1f); direct cblas_sgemm median %.1f GFLOP/s; ratio %.3f%n",
                n, flop / t[0] / 1e6, flop / t[1] / 1e6, flop / d[0] / 1e6, d[0] / t[0]);
    }
}
