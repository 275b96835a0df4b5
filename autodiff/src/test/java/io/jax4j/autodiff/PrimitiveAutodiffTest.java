package io.jax4j.autodiff;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Lax;
import io.jax4j.Linalg;
import io.jax4j.Np;
import io.jax4j.Pooling;
import io.jax4j.prims.Convolution.ConvDimensionNumbers;
import io.vavr.Function1;
import io.vavr.Tuple2;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The table-driven autodiff test, after JAX's lax_autodiff_test: for every op in the table, in float64
 * on random inputs from the op's domain, the JVP against central finite differences (first and second
 * order), the VJP/JVP consistency {@code <ct, J t> = <J^T ct, t>}, vmap against a per-example loop,
 * and jit against eager.
 */
class PrimitiveAutodiffTest {

    /** An op over a list of float64 operands of the given shapes; {@code positive} restricts the domain to (0.5, 2). */
    record Case(String name, Function<List<Array>, Array> op, int[][] shapes, boolean positive) {
        static Case of(String name, Function<List<Array>, Array> op, int[]... shapes) { return new Case(name, op, shapes, false); }

        static Case pos(String name, Function<List<Array>, Array> op, int[]... shapes) { return new Case(name, op, shapes, true); }
    }

    static int[] s(int... d) { return d; }

    static final ConvDimensionNumbers NHWC = ConvDimensionNumbers.of("NHWC", "HWIO", "NHWC");

