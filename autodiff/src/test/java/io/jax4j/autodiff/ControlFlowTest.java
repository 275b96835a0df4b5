package io.jax4j.autodiff;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Np;
import io.jax4j.core.Jax4jException;
import io.jax4j.ir.ClosedJaxpr;
import io.vavr.Function1;
import io.vavr.Tuple;
import io.vavr.Tuple2;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** cond, switch, scan, fori and while loops: values against Java loops, derivatives, vmap and jit. */
class ControlFlowTest {

    static void close(double[] expected, double[] actual, double tol) {
        assertEquals(expected.length, actual.length, "length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tol * (1 + Math.abs(expected[i])), "element " + i);
        }
    }

    /** Central finite differences of a scalar function of a float64 vector. */
    static double[] finiteDiff(Function1<Array, Array> f, double[] x) {
        double[] g = new double[x.length];
        double h = 1e-6;
        for (int i = 0; i < x.length; i++) {
            double[] p = x.clone(), m = x.clone();
            p[i] += h;
            m[i] -= h;
            g[i] = (f.apply(Array.of(p)).item() - f.apply(Array.of(m)).item()) / (2 * h);
        }
        return g;
    }

    // ---------------------------------------------------------------- cond

    static final Function1<Array, Array> COND_F = x -> ControlFlow.cond(Np.sum(x).gt(0),
            (Array v) -> Np.sum(Np.sin(v).mul(v)), (Array v) -> Np.sum(v.mul(v).mul(v)), x);

    @Test
    void condSelectsTheBranchAndIsAPrimitiveEvenEagerly() {
        Array x = Array.of(1.0, 2.0);
        assertEquals(Math.sin(1) + 2 * Math.sin(2), COND_F.apply(x).item(), 1e-12);
        assertEquals(-1 - 1.5 * 1.5 * 1.5, COND_F.apply(Array.of(-1.0, -1.5)).item(), 1e-12);
        ClosedJaxpr j = Jax.makeJaxpr(COND_F).apply(x);
        assertTrue(j.toString().contains("cond["), j.toString());
        assertTrue(j.toString().contains("branches[1]"), j.toString());
        // a concrete Java-side predicate still binds the primitive
        Array y = ControlFlow.cond(Array.of(true).reshape(), () -> Array.scalar(1f), () -> Array.scalar(2f));
        assertEquals(1f, y.floatValue());
    }

    @Test
    void condBranchesMustAgree() {
        Jax4jException e = assertThrows(Jax4jException.class, () -> ControlFlow.cond(Array.of(true).reshape(),
                (Array v) -> v, (Array v) -> Np.sum(v), Array.of(1f, 2f)));
        assertTrue(e.getMessage().contains("false_fun") && e.getMessage().contains("true_fun"), e.getMessage());
        assertTrue(e.getMessage().contains("f32[2]") && e.getMessage().contains("f32[]"), e.getMessage());
        assertThrows(Jax4jException.class, () -> ControlFlow.cond(Array.of(true, false), (Array v) -> v, (Array v) -> v, Array.of(1f, 2f)));
    }

    @Test
    void switchClampsTheIndex() {
        List<Function1<Array, Array>> bs = List.of(v -> v.add(1), v -> v.mul(10), v -> v.neg());
        Array x = Array.of(3f);
        assertEquals(4f, ControlFlow.switchCase(Array.scalar(-5), bs, x).toFloatArray()[0]);
        assertEquals(30f, ControlFlow.switchCase(Array.scalar(1), bs, x).toFloatArray()[0]);
        assertEquals(-3f, ControlFlow.switchCase(Array.scalar(7), bs, x).toFloatArray()[0]);
        assertEquals(30f, Jax.jit((Array i) -> ControlFlow.switchCase(i, bs, x)).apply(Array.scalar(1)).toFloatArray()[0]);
    }

