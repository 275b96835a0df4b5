package io.jax4j.bench;

import io.jax4j.Array;
import io.jax4j.Lax;
import io.jax4j.Np;
import io.jax4j.autodiff.Jax;
import io.jax4j.prims.Convolution.ConvDimensionNumbers;

/** Developer probe: the first CNN layer's kernel gradient alone. */
public final class ProbeConv {
    public static void main(String[] args) {
        ConvDimensionNumbers dn = ConvDimensionNumbers.of("NHWC", "HWIO", "NHWC");
        var g = Jax.jit((Array x, Array w) -> Jax.grad((Array ww) -> Np.sum(Np.multiply(Lax.convGeneralDilated(x, ww, new int[]{1, 1}, "SAME", null, null, dn, 1), Array.weak(Float.parseFloat(System.getProperty("ct", "1")))))).apply(w));
        Array x = io.jax4j.Random.normal(io.jax4j.Random.key(0), 128, 28, 28, 1), w = io.jax4j.Random.normal(io.jax4j.Random.key(1), 3, 3, 1, 32);
        for (int r = 0; r < 10; r++) {
            long t0 = System.nanoTime();
            g.apply(x, w).toFloatArray();
            System.out.printf("%.2f ms%n", (System.nanoTime() - t0) / 1e6);
        }
    }
}