    static List<Case> table() {
        List<Case> t = new ArrayList<>();
        t.add(Case.of("neg", a -> Lax.neg(a.get(0)), s(3, 4)));
        t.add(Case.of("exp", a -> Lax.exp(a.get(0)), s(3, 4)));
        t.add(Case.pos("log", a -> Lax.log(a.get(0)), s(3, 4)));
        t.add(Case.of("expm1", a -> Lax.expm1(a.get(0)), s(5)));
        t.add(Case.pos("log1p", a -> Lax.log1p(a.get(0)), s(5)));
        t.add(Case.of("tanh", a -> Lax.tanh(a.get(0)), s(3, 4)));
        t.add(Case.of("logistic", a -> Lax.logistic(a.get(0)), s(3, 4)));
        t.add(Case.of("sin", a -> Lax.sin(a.get(0)), s(6)));
        t.add(Case.of("cos", a -> Lax.cos(a.get(0)), s(6)));
        t.add(Case.pos("sqrt", a -> Lax.sqrt(a.get(0)), s(6)));
        t.add(Case.pos("rsqrt", a -> Lax.rsqrt(a.get(0)), s(6)));
        t.add(Case.of("erf", a -> Lax.erf(a.get(0)), s(6)));
        t.add(Case.of("square", a -> Lax.square(a.get(0)), s(6)));
        t.add(Case.pos("abs", a -> Lax.abs(a.get(0)), s(6)));
        t.add(Case.of("add", a -> Lax.add(a.get(0), a.get(1)), s(3, 4), s(3, 4)));
        t.add(Case.of("sub", a -> Lax.sub(a.get(0), a.get(1)), s(3, 4), s(3, 4)));
        t.add(Case.of("mul", a -> Lax.mul(a.get(0), a.get(1)), s(3, 4), s(3, 4)));
        t.add(Case.of("mul_scalar", a -> Lax.mul(a.get(0), a.get(1)), s(3, 4), s()));
        t.add(Case.pos("div", a -> Lax.div(a.get(0), a.get(1)), s(3, 4), s(3, 4)));
        t.add(Case.of("max", a -> Lax.max(a.get(0), a.get(1)), s(3, 4), s(3, 4)));
        t.add(Case.of("min", a -> Lax.min(a.get(0), a.get(1)), s(3, 4), s(3, 4)));
        t.add(Case.pos("pow", a -> Lax.pow(a.get(0), a.get(1)), s(3, 4), s(3, 4)));
        t.add(Case.pos("atan2", a -> Lax.atan2(a.get(0), a.get(1)), s(3, 4), s(3, 4)));
        t.add(Case.of("select", a -> Lax.select(Lax.gt(a.get(0), a.get(1)), a.get(0), Lax.mul(a.get(1), a.get(1))), s(3, 4), s(3, 4)));
        t.add(Case.of("broadcast_in_dim", a -> Lax.broadcastInDim(a.get(0), s(2, 3, 4), s(1, 2)), s(3, 4)));
        t.add(Case.of("reshape", a -> Lax.reshape(a.get(0), 2, 6), s(3, 4)));
        t.add(Case.of("transpose", a -> Lax.transpose(a.get(0), 2, 0, 1), s(2, 3, 4)));
        t.add(Case.of("reduce_sum", a -> Lax.reduceSum(a.get(0), 0, 2), s(2, 3, 4)));
        t.add(Case.of("reduce_max", a -> Lax.reduceMax(a.get(0), 1), s(3, 4)));
        t.add(Case.of("reduce_min", a -> Lax.reduceMin(a.get(0), 0), s(3, 4)));
        t.add(Case.of("dot_general", a -> Np.matmul(a.get(0), a.get(1)), s(3, 4), s(4, 5)));
        t.add(Case.of("dot_general_batched", a -> Np.matmul(a.get(0), a.get(1)), s(2, 3, 4), s(2, 4, 5)));
        t.add(Case.of("conv_general_dilated", a -> Lax.convGeneralDilated(a.get(0), a.get(1), s(2, 1), "SAME", null, s(1, 2), NHWC, 1),
                s(1, 6, 5, 2), s(3, 3, 2, 3)));
        t.add(Case.of("reduce_window_sum", a -> Pooling.avgPool(a.get(0), s(2, 2), s(1, 1), "VALID"), s(1, 4, 4, 2)));
        t.add(Case.of("reduce_window_max", a -> Pooling.maxPool(a.get(0), s(2, 2), s(2, 2), "VALID"), s(1, 4, 4, 2)));
        t.add(Case.of("cumsum", a -> Lax.cumsum(a.get(0), 1, false), s(3, 4)));
        t.add(Case.of("cumprod", a -> Lax.cumprod(a.get(0), 0, true), s(3, 4)));
        t.add(Case.of("reduce_prod", a -> Lax.reduceProd(a.get(0), 1), s(3, 4)));
        t.add(Case.of("slice", a -> Lax.slice(a.get(0), s(1, 0), s(3, 4), s(1, 2)), s(3, 4)));
        t.add(Case.of("pad", a -> Lax.pad(a.get(0), Lax.scalarLike(a.get(0), 0), new int[][]{{1, 0, 1}, {0, 2, 0}}), s(3, 4)));
        t.add(Case.of("concatenate", a -> Lax.concatenate(List.of(a.get(0), a.get(1)), 0), s(2, 3), s(1, 3)));
        t.add(Case.of("rev", a -> Lax.rev(a.get(0), 1), s(3, 4)));
        t.add(Case.of("gather", a -> Np.take(a.get(0), Array.of(2, 0, 1, 1), 0), s(3, 4)));
        t.add(Case.of("sort", a -> Lax.sort(a.get(0), 1), s(3, 4)));
        // linear algebra: inputs shifted or squared into well-conditioned matrices
        t.add(Case.of("cholesky", a -> Linalg.cholesky(Np.add(Np.matmul(a.get(0), Np.swapaxes(a.get(0), -1, -2)), eye3(3))), s(3, 3)));
        t.add(Case.of("triangular_solve_left_lower", a -> Linalg.triangularSolve(Np.add(a.get(0), eye3(3)), a.get(1), true, true, false, false),
                s(3, 3), s(3, 2)));
        t.add(Case.of("triangular_solve_right_upper_t_unit", a -> Linalg.triangularSolve(a.get(0), a.get(1), false, false, true, true),
                s(3, 3), s(4, 3)));
        t.add(Case.of("triangular_solve_batched", a -> Linalg.triangularSolve(Np.add(a.get(0), eye3(3)), a.get(1), true, false, true, false),
                s(2, 3, 3), s(2, 3, 4)));
        t.add(Case.of("lu", a -> Linalg.lu(a.get(0)).lu(), s(4, 4)));
        t.add(Case.of("solve", a -> Linalg.solve(Np.add(a.get(0), eye3(4)), a.get(1)), s(4, 4), s(4, 2)));
        t.add(Case.of("inv", a -> Linalg.inv(Np.add(a.get(0), eye3(3))), s(3, 3)));
        t.add(Case.of("det", a -> Linalg.det(a.get(0)), s(4, 4)));
        t.add(Case.of("slogdet", a -> Linalg.slogdet(Np.add(a.get(0), eye3(3))).logabsdet(), s(3, 3)));
        t.add(Case.pos("norm_p3", a -> Linalg.norm(a.get(0), 3.0, 1), s(2, 3)));
        t.add(Case.of("qr_tall", a -> { var r = Linalg.qr(a.get(0)); return Np.concatenate(List.of(r.q(), Np.swapaxes(r.r(), 0, 1)), 0); }, s(4, 3)));
        t.add(Case.of("qr_wide", a -> { var r = Linalg.qr(a.get(0)); return Np.concatenate(List.of(r.q(), r.r()), 1); }, s(3, 5)));
        // eigenvectors and singular vectors are defined up to sign: their squares (and the values) are smooth
        t.add(Case.of("eigh", a -> { var e = Linalg.eigh(a.get(0)); return Np.concatenate(List.of(Np.expandDims(e.eigenvalues(), 0),
                Np.multiply(e.eigenvectors(), e.eigenvectors())), 0); }, s(4, 4)));
        t.add(Case.of("svd_tall", a -> { var d = Linalg.svd(a.get(0)); return Np.concatenate(List.of(Np.expandDims(d.s(), 0),
                Np.multiply(d.u(), d.u()), Np.multiply(d.vh(), d.vh())), 0); }, s(4, 3)));
        t.add(Case.of("svd_wide", a -> { var d = Linalg.svd(a.get(0)); return Np.concatenate(List.of(Np.expandDims(d.s(), 0),
                Np.swapaxes(Np.multiply(d.u(), d.u()), 0, 1)), 0); }, s(3, 5)));
        t.add(Case.of("pinv", a -> Linalg.pinv(a.get(0)), s(4, 3)));
        t.add(Case.of("matrix_power_neg", a -> Linalg.matrixPower(Np.add(a.get(0), eye3(3)), -2), s(3, 3)));
        return t;
    }

