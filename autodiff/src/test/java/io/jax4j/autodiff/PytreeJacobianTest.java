package io.jax4j.autodiff;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Np;
import io.jax4j.core.Jax4jException;
import io.vavr.Function1;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** jacfwd, jacrev and hessian over pytrees: JAX's nesting (output structure outside, input inside) and shapes. */
class PytreeJacobianTest {
    private static final Array X = Array.fromDoubles(DType.F64, new double[]{0.3, -0.7}, 2);
    private static final Map<String, Array> PARAMS = Map.of(
            "w", Array.fromDoubles(DType.F64, new double[]{0.1, 0.2, -0.3, 0.4, 0.5, -0.6}, 2, 3),
            "b", Array.fromDoubles(DType.F64, new double[]{0.05, -0.1, 0.2}, 3));

    /** {"h": tanh(x w + b) (3), "s": sum(h^2) (scalar)} of {"w": (2, 3), "b": (3)}. */
    private static Map<String, Array> f(Map<String, Array> p) {
        Array h = Np.tanh(Np.add(Np.matmul(X, p.get("w")), p.get("b")));
        return Map.of("h", h, "s", Np.sum(Np.multiply(h, h)));
    }

    @Test
    @SuppressWarnings("unchecked")
    void forwardAndReverseAgreeAndMatchThePerLeafJacobians() {
        Function1<Map<String, Array>, Map<String, Array>> fn = PytreeJacobianTest::f;
        Function1<Map<String, Array>, Map<String, Map<String, Array>>> fwd = Jax.jacfwdTree(fn);
        Function1<Map<String, Array>, Map<String, Map<String, Array>>> rev = Jax.jacrevTree(fn);
        Map<String, Map<String, Array>> jf = fwd.apply(PARAMS), jr = rev.apply(PARAMS);
        assertArrayEquals(new int[]{3, 2, 3}, jf.get("h").get("w").shape(), "h (3) by w (2, 3)");
        assertArrayEquals(new int[]{3, 3}, jf.get("h").get("b").shape());
        assertArrayEquals(new int[]{2, 3}, jf.get("s").get("w").shape(), "a scalar output: the input's shape");
        for (String out : new String[]{"h", "s"}) {
            for (String in : new String[]{"w", "b"}) {
                assertArrayEquals(jf.get(out).get(in).toDoubleArray(), jr.get(out).get(in).toDoubleArray(), 1e-12, out + " by " + in);
            }
        }
        // against the Array Jacobian with the other leaf held fixed
        Function1<Array, Array> hOfB = b -> f(Map.of("w", PARAMS.get("w"), "b", b)).get("h");
        assertArrayEquals(Jax.jacfwd(hOfB).apply(PARAMS.get("b")).toDoubleArray(), jf.get("h").get("b").toDoubleArray(), 1e-12);
        Function1<Array, Array> sOfW = w -> f(Map.of("w", w, "b", PARAMS.get("b"))).get("s");
        assertArrayEquals(Jax.grad(sOfW).apply(PARAMS.get("w")).toDoubleArray(), jr.get("s").get("w").toDoubleArray(), 1e-12);
    }

    @Test
    void hessianOverAPytreeMatchesFiniteDifferencesOfTheGradient() {
        Function1<Map<String, Array>, Array> loss = p -> f(p).get("s");
        Function1<Map<String, Array>, Map<String, Map<String, Array>>> hess = Jax.hessianTree(loss);
        Map<String, Map<String, Array>> h = hess.apply(PARAMS);
        assertArrayEquals(new int[]{3, 2, 3}, h.get("b").get("w").shape(), "d2/db dw: b's shape then w's");
        // column (b_k) of d/dw by central differences of grad_w along b_k
        Function1<Map<String, Array>, Map<String, Array>> grad = Jax.grad(loss);
        double eps = 1e-6;
        for (int k = 0; k < 3; k++) {
            double[] e = new double[3];
            e[k] = eps;
            Array db = Array.fromDoubles(DType.F64, e, 3);
            double[] plus = grad.apply(Map.of("w", PARAMS.get("w"), "b", Np.add(PARAMS.get("b"), db))).get("w").toDoubleArray();
            double[] minus = grad.apply(Map.of("w", PARAMS.get("w"), "b", Np.subtract(PARAMS.get("b"), db))).get("w").toDoubleArray();
            double[] want = new double[6];
            for (int i = 0; i < 6; i++) want[i] = (plus[i] - minus[i]) / (2 * eps);
            double[] got = Np.take(h.get("w").get("b"), Array.of(k), -1).reshape(6).toDoubleArray();
            assertArrayEquals(want, got, 1e-6, "d/db_" + k + " of grad_w");
        }
    }

    @Test
    void nonArrayLeavesAreRefused() {
        Function1<Map<String, Object>, Array> g = p -> Np.sum((Array) p.get("a"));
        Function1<Map<String, Object>, Object> jac = Jax.jacrevTree(g);
        Jax4jException e = assertThrows(Jax4jException.class, () -> jac.apply(Map.of("a", Array.of(1f), "n", Array.of(1))));
        assertTrue(e.getMessage().contains("float"), e.getMessage());
    }
}
