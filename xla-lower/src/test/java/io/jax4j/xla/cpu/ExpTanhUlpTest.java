package io.jax4j.xla.cpu;

import io.jax4j.Lax;
import io.jax4j.core.ArrayImpl;
import io.jax4j.ir.Jaxpr;
import io.jax4j.spi.Executable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.jax4j.xla.Traced.f32;
import static io.jax4j.xla.Traced.trace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kernels' own float32 exp and tanh: ulp error against double precision, and IEEE special values. */
class ExpTanhUlpTest {
    @BeforeEach
    void needsCompiler() { CpuAvailable.assume(); }

    private static double maxUlp(String fn, java.util.function.DoubleUnaryOperator exact, double lo, double hi) {
        int n = 1 << 20;
        double[] xs = new double[n];
        for (int i = 0; i < n; i++) xs[i] = (float) (lo + (hi - lo) * i / (n - 1));
        Jaxpr j = trace(a -> List.of(fn.equals("exp") ? Lax.exp(a.get(0)) : Lax.tanh(a.get(0))), f32(n));
        Executable exe = CpuAvailable.BACKEND.compile(j, new boolean[1], fn);
        double[] got = exe.execute(List.of(ArrayImpl.ofDoubles(f32(n), xs))).getFirst().toDoubleArray();
        double worst = 0;
        for (int i = 0; i < n; i++) {
            double want = exact.applyAsDouble(xs[i]);
            float wf = (float) want;
            if (wf == 0 || Float.isInfinite(wf)) continue;
            worst = Math.max(worst, Math.abs(got[i] - want) / Math.ulp(wf));
        }
        return worst;
    }

    @Test
    void expIsWithinOneAndAHalfUlp() {
        double ulp = maxUlp("exp", Math::exp, -87, 88.7);
        assertTrue(ulp <= 1.5, "exp max error " + ulp + " ulp");
    }

    @Test
    void tanhIsWithinTwoUlp() {
        double ulp = maxUlp("tanh", Math::tanh, -10, 10);
        assertTrue(ulp <= 2.0, "tanh max error " + ulp + " ulp");
    }

    @Test
    void specialValuesFollowIeee() {
        double[] xs = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0, 89, -104, -88, 1e-30};
        Jaxpr j = trace(a -> List.of(Lax.exp(a.get(0)), Lax.tanh(a.get(0))), f32(xs.length));
        List<io.jax4j.Array> out = CpuAvailable.BACKEND.compile(j, new boolean[1], "special").execute(List.of(ArrayImpl.ofDoubles(f32(xs.length), xs)));
        float[] e = out.get(0).toFloatArray(), t = out.get(1).toFloatArray();
        assertTrue(Float.isNaN(e[0]) && Float.isNaN(t[0]), "NaN in, NaN out");
        for (int i = 1; i < xs.length; i++) {
            assertEquals((float) Math.exp(xs[i]), e[i], Math.ulp((float) Math.exp(xs[i])), "exp(" + xs[i] + ")");
            assertEquals((float) Math.tanh(xs[i]), t[i], Math.ulp((float) Math.tanh(xs[i])), "tanh(" + xs[i] + ")");
        }
        assertEquals(Float.floatToIntBits(-0.0f), Float.floatToIntBits(t[4]), "tanh(-0) = -0");
    }
}