    /** 3·I in float64 (adds a margin that keeps random matrices well-conditioned). */
    static Array eye3(int n) { return Np.multiply(Np.eye(n, n, 0, DType.F64), Array.scalar(3.0, DType.F64)); }

    static Array random(SplittableRandom rng, int[] shape, boolean positive) {
        int n = 1;
        for (int d : shape) n *= d;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = positive ? 0.5 + 1.5 * rng.nextDouble() : rng.nextDouble() * 2 - 1;
        return Array.fromDoubles(DType.F64, v, shape);
    }

    static double dot(Array a, Array b) { return Np.sum(Lax.mul(a, b)).item(); }

    @TestFactory
    Stream<DynamicTest> everyOp() {
        return table().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
    }

    private static void check(Case c) {
        SplittableRandom rng = new SplittableRandom(c.name().hashCode());
        List<Array> xs = new ArrayList<>(), ts = new ArrayList<>();
        for (int[] shape : c.shapes()) {
            xs.add(random(rng, shape, c.positive()));
            ts.add(random(rng, shape, false));
        }
        Function1<List<Array>, Array> f = c.op()::apply;
        // first order: JVP against central differences (the step is small against the positive domain's margin)
        double h = 1e-6;
        Jvp<Array> jvp = Jax.jvp(f, xs, ts);
        Array fd = Lax.div(Lax.sub(f.apply(axpy(xs, ts, h)), f.apply(axpy(xs, ts, -h))), Lax.scalarLike(jvp.primalsOut(), 2 * h));
        assertClose(fd, jvp.tangentsOut(), 1e-5, c.name() + " jvp vs finite differences");
        // second order: the JVP of the JVP along the same direction
        Function1<List<Array>, Array> df = x -> Jax.jvp(f, x, ts).tangentsOut();
        Array second = Jax.jvp(df, xs, ts).tangentsOut();
        Array fd2 = Lax.div(Lax.sub(df.apply(axpy(xs, ts, h)), df.apply(axpy(xs, ts, -h))), Lax.scalarLike(jvp.primalsOut(), 2 * h));
        if (!c.name().startsWith("reduce_m") && !c.name().equals("max") && !c.name().equals("min") && !c.name().equals("select")
                && !c.name().equals("reduce_window_max") && !c.name().equals("abs")) {
            assertClose(fd2, second, 1e-4, c.name() + " second-order jvp vs finite differences");
        }
        // VJP/JVP consistency
        Vjp<List<Array>, Array> vjp = Jax.vjp(f, xs);
        Array ct = random(rng, jvp.primalsOut().shape(), false);
        List<Array> cts = vjp.apply(ct);
        double lhs = dot(ct, jvp.tangentsOut()), rhs = 0;
        for (int i = 0; i < xs.size(); i++) rhs += dot(cts.get(i), ts.get(i));
        assertEquals(lhs, rhs, 1e-9 * (1 + Math.abs(lhs)), c.name() + " <ct, J t> = <J^T ct, t>");
        // jit against eager
        assertClose(f.apply(xs), Jax.jit(f).apply(xs), 1e-12, c.name() + " jit vs eager");
        // vmap against a loop over a batch of 3
        List<Array> batched = new ArrayList<>();
        List<List<Array>> examples = new ArrayList<>();
        for (int b = 0; b < 3; b++) {
            List<Array> ex = new ArrayList<>();
            for (int[] shape : c.shapes()) ex.add(random(rng, shape, c.positive()));
            examples.add(ex);
        }
        for (int i = 0; i < xs.size(); i++) {
            List<Array> parts = new ArrayList<>();
            for (List<Array> ex : examples) parts.add(Np.expandDims(ex.get(i), 0));
            batched.add(concat0(parts));
        }
        Array vm = Jax.vmap(f).apply(batched);
        for (int b = 0; b < 3; b++) {
            Array expected = f.apply(examples.get(b));
            Array got = Lax.reshape(Lax.dotGeneral(onehot(b, 3), vm, s(0), s(0), s(), s()), expected.shape());
            assertClose(expected, got, 1e-12, c.name() + " vmap vs loop, example " + b);
        }
    }

