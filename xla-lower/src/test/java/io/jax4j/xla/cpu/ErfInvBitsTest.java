package io.jax4j.xla.cpu;

import io.jax4j.Lax;
import io.jax4j.core.ArrayImpl;
import io.jax4j.ir.Jaxpr;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.jax4j.xla.Traced.f32;
import static io.jax4j.xla.Traced.trace;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The fused kernel's float32 erf⁻¹ (XLA's ErfInv32 with XLA's log1p and logf) equals the reference
 * bit for bit on every argument tried: a grid over (-1, 1) dense near ±1 (the √w branch), both
 * log1p branches, ±0, ±1 and out-of-range values. A C compiler that contracted a product into a sum
 * the reference rounds separately would move some of them by an ulp.
 */
class ErfInvBitsTest {
    @BeforeEach
    void needsCompiler() { CpuAvailable.assume(); }

    @Test
    void kernelEqualsTheReferenceBitForBit() {
        int n = 1 << 20;
        double[] xs = new double[n];
        for (int i = 0; i < n - 8; i++) {
            double t = -1 + 2.0 * i / (n - 9);
            xs[i] = (float) (i % 2 == 0 ? t : Math.copySign(1 - Math.pow(Math.abs(t), 6) * 0.05, t));
        }
        double[] edges = {0.0, -0.0, 1, -1, 1.5, -2, Double.NaN, Math.nextDown(1f)};
        System.arraycopy(edges, 0, xs, n - 8, 8);
        ArrayImpl x = ArrayImpl.ofDoubles(f32(n), xs);
        Jaxpr j = trace(a -> List.of(Lax.erfInv(a.get(0))), f32(n));
        float[] kernel = CpuAvailable.BACKEND.compile(j, new boolean[1], "erf_inv").execute(List.of(x)).getFirst().toFloatArray();
        float[] reference = Lax.erfInv(x).toFloatArray();
        int differ = 0, first = -1;
        for (int i = 0; i < n; i++) {
            if (Float.floatToIntBits(kernel[i]) != Float.floatToIntBits(reference[i])) {
                differ++;
                if (first < 0) first = i;
            }
        }
        assertEquals(0, differ, differ == 0 ? "" : "erf_inv(" + (float) xs[first] + "): kernel " + kernel[first] + ", reference " + reference[first]);
    }
}
