package io.jax4j;

import io.jax4j.core.Jax4jException;
import org.junit.jupiter.api.Test;

import java.util.function.DoubleUnaryOperator;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** jax.nn's functions in float64 against the same formulas written in plain Java doubles. */
class NnTest {
    static final double[] XS = {-7.5, -3.0, -1.25, -1.0, -0.5, -1e-3, 0.0, 1e-3, 0.5, 1.0, 1.5, 3.0, 6.0, 7.5, 40.0, -40.0};

    static Array x64() { return Array.fromDoubles(XS, XS.length); }

    static void elementwise(String name, Function<Array, Array> f, DoubleUnaryOperator expected) {
        double[] got = f.apply(x64()).toDoubleArray();
        for (int i = 0; i < XS.length; i++) {
            double e = expected.applyAsDouble(XS[i]);
            assertEquals(e, got[i], 1e-13 * (1 + Math.abs(e)), name + "(" + XS[i] + ")");
        }
    }

    static double sigmoid(double x) { return 1 / (1 + Math.exp(-x)); }

    static double softplus(double x) { return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))); }

    static double erf(double x) {
        // Abramowitz-Stegun is too coarse for 1e-13; integrate the series / continued fraction instead
        double t = Math.abs(x);
        double sum;
        if (t < 3) {
            double term = t, s = t;
            for (int n = 1; n < 200; n++) {
                term *= -t * t / n;
                s += term / (2 * n + 1);
            }
            sum = 2 / Math.sqrt(Math.PI) * s;
        } else {
            // erfc continued fraction (Lentz)
            double f = 0;
            for (int n = 200; n >= 1; n--) f = n / 2.0 / (t + f);
            sum = 1 - Math.exp(-t * t) / Math.sqrt(Math.PI) / (t + f);
        }
        return Math.copySign(sum, x);
    }

    @Test
    void activationsMatchTheirFormulas() {
        elementwise("relu", Nn::relu, x -> Math.max(x, 0));
        elementwise("relu6", Nn::relu6, x -> Math.min(Math.max(x, 0), 6));
        elementwise("sigmoid", Nn::sigmoid, NnTest::sigmoid);
        elementwise("logSigmoid", Nn::logSigmoid, x -> -softplus(-x));
        elementwise("softplus", Nn::softplus, NnTest::softplus);
        elementwise("silu", Nn::silu, x -> x * sigmoid(x));
        elementwise("swish", Nn::swish, x -> x * sigmoid(x));
        elementwise("gelu_tanh", x -> Nn.gelu(x, true),
                x -> 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x))));
        elementwise("gelu_erf", x -> Nn.gelu(x, false), x -> 0.5 * x * (1 + erf(x / Math.sqrt(2))));
        elementwise("elu", x -> Nn.elu(x, 1.5), x -> x > 0 ? x : 1.5 * Math.expm1(x));
        elementwise("leakyRelu", Nn::leakyRelu, x -> x >= 0 ? x : 0.01 * x);
        elementwise("leakyRelu0.2", x -> Nn.leakyRelu(x, 0.2), x -> x >= 0 ? x : 0.2 * x);
        elementwise("celu", x -> Nn.celu(x, 0.5), x -> Math.max(x, 0) + 0.5 * Math.expm1(Math.min(x, 0) / 0.5));
        double a = 1.6732632423543772848170429916717, s = 1.0507009873554804934193349852946;
        elementwise("selu", Nn::selu, x -> s * (x > 0 ? x : a * Math.expm1(x)));
        elementwise("hardTanh", Nn::hardTanh, x -> Math.max(-1, Math.min(1, x)));
    }

    @Test
    void activationsKeepFloat32AndPromoteIntegers() {
        Array x = Array.of(-1f, 0f, 2f);
        assertEquals(DType.F32, Nn.gelu(x).dtype());
        assertArrayEquals(new float[]{0, 0, 2}, Nn.relu(x).toFloatArray());
        Array ints = Array.of(-1, 0, 2);
        assertEquals(DType.F32, Nn.sigmoid(ints).dtype());
        assertArrayEquals(new float[]{0, 0, 2}, Nn.relu(ints).toFloatArray());
    }

    @Test
    void reluPassesNaN() {
        assertTrue(Double.isNaN(Nn.relu(Array.of(Double.NaN)).item()));
        assertTrue(Double.isNaN(Nn.softplus(Array.of(Double.NaN)).item()));
        assertEquals(Double.POSITIVE_INFINITY, Nn.softplus(Array.of(Double.POSITIVE_INFINITY)).item());
        assertEquals(0.0, Nn.softplus(Array.of(Double.NEGATIVE_INFINITY)).item());
    }

    static final double[][] M = {{1.0, -2.0, 3.5, 0.25}, {100.0, 101.0, 99.0, 100.5}, {-1e3, -1e3, -1e3 + 1, -1e3 - 2}};

    static Array m64() {
        double[] flat = new double[12];
        for (int i = 0; i < 3; i++) System.arraycopy(M[i], 0, flat, 4 * i, 4);
        return Array.fromDoubles(flat, 3, 4);
    }

    static double lse(double[] row) {
        double m = Double.NEGATIVE_INFINITY, s = 0;
        for (double v : row) m = Math.max(m, v);
        for (double v : row) s += Math.exp(v - m);
        return m + Math.log(s);
    }

    @Test
    void softmaxFamilyAlongTheLastAxis() {
        double[] sm = Nn.softmax(m64(), -1).toDoubleArray();
        double[] lsm = Nn.logSoftmax(m64(), 1).toDoubleArray();
        double[] l = Nn.logsumexp(m64(), -1).toDoubleArray();
        assertArrayEquals(new int[]{3}, Nn.logsumexp(m64(), -1).shape());
        assertArrayEquals(new int[]{3, 1}, Nn.logsumexp(m64(), new int[]{1}, true).shape());
        for (int i = 0; i < 3; i++) {
            double z = lse(M[i]);
            assertEquals(z, l[i], 1e-12 * Math.abs(z));
            for (int j = 0; j < 4; j++) {
                assertEquals(Math.exp(M[i][j] - z), sm[4 * i + j], 1e-13);
                assertEquals(M[i][j] - z, lsm[4 * i + j], 1e-12 * (1 + Math.abs(z)));
            }
        }
    }

    @Test
    void softmaxAlongTheFirstAxisAndLogsumexpOverAll() {
        double[] sm = Nn.softmax(m64(), 0).toDoubleArray();
        for (int j = 0; j < 4; j++) {
            double[] col = {M[0][j], M[1][j], M[2][j]};
            double z = lse(col);
            for (int i = 0; i < 3; i++) assertEquals(Math.exp(M[i][j] - z), sm[4 * i + j], 1e-13);
        }
        double[] all = new double[12];
        for (int i = 0; i < 3; i++) System.arraycopy(M[i], 0, all, 4 * i, 4);
        assertEquals(lse(all), Nn.logsumexp(m64()).item(), 1e-12 * lse(all));
    }

    @Test
    void logsumexpOfMinusInfinity() {
        double inf = Double.POSITIVE_INFINITY;
        Array x = Array.fromDoubles(new double[]{-inf, -inf, 0, -inf}, 2, 2);
        double[] r = Nn.logsumexp(x, 1).toDoubleArray();
        assertEquals(-inf, r[0]);
        assertEquals(0.0, r[1], 0);
    }

    @Test
    void standardizeUsesMeanOfSquaresMinusSquaredMean() {
        double[] out = Nn.standardize(m64(), -1, 1e-5).toDoubleArray();
        for (int i = 0; i < 3; i++) {
            double mean = 0, sq = 0;
            for (double v : M[i]) { mean += v / 4; sq += v * v / 4; }
            double var = sq - mean * mean;
            for (int j = 0; j < 4; j++) assertEquals((M[i][j] - mean) / Math.sqrt(var + 1e-5), out[4 * i + j], 1e-9);
        }
        assertArrayEquals(out, Nn.normalize(m64(), -1, 1e-5).toDoubleArray());
    }

    @Test
    void oneHotComparesWithArange() {
        Array h = Nn.oneHot(Array.of(2, 0, 5, -1), 4);
        assertEquals(DType.F32, h.dtype());
        assertArrayEquals(new int[]{4, 4}, h.shape());
        assertArrayEquals(new float[]{0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, h.toFloatArray());
        Array b = Nn.oneHot(Array.fromInts(new int[]{1, 0}, 2, 1), 2, DType.BOOL);
        assertArrayEquals(new int[]{2, 1, 2}, b.shape());
        assertEquals(DType.BOOL, b.dtype());
        var e = assertThrows(Jax4jException.class, () -> Nn.oneHot(Array.of(1f), 3));
        assertTrue(e.getMessage().contains("oneHot") && e.getMessage().contains("f32[1]"), e.getMessage());
    }
}