    @Test
    void gradAndJvpOfCondMatchFiniteDifferences() {
        for (double[] xs : new double[][]{{0.3, 0.9, -0.2}, {-0.7, 0.1, -0.4}}) {
            double[] fd = finiteDiff(COND_F, xs);
            close(fd, Jax.grad(COND_F).apply(Array.of(xs)).toDoubleArray(), 1e-6);
            close(fd, Jax.jit(Jax.grad(COND_F)).apply(Array.of(xs)).toDoubleArray(), 1e-6);
            close(fd, Jax.grad(Jax.jit(COND_F)).apply(Array.of(xs)).toDoubleArray(), 1e-6);
            Array t = Array.of(1.0, -2.0, 0.5);
            double expected = fd[0] - 2 * fd[1] + 0.5 * fd[2];
            assertEquals(expected, Jax.jvp(COND_F, Array.of(xs), t).tangentsOut().item(), 1e-6);
        }
        // second order through cond: d²/dx² of sum(x³) is 6x
        Function1<Array, Array> g = Jax.grad(x -> Np.sum(Jax.grad(COND_F).apply(x)));
        close(new double[]{-4.2, 0.6, -2.4}, g.apply(Array.of(-0.7, 0.1, -0.4)).toDoubleArray(), 1e-9);
    }

    @Test
    void condClosesOverTracedValues() {
        // the branches read w from the enclosing function: it becomes an operand, differentiated
        Function1<Array, Array> f = w -> ControlFlow.cond(w.gt(0), () -> w.mul(w), () -> w.neg());
        assertEquals(3.0, Jax.grad(f).apply(Array.scalar(1.5, DType.F64)).item(), 1e-12);
        assertEquals(-1.0, Jax.grad(f).apply(Array.scalar(-1.5, DType.F64)).item(), 1e-12);
    }

    @Test
    void vmapOfCondWithABatchedPredicate() {
        Function1<Array, Array> f = x -> ControlFlow.cond(x.gt(0), (Array v) -> Np.sin(v), (Array v) -> v.mul(v), x);
        double[] xs = {-1.5, 0.5, 2.0, -0.25};
        double[] expected = new double[xs.length];
        for (int i = 0; i < xs.length; i++) expected[i] = xs[i] > 0 ? Math.sin(xs[i]) : xs[i] * xs[i];
        close(expected, Jax.vmap(f).apply(Array.of(xs)).toDoubleArray(), 1e-12);
        close(expected, Jax.jit(Jax.vmap(f)).apply(Array.of(xs)).toDoubleArray(), 1e-12);
        String jaxpr = Jax.makeJaxpr(Jax.vmap(f)).apply(Array.of(xs)).toString();
        assertTrue(jaxpr.contains("select_n") && !jaxpr.contains("cond["), jaxpr);
        // per-example gradients through a batched predicate
        double[] g = new double[xs.length];
        for (int i = 0; i < xs.length; i++) g[i] = xs[i] > 0 ? Math.cos(xs[i]) : 2 * xs[i];
        close(g, Jax.vmap(Jax.grad(f)).apply(Array.of(xs)).toDoubleArray(), 1e-12);
        // an unbatched predicate keeps the cond
        Array p = Array.of(true).reshape();
        Function1<Array, Array> h = x -> ControlFlow.cond(p, (Array v) -> Np.sin(v), (Array v) -> v.mul(v), x);
        String hj = Jax.makeJaxpr(Jax.vmap(h)).apply(Array.of(xs)).toString();
        assertTrue(hj.contains("cond["), hj);
        close(java.util.Arrays.stream(xs).map(Math::sin).toArray(), Jax.vmap(h).apply(Array.of(xs)).toDoubleArray(), 1e-12);
    }

    // ---------------------------------------------------------------- scan

    @Test
    void scanComputesCumulativeValuesLikeAJavaLoop() {
        double[] xs = {1.5, -2.0, 0.25, 3.0};
        Tuple2<Array, Array> r = ControlFlow.scan((Array c, Array x) -> Tuple.of(c.mul(x).add(1.0), c), Array.scalar(1.0, DType.F64), Array.of(xs));
        double c = 1;
        double[] ys = new double[xs.length];
        for (int i = 0; i < xs.length; i++) {
            ys[i] = c;
            c = c * xs[i] + 1;
        }
        assertEquals(c, r._1.item(), 1e-12);
        close(ys, r._2.toDoubleArray(), 1e-12);
        // reverse
        Tuple2<Array, Array> rev = ControlFlow.scan((Array k, Array x) -> Tuple.of(k.mul(x).add(1.0), k), Array.scalar(1.0, DType.F64), Array.of(xs), null, true);
        c = 1;
        for (int i = xs.length - 1; i >= 0; i--) {
            ys[i] = c;
            c = c * xs[i] + 1;
        }
        assertEquals(c, rev._1.item(), 1e-12);
        close(ys, rev._2.toDoubleArray(), 1e-12);
        // jit agrees, and the jaxpr holds one scan
        Function1<Array, Array> cum = v -> ControlFlow.scan((Array k, Array x) -> Tuple.of(k.add(x), k.add(x)), Array.scalar(0.0, DType.F64), v)._2;
        close(new double[]{1.5, -0.5, -0.25, 2.75}, Jax.jit(cum).apply(Array.of(xs)).toDoubleArray(), 1e-12);
        assertTrue(Jax.makeJaxpr(cum).apply(Array.of(xs)).toString().contains("scan["));
    }

