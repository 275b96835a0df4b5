package io.jax4j.optim;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Np;
import io.jax4j.autodiff.Jax;
import io.jax4j.autodiff.ValueAndGrad;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Optax's L-BFGS: its docstring example (7.52 then ~1e-13 on sum(x²)), the two-loop direction against
 * the inverse-Hessian matrix built by the BFGS recursion, the zoom line search's step meeting the
 * strong Wolfe conditions, Rosenbrock to its minimum, a jitted step equal to the eager one, errors.
 */
class LbfgsTest {
    /** Parameters and optimizer state: a pytree (a record), so that a step can be jitted. */
    record Ps(Object params, Object state) {}

    private static Ps step(GradientTransformation opt, Function<Object, Array> f, Ps ps) {
        ValueAndGrad<Object> vg = Optim.valueAndGradFromState(f, ps.params(), ps.state());
        var u = opt.update(vg.grad(), ps.state(), ps.params(), Map.of("value", vg.value(), "grad", vg.grad(), "value_fn", f));
        return new Ps(Optim.applyUpdates(ps.params(), u.updates()), u.state());
    }

    @Test
    void optaxDocstringExample() {
        Function<Object, Array> f = x -> Np.sum(Np.square((Array) x));
        GradientTransformation solver = Optim.lbfgs();
        Array x0 = Array.of(1f, 2f, 3f);
        Ps ps = new Ps(x0, solver.init(x0));
        ps = step(solver, f, ps);
        assertEquals(7.52, f.apply(ps.params()).item(), 0.005, "Objective function: 7.52E+00");
        ps = step(solver, f, ps);
        assertTrue(f.apply(ps.params()).item() < 1e-12, "Objective function: 7.46E-14 in Optax; here " + f.apply(ps.params()).item());
    }

