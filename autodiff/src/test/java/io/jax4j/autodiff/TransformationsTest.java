package io.jax4j.autodiff;

import io.jax4j.Array;
import io.jax4j.Np;
import io.jax4j.core.Jax4jException;
import io.vavr.Function1;
import io.vavr.Function2;
import io.vavr.Function3;
import io.vavr.Tuple2;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TransformationsTest {
    static final Function1<Array, Array> F = x -> Np.sum(Np.tanh(x.mul(1.5f).add(0.5f)).mul(Np.exp(x.mul(x).neg())));

    static double f(double x) { return Math.tanh(1.5 * x + 0.5) * Math.exp(-x * x); }

    static void close(float[] expected, float[] actual, double tol) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tol * (1 + Math.abs(expected[i])), "element " + i);
        }
    }

    static float[] finiteDiff(double[] xs) {
        float[] g = new float[xs.length];
        double h = 1e-5;
        for (int i = 0; i < xs.length; i++) g[i] = (float) ((f(xs[i] + h) - f(xs[i] - h)) / (2 * h));
        return g;
    }

    @Test
    void gradMatchesFiniteDifferences() {
        Array x = Array.of(-1.2f, -0.3f, 0.0f, 0.7f, 2.0f);
        Array g = Jax.grad(F).apply(x);
        close(finiteDiff(new double[]{-1.2f, -0.3f, 0.0f, 0.7f, 2.0f}), g.toFloatArray(), 1e-4);
    }

    @Test
    void compositionsAgree() {
        Array x = Array.of(-1.2f, -0.3f, 0.0f, 0.7f, 2.0f);
        float[] g = Jax.grad(F).apply(x).toFloatArray();
        close(g, Jax.jit(Jax.grad(F)).apply(x).toFloatArray(), 1e-6);
        close(g, Jax.grad(Jax.jit(F)).apply(x).toFloatArray(), 1e-6);
        // per-example gradients of a scalar function: vmap(grad) over the elements
        Function1<Array, Array> scalarF = v -> Np.sum(Np.tanh(v.mul(1.5f).add(0.5f)).mul(Np.exp(v.mul(v).neg())));
        close(g, Jax.vmap(Jax.grad(scalarF)).apply(x).toFloatArray(), 1e-6);
        close(g, Jax.jit(Jax.vmap(Jax.grad(scalarF))).apply(x).toFloatArray(), 1e-6);
    }

    @Test
    void secondOrder() {
        // d²/dx² sum(x sin x) = 2 cos x - x sin x
        Function1<Array, Array> f = x -> Np.sum(x.mul(Np.sin(x)));
        Array x = Array.of(0.3f, -1.1f, 2.0f);
        Array g2 = Jax.grad((Array v) -> Np.sum(Jax.grad(f).apply(v))).apply(x);
        float[] expected = new float[3];
        float[] xs = x.toFloatArray();
        for (int i = 0; i < 3; i++) expected[i] = (float) (2 * Math.cos(xs[i]) - xs[i] * Math.sin(xs[i]));
        close(expected, g2.toFloatArray(), 1e-5);
        Array h = Jax.hessian(f).apply(x);
        assertArrayEquals(new int[]{3, 3}, h.shape());
        float[] hv = h.toFloatArray();
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) assertEquals(i == j ? expected[i] : 0f, hv[i * 3 + j], 1e-5);
    }

    record Params(Array w, Array b) {}

    @Test
    void valueAndGradWithAuxOverARecord() {
        Params p = new Params(Array.of(new float[][]{{1, 2}, {3, 4}}), Array.of(0.5f, -0.5f));
        Array x = Array.of(1f, -1f);
        Function2<Params, Array, HasAux<Array>> loss = (pp, xx) -> {
            Array y = Np.tanh(xx.matmul(pp.w()).add(pp.b()));
            return HasAux.of(Np.sum(y.mul(y)), y);
        };
        ValueAndGradWithAux<Params, Array> r = Jax.valueAndGradWithAux(loss).apply(p, x);
        Array y = r.aux();
        float[] yv = y.toFloatArray();
        assertEquals(yv[0] * yv[0] + yv[1] * yv[1], r.value().floatValue(), 1e-6);
        // d/db sum(tanh(z)^2) = 2 tanh(z) (1 - tanh(z)^2)
        float[] gb = r.grad().b().toFloatArray();
        for (int i = 0; i < 2; i++) assertEquals(2 * yv[i] * (1 - yv[i] * yv[i]), gb[i], 1e-5);
        float[] gw = r.grad().w().toFloatArray();
        float[] xv = x.toFloatArray();
        for (int i = 0; i < 2; i++) for (int j = 0; j < 2; j++) assertEquals(xv[i] * gb[j], gw[i * 2 + j], 1e-5);
        // jitted, the same
        var jitted = Jax.jit((Params pp, Array xx) -> Jax.valueAndGradWithAux(loss).apply(pp, xx));
        ValueAndGradWithAux<Params, Array> rj = jitted.apply(p, x);
        close(gw, rj.grad().w().toFloatArray(), 1e-6);
    }

    @Test
    void jvpAndVjpAreConsistent() {
        Function1<Array, Array> f = x -> Np.tanh(x.matmul(Array.of(new float[][]{{1, 2, 0}, {0.5f, -1, 3}})));
        Array x = Array.of(new float[][]{{0.1f, 0.2f}, {-0.3f, 0.4f}});
        Array t = Array.of(new float[][]{{1, -1}, {0.5f, 2}});
        Jvp<Array> out = Jax.jvp(f, x, t);
        Vjp<Array, Array> v = Jax.vjp(f, x);
        Array ct = Array.of(new float[][]{{1, 0, -1}, {2, 1, 0.5f}});
        double lhs = Np.sum(ct.mul(out.tangentsOut())).item();
        double rhs = Np.sum(v.apply(ct).mul(t)).item();
        assertEquals(lhs, rhs, 1e-5);
        close(out.primalsOut().toFloatArray(), v.primalsOut().toFloatArray(), 0);
    }

    @Test
    void errorsNameShapesAndFixes() {
        Jax4jException e = assertThrows(Jax4jException.class, () -> Jax.grad((Array x) -> x.mul(2)).apply(Array.of(1f, 2f)));
        assertTrue(e.getMessage().contains("f32[2]") && e.getMessage().contains("sum"), e.getMessage());
        Jax4jException e2 = assertThrows(Jax4jException.class, () -> Jax.grad((Map<String, Array> m) -> Np.sum(m.get("n").astype(io.jax4j.DType.F32)))
                .apply(Map.of("n", Array.of(1, 2))));
        assertTrue(e2.getMessage().contains("i32[2]") && e2.getMessage().contains("n"), e2.getMessage());
    }

    @Test
    void vmapAxesAndPerExampleGradients() {
        // per-example gradients: vmap(grad(loss), in_axes=(None, 0, 0)) against a loop
        Function3<Array, Array, Array, Array> loss = (w, x, y) -> Np.sum(Np.square(Np.tanh(x.matmul(w)).sub(y)));
        Array w = Array.of(new float[][]{{0.5f, -1f}, {2f, 0.25f}, {-0.5f, 1f}});
        Array xs = Array.of(new float[][]{{1, 2, 3}, {-1, 0, 1}});
        Array ys = Array.of(new float[][]{{0.5f, -0.5f}, {1, 0}});
        Array pe = Jax.vmap(Jax.grad(loss), InAxes.of(null, 0, 0)).apply(w, xs, ys);
        assertArrayEquals(new int[]{2, 3, 2}, pe.shape());
        for (int i = 0; i < 2; i++) {
            Array xi = Array.fromFloats(java.util.Arrays.copyOfRange(xs.toFloatArray(), 3 * i, 3 * i + 3), 3);
            Array yi = Array.fromFloats(java.util.Arrays.copyOfRange(ys.toFloatArray(), 2 * i, 2 * i + 2), 2);
            float[] gi = Jax.grad(loss).apply(w, xi, yi).toFloatArray();
            close(gi, java.util.Arrays.copyOfRange(pe.toFloatArray(), 6 * i, 6 * i + 6), 1e-6);
        }
        // out_axes: the batch axis last
        Array t = Jax.vmap((Array r) -> r.mul(2), InAxes.of(0), 1).apply(xs);
        assertArrayEquals(new int[]{3, 2}, t.shape());
        close(Np.transpose(xs).mul(2).toFloatArray(), t.toFloatArray(), 0);
    }

    @Test
    void noPerturbationConfusion() {
        // d/dx [x * d/dy (x + y)] = d/dx [x * 1] = 1; confusing the two perturbations would give 2
        Function1<Array, Array> outer = x -> x.mul(Jax.grad((Array y) -> Np.sum(x.add(y))).apply(Array.scalar(1f)));
        assertEquals(1f, Jax.grad(outer).apply(Array.scalar(1f)).floatValue(), 0f);
    }

    @Test
    void shapeErrorsNameTheCallSite() {
        Jax4jException e = assertThrows(Jax4jException.class, () -> Jax.jit((Array x) -> x.matmul(x)).apply(Array.zeros(2, 3)));
        assertTrue(e.getMessage().contains("f32[2,3]") && e.getMessage().contains("TransformationsTest.java"), e.getMessage());
    }

    @Test
    void makeJaxprPrintsLikeJax() {
        String s = Jax.makeJaxpr((Array x) -> Np.sin(x).mul(2)).apply(Array.ones(3)).toString();
        assertEquals("{ lambda ; a:f32[3]. let\n    b:f32[3] = sin a\n    c:f32[3] = mul b 2.0:f32[]\n  in (c,) }", s);
    }
}