    @Test
    void scanOverPytreesAndWithoutXs() {
        // carry (a, b) Fibonacci with no xs
        Tuple2<Tuple2<Array, Array>, Array> r = ControlFlow.scan((Tuple2<Array, Array> c, Object x) -> Tuple.of(Tuple.of(c._2, c._1.add(c._2)), c._1),
                Tuple.of(Array.scalar(0), Array.scalar(1)), null, 10, false);
        assertEquals(55, r._1._1.intValue());
        assertArrayEquals(new int[]{0, 1, 1, 2, 3, 5, 8, 13, 21, 34}, r._2.toIntArray());
        Jax4jException e = assertThrows(Jax4jException.class, () -> ControlFlow.scan((Array c, Array x) -> Tuple.of(c.add(x), x),
                Array.scalar(0f), Array.of(new float[][]{{1, 2}, {3, 4}})));
        assertTrue(e.getMessage().contains("carry") && e.getMessage().contains("f32[2]"), e.getMessage());
    }

    /** A recurrence with parameters w = (a, b): c ← tanh(a·c + b·x), loss = sum of the ys² and the final c. */
    static Array scanLoss(Array w, Array xs) {
        Array a = Np.sum(w.mul(Array.of(1.0, 0.0))), b = Np.sum(w.mul(Array.of(0.0, 1.0)));
        Tuple2<Array, Array> r = ControlFlow.scan((Array c, Array x) -> {
            Array next = Np.tanh(c.mul(a).add(x.mul(b)));
            return Tuple.of(next, next.mul(next));
        }, Array.scalar(0.3, DType.F64), xs);
        return Np.sum(r._2).add(r._1);
    }

    static Array unrolledLoss(Array w, Array xs) {
        Array c = Array.scalar(0.3, DType.F64);
        Array total = Array.scalar(0.0, DType.F64);
        Array a = Np.sum(w.mul(Array.of(1.0, 0.0))), b = Np.sum(w.mul(Array.of(0.0, 1.0)));
        for (int i = 0; i < xs.dim(0); i++) {
            Array x = Np.sum(xs.mul(Array.fromDoubles(onehot(xs.dim(0), i), xs.dim(0))));
            c = Np.tanh(c.mul(a).add(x.mul(b)));
            total = total.add(c.mul(c));
        }
        return total.add(c);
    }

    static double[] onehot(int n, int i) {
        double[] d = new double[n];
        d[i] = 1;
        return d;
    }

    @Test
    void gradOfScanMatchesFiniteDifferencesAndTheUnrolledLoop() {
        Array xs = Array.of(0.5, -1.0, 2.0, 0.1, -0.3);
        double[] w = {0.8, -0.6};
        Function1<Array, Array> f = v -> scanLoss(v, xs);
        Function1<Array, Array> unrolled = v -> unrolledLoss(v, xs);
        assertEquals(unrolled.apply(Array.of(w)).item(), f.apply(Array.of(w)).item(), 1e-12);
        double[] fd = finiteDiff(f, w);
        double[] g = Jax.grad(f).apply(Array.of(w)).toDoubleArray();
        close(fd, g, 1e-6);
        close(Jax.grad(unrolled).apply(Array.of(w)).toDoubleArray(), g, 1e-12);
        close(g, Jax.grad(Jax.jit(f)).apply(Array.of(w)).toDoubleArray(), 1e-12);
        close(g, Jax.jit(Jax.grad(f)).apply(Array.of(w)).toDoubleArray(), 1e-12);
        // gradient with respect to the scanned xs too
        Function1<Array, Array> fx = v -> scanLoss(Array.of(w), v);
        close(finiteDiff(fx, xs.toDoubleArray()), Jax.grad(fx).apply(xs).toDoubleArray(), 1e-6);
        // forward mode
        Array t = Array.of(1.0, 0.5);
        assertEquals(fd[0] + 0.5 * fd[1], Jax.jvp(f, Array.of(w), t).tangentsOut().item(), 1e-6);
        // second order: the Hessian-vector product through the scan equals the unrolled one
        Function1<Array, Array> hv = v -> Np.sum(Jax.grad(f).apply(v).mul(t));
        close(Jax.grad((Array v) -> Np.sum(Jax.grad(unrolled).apply(v).mul(t))).apply(Array.of(w)).toDoubleArray(),
                Jax.grad(hv).apply(Array.of(w)).toDoubleArray(), 1e-10);
    }