    private static Array onehot(int i, int n) {
        double[] v = new double[n];
        v[i] = 1;
        return Array.fromDoubles(DType.F64, v, n);
    }

    /** Stacks [1, ...] parts along axis 0 with broadcast-and-select (no concatenate needed). */
    private static Array concat0(List<Array> parts) {
        int[] shape = parts.getFirst().shape();
        shape[0] = parts.size();
        Array acc = null;
        for (int i = 0; i < parts.size(); i++) {
            Array e = Lax.mul(Np.broadcastTo(parts.get(i), shape), Lax.broadcastInDim(onehot(i, parts.size()), shape, s(0)));
            acc = acc == null ? e : Lax.add(acc, e);
        }
        return acc;
    }

    private static List<Array> axpy(List<Array> xs, List<Array> ts, double h) {
        List<Array> out = new ArrayList<>();
        for (int i = 0; i < xs.size(); i++) out.add(Lax.add(xs.get(i), Lax.mul(ts.get(i), Lax.scalarLike(ts.get(i), h))));
        return out;
    }

    private static void assertClose(Array expected, Array actual, double tol, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            assertTrue(Math.abs(e[i] - a[i]) <= tol * (1 + Math.abs(e[i])), what + "[" + i + "]: expected " + e[i] + " got " + a[i]);
        }
    }
}