    /** H_{j+1} = (I - ρ s yᵀ) H_j (I - ρ y sᵀ) + ρ s sᵀ from H = γ I, γ = sᵀy/yᵀy of the newest pair. */
    private static double[] bfgsDirection(List<double[]> ss, List<double[]> ys, double[] g) {
        int n = g.length;
        double[] sN = ss.getLast(), yN = ys.getLast();
        double gamma = dot(sN, yN) / dot(yN, yN);
        double[][] h = new double[n][n];
        for (int i = 0; i < n; i++) h[i][i] = gamma;
        for (int k = 0; k < ss.size(); k++) {
            double[] s = ss.get(k), y = ys.get(k);
            double rho = 1 / dot(y, s);
            double[][] v = new double[n][n];
            for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) v[i][j] = (i == j ? 1 : 0) - rho * y[i] * s[j];
            double[][] next = new double[n][n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    double acc = 0;
                    for (int a = 0; a < n; a++) for (int b = 0; b < n; b++) acc += v[a][i] * h[a][b] * v[b][j];
                    next[i][j] = acc + rho * s[i] * s[j];
                }
            }
            h = next;
        }
        double[] d = new double[n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) d[i] += h[i][j] * g[j];
        return d;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    @Test
    void twoLoopDirectionEqualsTheBfgsInverseHessianTimesTheGradient() {
        int memory = 3, n = 4;
        GradientTransformation tx = Optim.scaleByLbfgs(memory, true);
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        Object state = tx.init(Array.zeros(DType.F64, n));
        List<double[]> ws = new ArrayList<>(), gs = new ArrayList<>();
        for (int k = 0; k < 6; k++) {
            double[] w = new double[n], g = new double[n];
            for (int i = 0; i < n; i++) { w[i] = r.nextDouble(-1, 1); }
            // gradients of a convex quadratic, so that every pair has positive curvature
            for (int i = 0; i < n; i++) g[i] = (i + 1) * w[i] + 0.3 * w[(i + 1) % n] + 0.3 * w[(i + n - 1) % n];
            ws.add(w);
            gs.add(g);
            var u = tx.update(Array.fromDoubles(DType.F64, g, n), state, Array.fromDoubles(DType.F64, w, n));
            state = u.state();
            if (k == 0) continue;
            List<double[]> ss = new ArrayList<>(), ys = new ArrayList<>();
            for (int j = Math.max(1, k - memory + 1); j <= k; j++) {
                double[] s = new double[n], y = new double[n];
                for (int i = 0; i < n; i++) { s[i] = ws.get(j)[i] - ws.get(j - 1)[i]; y[i] = gs.get(j)[i] - gs.get(j - 1)[i]; }
                ss.add(s);
                ys.add(y);
            }
            double[] want = bfgsDirection(ss, ys, g), got = ((Array) u.updates()).toDoubleArray();
            for (int i = 0; i < n; i++) assertEquals(want[i], got[i], 1e-10 * (1 + Math.abs(want[i])), "iteration " + k + ", component " + i);
        }
    }

    @Test
    void zoomLinesearchStepMeetsTheStrongWolfeConditions() {
        // f(x) = x⁴ - 3x² + x from x = 2 along -f'(2) = -21: a step of 1 overshoots, the zoom must come back
        Function<Object, Array> f = x -> { Array a = (Array) x; return Np.sum(Np.add(Np.subtract(Np.power(a, 4), Np.multiply(Array.weak(3), Np.square(a))), a)); };
        GradientTransformation ls = Optim.scaleByZoomLinesearch(30, null, 0.0, 2.0, 1e-4, 0.9, null, 1e-5, "one");
        Array x = Array.scalar(2.0, DType.F64);
        ValueAndGrad<Object> vg = Jax.valueAndGrad((Object p) -> f.apply(p)).apply(x);
        Array d = Np.negative((Array) vg.grad());
        var u = ls.update(d, ls.init(x), x, Map.of("value", vg.value(), "grad", vg.grad(), "value_fn", f));
        ScaleByZoomLinesearchState s = (ScaleByZoomLinesearchState) u.state();
        double eta = s.learningRate().item(), slope0 = ((Array) vg.grad()).item() * d.item();
        Array moved = x.add(Np.multiply(Array.scalar(eta, DType.F64), d));
        ValueAndGrad<Object> at = Jax.valueAndGrad((Object p) -> f.apply(p)).apply(moved);
        assertTrue(eta > 0 && eta < 1, "a step shorter than the first guess: " + eta);
        assertTrue(at.value().item() <= vg.value().item() + 1e-4 * eta * slope0, "sufficient decrease at " + eta);
        assertTrue(Math.abs(((Array) at.grad()).item() * d.item()) <= 0.9 * Math.abs(slope0), "small curvature at " + eta);
        assertEquals(at.value().item(), s.value().item(), 1e-12, "the state keeps the value at the new point");
        assertTrue(s.info().numLinesearchSteps().item() >= 2, "it zoomed");
    }

    @Test
    void rosenbrockReachesItsMinimumAndAJittedStepEqualsTheEagerOne() {
        Function<Object, Array> f = x -> {
            Array a = (Array) x, x0 = a.get(0), x1 = a.get(1);
            return Np.add(Np.square(Np.subtract(Array.weak(1), x0)), Np.multiply(Array.weak(100), Np.square(Np.subtract(x1, Np.square(x0)))));
        };
        GradientTransformation solver = Optim.lbfgs();
        Array x0 = Array.of(-1.2, 1.0).astype(DType.F64);
        Ps ps = new Ps(x0, solver.init(x0));
        var jitted = Jax.jit((Ps p) -> step(solver, f, p));
        for (int i = 0; i < 60 && f.apply(ps.params()).item() > 1e-14; i++) {
            Ps eager = step(solver, f, ps);
            if (i < 3) {
                double[] e = ((Array) eager.params()).toDoubleArray(), c = ((Array) jitted.apply(ps).params()).toDoubleArray();
                for (int k = 0; k < 2; k++) assertEquals(e[k], c[k], 1e-12 * (1 + Math.abs(e[k])), "jit vs eager, step " + i);
            }
            ps = eager;
        }
        double[] x = ((Array) ps.params()).toDoubleArray();
        assertEquals(1.0, x[0], 1e-5);
        assertEquals(1.0, x[1], 1e-5);
    }

    @Test
    void missingExtraArgumentsAreNamed() {
        GradientTransformation solver = Optim.lbfgs();
        Array p = Array.of(1f, 2f);
        var e = assertThrows(IllegalArgumentException.class, () -> solver.update(p, solver.init(p), p));
        assertTrue(e.getMessage().contains("value_fn") && e.getMessage().contains("valueAndGradFromState"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Optim.scaleByLbfgs(0, true));
        var e2 = assertThrows(IllegalArgumentException.class, () -> Optim.valueAndGradFromState(x -> Np.sum((Array) x), p, Optim.adam(0.1).init(p)));
        assertTrue(e2.getMessage().contains("no line search state"), e2.getMessage());
    }
}