    @Test
    void reverseScanGradAndVmapOfGrad() {
        Function1<Array, Array> f = v -> {
            Tuple2<Array, Array> r = ControlFlow.scan((Array c, Array x) -> Tuple.of(Np.sin(c.mul(x)).add(x), c.mul(x)),
                    Array.scalar(1.0, DType.F64), v, null, true);
            return r._1.add(Np.sum(r._2));
        };
        double[] x = {0.4, -1.2, 0.9};
        double[] g = Jax.grad(f).apply(Array.of(x)).toDoubleArray();
        close(finiteDiff(f, x), g, 1e-6);
        // per-example gradients over a batch of sequences equal the one-at-a-time ones
        double[][] batch = {x, {1.0, 0.2, -0.5}};
        Array rows = Array.fromDoubles(new double[]{0.4, -1.2, 0.9, 1.0, 0.2, -0.5}, 2, 3);
        double[] vg = Jax.vmap(Jax.grad(f)).apply(rows).toDoubleArray();
        for (int b = 0; b < 2; b++) {
            double[] gb = Jax.grad(f).apply(Array.of(batch[b])).toDoubleArray();
            close(gb, java.util.Arrays.copyOfRange(vg, 3 * b, 3 * b + 3), 1e-12);
        }
        // grad of a vmapped scan (the batched scan is transposed)
        double[] gv = Jax.grad((Array m) -> Np.sum(Jax.vmap(f).apply(m))).apply(rows).toDoubleArray();
        close(vg, gv, 1e-12);
        // vmap of the scan itself, and jit of it
        double[] vals = Jax.jit(Jax.vmap(f)).apply(rows).toDoubleArray();
        assertEquals(f.apply(Array.of(batch[1])).item(), vals[1], 1e-12);
    }

    @Test
    void linearizedScanReportsTheRecomputation() {
        // the transposed scan recomputes the primal carries: the linear jaxpr holds a scan eqn, and the
        // backward pass (a traced jaxpr) holds two scans, the forward recomputation and the reverse one
        Array xs = Array.of(0.5, -1.0, 2.0);
        Function1<Array, Array> f = v -> scanLoss(v, xs);
        String bwd = Jax.makeJaxpr(Jax.grad(f)).apply(Array.of(0.8, -0.6)).toString();
        assertTrue(bwd.contains("reverse=True") && bwd.contains("reverse=False"), bwd);
    }

    // ---------------------------------------------------------------- fori and while

    @Test
    void foriLoopStaticIsAScanAndDifferentiable() {
        Function1<Array, Array> f = x -> ControlFlow.foriLoop(0, 5, (i, v) -> Np.sin(v).add(i.astype(DType.F64).mul(0.5)), x);
        double v = 0.7;
        for (int i = 0; i < 5; i++) v = Math.sin(v) + 0.5 * i;
        assertEquals(v, f.apply(Array.scalar(0.7, DType.F64)).item(), 1e-12);
        assertTrue(Jax.makeJaxpr(f).apply(Array.scalar(0.7, DType.F64)).toString().contains("scan["));
        double h = 1e-6;
        double fd = (f.apply(Array.scalar(0.7 + h, DType.F64)).item() - f.apply(Array.scalar(0.7 - h, DType.F64)).item()) / (2 * h);
        assertEquals(fd, Jax.grad(f).apply(Array.scalar(0.7, DType.F64)).item(), 1e-7);
        // against the unrolled loop, jitted
        Function1<Array, Array> unrolled = x -> {
            Array y = x;
            for (int i = 0; i < 5; i++) y = Np.sin(y).add(0.5 * i);
            return y;
        };
        assertEquals(Jax.grad(unrolled).apply(Array.scalar(0.7, DType.F64)).item(),
                Jax.jit(Jax.grad(f)).apply(Array.scalar(0.7, DType.F64)).item(), 1e-12);
    }

