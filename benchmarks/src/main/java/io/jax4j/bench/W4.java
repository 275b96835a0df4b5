package io.jax4j.bench;

import io.jax4j.Array;
import io.jax4j.Lax;
import io.jax4j.Np;
import io.jax4j.autodiff.Jax;
import io.vavr.Function1;
import io.jax4j.autodiff.ValueAndGrad;

/** W4: {@code valueAndGrad(x -> sum(tanh(1.5x + 0.5) * exp(-x^2)))}, jitted, through the real autodiff. */
public final class W4 {
    private W4() {}

    public static final int N = 1 << 24;

    public static Array f(Array x) {
        return Np.sum(Np.multiply(Np.tanh(Np.add(Np.multiply(x, Array.weak(1.5f)), Array.weak(0.5f))), Np.exp(Np.negative(Np.multiply(x, x)))));
    }

    public static Function1<Array, ValueAndGrad<Array>> jitted() {
        return Jax.jit(Jax.valueAndGrad((Array x) -> f(x)));
    }

    public static Array input(int n) {
        return io.jax4j.Random.normal(io.jax4j.Random.key(0), n);
    }

    public static void main(String[] args) {
        var g = jitted();
        Array x = input(N);
        for (int r = 0; r < 8; r++) {
            long t0 = System.nanoTime();
            var out = g.apply(x);
            out.grad().toFloatArray();
            System.out.printf("%.2f ms%n", (System.nanoTime() - t0) / 1e6);
        }
    }
}
