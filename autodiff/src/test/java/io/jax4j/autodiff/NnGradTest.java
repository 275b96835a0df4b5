package io.jax4j.autodiff;

import io.jax4j.Array;
import io.jax4j.Nn;
import io.jax4j.Np;
import io.vavr.Function1;
import org.junit.jupiter.api.Test;

import java.util.function.DoubleUnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Derivatives of jax.nn's functions (float64) against their closed forms and central differences. */
class NnGradTest {
    static final double[] XS = {-4.0, -1.3, -0.5, -1e-2, 0.3, 1.0, 2.5, 5.5, 7.0};

    static double sigmoid(double x) { return 1 / (1 + Math.exp(-x)); }

    /** grad of sum(f(x)) elementwise vs the expected derivative. */
    static void derivative(String name, Function1<Array, Array> f, DoubleUnaryOperator expected, double tol) {
        double[] g = Jax.grad((Array x) -> Np.sum(f.apply(x))).apply(Array.fromDoubles(XS, XS.length)).toDoubleArray();
        for (int i = 0; i < XS.length; i++) {
            double e = expected.applyAsDouble(XS[i]);
            assertEquals(e, g[i], tol * (1 + Math.abs(e)), name + "'(" + XS[i] + ")");
        }
    }

    /** The central difference of f at x (float64). */
    static DoubleUnaryOperator numeric(Function1<Array, Array> f) {
        return x -> {
            double h = 1e-6;
            double up = f.apply(Array.fromDoubles(new double[]{x + h}, 1)).toDoubleArray()[0];
            double down = f.apply(Array.fromDoubles(new double[]{x - h}, 1)).toDoubleArray()[0];
            return (up - down) / (2 * h);
        };
    }

    @Test
    void activationDerivatives() {
        derivative("relu", Nn::relu, x -> x > 0 ? 1 : 0, 1e-12);
        derivative("relu6", Nn::relu6, x -> x > 0 && x < 6 ? 1 : 0, 1e-12);
        derivative("sigmoid", Nn::sigmoid, x -> sigmoid(x) * (1 - sigmoid(x)), 1e-12);
        derivative("softplus", Nn::softplus, NnGradTest::sigmoid, 1e-12);
        derivative("logSigmoid", Nn::logSigmoid, x -> 1 - sigmoid(x), 1e-12);
        derivative("silu", Nn::silu, x -> sigmoid(x) * (1 + x * (1 - sigmoid(x))), 1e-12);
        derivative("elu", Nn::elu, x -> x > 0 ? 1 : Math.exp(x), 1e-12);
        derivative("leakyRelu", Nn::leakyRelu, x -> x >= 0 ? 1 : 0.01, 1e-12);
        derivative("hardTanh", Nn::hardTanh, x -> Math.abs(x) <= 1 ? 1 : 0, 1e-12);  // JAX: 1 at |x| = 1
        derivative("celu", x -> Nn.celu(x, 0.5), x -> x > 0 ? 1 : Math.exp(x / 0.5), 1e-12);
        derivative("gelu_tanh", x -> Nn.gelu(x, true), numeric(x -> Nn.gelu(x, true)), 1e-7);
        derivative("gelu_erf", x -> Nn.gelu(x, false),
                x -> 0.5 * (1 + erfApprox(x)) + x * Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI), 1e-6);
        derivative("selu", Nn::selu, numeric(Nn::selu), 1e-7);
    }

    /** erf(x / sqrt 2) recovered from gelu_erf's value (which NnTest checks against a series): 2 gelu(x) / x - 1. */
    static double erfApprox(double x) {
        return 2 * Nn.gelu(Array.fromDoubles(new double[]{x}, 1), false).toDoubleArray()[0] / x - 1;
    }

    @Test
    void reluAndRelu6HaveZeroDerivativeAtTheirKinks() {
        Array kinks = Array.fromDoubles(new double[]{0.0, 6.0}, 2);
        assertArrayEquals(new double[]{0, 1}, Jax.grad((Array x) -> Np.sum(Nn.relu(x))).apply(kinks).toDoubleArray());
        assertArrayEquals(new double[]{0, 0}, Jax.grad((Array x) -> Np.sum(Nn.relu6(x))).apply(kinks).toDoubleArray());
        assertArrayEquals(new double[]{0.0f}, Jax.grad((Array x) -> Np.sum(Nn.relu(x))).apply(Array.of(0f)).toDoubleArray());
    }

    @Test
    void logsumexpGradientIsSoftmaxAndSoftmaxJacobianIsDiagMinusOuter() {
        double[] v = {1.0, -2.0, 3.5, 0.25};
        Array x = Array.fromDoubles(v, 4);
        double[] sm = Nn.softmax(x, -1).toDoubleArray();
        assertArrayEquals(sm, Jax.grad((Array a) -> Nn.logsumexp(a, 0)).apply(x).toDoubleArray(), 1e-15);
        double[] jac = Jax.jacrev((Array a) -> Nn.softmax(a, -1)).apply(x).toDoubleArray();
        double[] jacLog = Jax.jacfwd((Array a) -> Nn.logSoftmax(a, -1)).apply(x).toDoubleArray();
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                assertEquals((i == j ? sm[i] : 0) - sm[i] * sm[j], jac[4 * i + j], 1e-15, "dsoftmax");
                assertEquals((i == j ? 1 : 0) - sm[j], jacLog[4 * i + j], 1e-15, "dlogsoftmax");
            }
        }
    }

    @Test
    void standardizeGradientMatchesFiniteDifferences() {
        double[] v = {0.3, -1.2, 2.0, 0.7, -0.1};
        double[] w = {1.0, 2.0, -1.0, 0.5, 3.0};
        Function1<Array, Array> f = a -> Np.sum(Np.multiply(Nn.standardize(a), Array.fromDoubles(w, 5)));
        double[] g = Jax.grad(f).apply(Array.fromDoubles(v, 5)).toDoubleArray();
        for (int i = 0; i < 5; i++) {
            double h = 1e-6;
            double[] up = v.clone(), down = v.clone();
            up[i] += h;
            down[i] -= h;
            double num = (f.apply(Array.fromDoubles(up, 5)).item() - f.apply(Array.fromDoubles(down, 5)).item()) / (2 * h);
            assertEquals(num, g[i], 1e-6, "d standardize / dx" + i);
        }
    }
}