    @Test
    void whileLoopValuesAndForwardMode() {
        // halve until below 1, counting steps
        Function1<Array, Tuple2<Array, Array>> f = x -> ControlFlow.whileLoop((Tuple2<Array, Array> c) -> c._1.ge(1.0),
                c -> Tuple.of(c._1.mul(0.5), c._2.add(1)), Tuple.of(x, Array.scalar(0)));
        Tuple2<Array, Array> r = f.apply(Array.scalar(13.0, DType.F64));
        assertEquals(13.0 / 16, r._1.item(), 1e-12);
        assertEquals(4, r._2.intValue());
        Tuple2<Array, Array> rj = Jax.jit(f).apply(Array.scalar(13.0, DType.F64));
        assertEquals(4, rj._2.intValue());
        // jvp: y = x^(2^k) by repeated squaring while below 100
        Function1<Array, Array> g = x -> ControlFlow.whileLoop((Array v) -> v.lt(100.0), v -> v.mul(v), x);
        Jvp<Array> jv = Jax.jvp(g, Array.scalar(1.5, DType.F64), Array.scalar(1.0, DType.F64));
        // 1.5 -> 2.25 -> 5.0625 -> 25.6289 -> 656.8: x^16, derivative 16 x^15
        assertEquals(Math.pow(1.5, 16), jv.primalsOut().item(), 1e-9);
        assertEquals(16 * Math.pow(1.5, 15), jv.tangentsOut().item(), 1e-7);
        assertEquals(16 * Math.pow(1.5, 15), Jax.jacfwd(g).apply(Array.scalar(1.5, DType.F64)).item(), 1e-7);
        // dynamic fori_loop is a while
        Function1<Array, Array> dyn = n -> ControlFlow.foriLoop(Array.scalar(0), n, (i, v) -> v.add(i.astype(DType.F64)), Array.scalar(0.0, DType.F64));
        assertEquals(45.0, dyn.apply(Array.scalar(10)).item(), 0);
        assertTrue(Jax.makeJaxpr(dyn).apply(Array.scalar(10)).toString().contains("while["));
    }

    @Test
    void reverseModeOfWhileIsJaxsError() {
        Function1<Array, Array> g = x -> ControlFlow.whileLoop((Array v) -> v.lt(100.0), v -> v.mul(v), x);
        Jax4jException e = assertThrows(Jax4jException.class, () -> Jax.grad(g).apply(Array.scalar(1.5, DType.F64)));
        assertTrue(e.getMessage().startsWith("Reverse-mode differentiation does not work for lax.while_loop or lax.fori_loop with dynamic "
                + "start/stop values. Try using lax.scan, or using fori_loop with static start/stop."), e.getMessage());
        Function1<Array, Array> dyn = x -> ControlFlow.foriLoop(Array.scalar(0), Array.scalar(3), (i, v) -> v.mul(v), x);
        assertThrows(Jax4jException.class, () -> Jax.grad(dyn).apply(Array.scalar(1.5, DType.F64)));
    }

    @Test
    void vmapOfWhileWithABatchedPredicate() {
        // Collatz-like: each example runs its own number of steps
        Function1<Array, Tuple2<Array, Array>> f = x -> ControlFlow.whileLoop((Tuple2<Array, Array> c) -> c._1.lt(50.0),
                c -> Tuple.of(c._1.mul(3.0).add(1.0), c._2.add(1)), Tuple.of(x, Array.scalar(0)));
        double[] xs = {1, 7, 60, 2};
        Tuple2<Array, Array> r = Jax.vmap(f).apply(Array.of(xs));
        double[] vals = r._1.toDoubleArray();
        int[] steps = r._2.toIntArray();
        for (int i = 0; i < xs.length; i++) {
            double v = xs[i];
            int n = 0;
            while (v < 50) {
                v = 3 * v + 1;
                n++;
            }
            assertEquals(v, vals[i], 0, "value " + i);
            assertEquals(n, steps[i], "steps " + i);
        }
        Tuple2<Array, Array> rj = Jax.jit(Jax.vmap(f)).apply(Array.of(xs));
        assertArrayEquals(steps, rj._2.toIntArray());
    }
}
