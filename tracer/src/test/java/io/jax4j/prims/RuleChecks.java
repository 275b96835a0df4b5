package io.jax4j.prims;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Shape;
import io.jax4j.ShapedArray;
import io.jax4j.core.ArrayImpl;
import io.jax4j.core.Params;
import io.jax4j.core.Primitive;
import io.jax4j.core.UndefinedPrimal;
import io.jax4j.core.Vmap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Rule checks shared by the indexing tests, calling the rules directly on concrete float64 arrays:
 * abstract eval vs impl, JVP vs central differences, transpose by the dot-product test, batching vs
 * a per-example loop of bind.
 */
final class RuleChecks {
    private RuleChecks() {}

    static ArrayImpl randn(Random r, int... shape) {
        double[] d = new double[Math.toIntExact(Shape.of(shape).size())];
        for (int i = 0; i < d.length; i++) d[i] = r.nextGaussian();
        return ArrayImpl.ofDoubles(new ShapedArray(DType.F64, Shape.of(shape)), d);
    }

    static ArrayImpl ints(int[] values, int... shape) {
        return ArrayImpl.ofLongs(new ShapedArray(DType.I32, Shape.of(shape)), Arrays.stream(values).asLongStream().toArray());
    }

    static ArrayImpl randInts(Random r, int lo, int hi, int... shape) {
        long[] v = new long[Math.toIntExact(Shape.of(shape).size())];
        for (int i = 0; i < v.length; i++) v[i] = lo + r.nextInt(hi - lo);
        return ArrayImpl.ofLongs(new ShapedArray(DType.I32, Shape.of(shape)), v);
    }

    static ArrayImpl scalarInt(int v) { return ArrayImpl.ofLongs(ShapedArray.of(DType.I32), new long[]{v}); }

    static ArrayImpl f64(double[] v, int... shape) { return ArrayImpl.ofDoubles(new ShapedArray(DType.F64, Shape.of(shape)), v); }

    static double[] vals(Array a) { return ((ArrayImpl) a).toDoubles(); }

    static void assertClose(double[] expected, double[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i], a = actual[i];
            boolean ok = Double.isNaN(e) ? Double.isNaN(a) : Math.abs(e - a) <= tol * (1 + Math.abs(e));
            if (!ok) throw new AssertionError(what + ": at " + i + " expected " + e + " got " + a
                    + "\nexpected " + Arrays.toString(expected) + "\nactual   " + Arrays.toString(actual));
        }
    }

    /** The impl's outputs match the abstract eval's avals (dtype, shape, weak type). */
    static List<Array> checkAvals(Primitive p, Params params, List<Array> in) {
        List<Array> out = p.bind(params, in);
        List<ShapedArray> avals = p.abstractEval(params, in.stream().map(Array::aval).toList());
        assertEquals(avals.size(), out.size(), p + ": number of outputs");
        for (int i = 0; i < out.size(); i++) assertEquals(avals.get(i), out.get(i).aval(), p + ": output " + i + " aval");
        return out;
    }

    /** JVP along random tangents of the operands {@code diff} vs (f(x + εt) - f(x - εt)) / 2ε. */
    static void checkJvp(Random r, Primitive p, Params params, List<Array> primals, int... diff) {
        List<Array> tangents = new ArrayList<>(Arrays.asList(new Array[primals.size()]));
        for (int i : diff) tangents.set(i, randn(r, primals.get(i).shape()));
        Primitive.JvpResult res = p.jvpRule().apply(params, primals, tangents);
        List<Array> out = p.bind(params, primals);
        double eps = 1e-6;
        List<Array> plus = p.bind(params, perturb(primals, tangents, eps));
        List<Array> minus = p.bind(params, perturb(primals, tangents, -eps));
        for (int k = 0; k < out.size(); k++) {
            assertArrayEquals(vals(out.get(k)), vals(res.primals().get(k)), p + ": JVP primal output " + k);
            if (!out.get(k).dtype().isFloating()) continue;
            double[] fd = new double[Math.toIntExact(out.get(k).size())];
            double[] a = vals(plus.get(k)), b = vals(minus.get(k));
            for (int i = 0; i < fd.length; i++) fd[i] = (a[i] - b[i]) / (2 * eps);
            Array tk = res.tangents().get(k);                       // null: a symbolic zero
            assertClose(fd, tk == null ? new double[fd.length] : vals(tk), 1e-6, p + " JVP vs finite differences, output " + k);
        }
    }

    private static List<Array> perturb(List<Array> xs, List<Array> ts, double eps) {
        List<Array> out = new ArrayList<>();
        for (int i = 0; i < xs.size(); i++) {
            if (ts.get(i) == null) {
                out.add(xs.get(i));
                continue;
            }
            double[] x = vals(xs.get(i)), t = vals(ts.get(i));
            for (int j = 0; j < x.length; j++) x[j] += eps * t[j];
            out.add(ArrayImpl.ofDoubles(xs.get(i).aval(), x));
        }
        return out;
    }

    /** ⟨ct, J t⟩ = Σ ⟨Jᵀct_i, t_i⟩ for the operands {@code linear}, with random t and ct. */
    static void checkTranspose(Random r, Primitive p, Params params, List<Array> operands, int... linear) {
        List<Array> withT = new ArrayList<>(operands);
        List<Object> undefined = new ArrayList<>(operands);
        for (int i : linear) {
            withT.set(i, randn(r, operands.get(i).shape()));
            undefined.set(i, new UndefinedPrimal(operands.get(i).aval()));
        }
        Array jt = p.bind(params, withT).getFirst();
        Array ct = randn(r, jt.shape());
        List<Array> cts = p.transposeRule().apply(params, List.of(ct), undefined);
        double lhs = dot(ct, jt), rhs = 0;
        for (int i = 0; i < operands.size(); i++) {
            final int op = i;
            boolean isLinear = Arrays.stream(linear).anyMatch(j -> j == op);
            if (!isLinear) {
                assertNull(cts.get(i), p + ": no cotangent for the non-linear operand " + i);
                continue;
            }
            assertEquals(operands.get(i).aval().dims().length, cts.get(i).ndim(), p + ": cotangent rank of operand " + i);
            assertArrayEquals(operands.get(i).shape(), cts.get(i).shape(), p + ": cotangent shape of operand " + i);
            rhs += dot(cts.get(i), withT.get(i));
        }
        assertEquals(lhs, rhs, 1e-9 * (1 + Math.abs(lhs)), p + ": dot-product test of the transpose");
    }

    static double dot(Array a, Array b) {
        double[] x = vals(a), y = vals(b);
        double s = 0;
        for (int i = 0; i < x.length; i++) s += x[i] * y[i];
        return s;
    }

    /** vmap of bind over the batched operands (axis per operand, null = unmapped) vs a loop of bind per example. */
    @SuppressWarnings("unchecked")
    static void checkBatch(Primitive p, Params params, List<Array> operands, Integer... axes) {
        List<Object> args = new ArrayList<>(operands);
        Object res = Vmap.apply(a -> p.bind(params, a.stream().map(o -> (Array) o).toList()), p.name(), Arrays.asList(axes), 0, args);
        List<Array> batched = (List<Array>) res;
        int size = -1;
        for (int i = 0; i < axes.length; i++) if (axes[i] != null) size = operands.get(i).dim(axes[i]);
        for (int b = 0; b < size; b++) {
            List<Array> example = new ArrayList<>();
            for (int i = 0; i < operands.size(); i++) {
                example.add(axes[i] == null ? operands.get(i) : index((ArrayImpl) operands.get(i), axes[i], b));
            }
            List<Array> expected = p.bind(params, example);
            for (int k = 0; k < expected.size(); k++) {
                assertArrayEquals(vals(expected.get(k)), vals(index((ArrayImpl) batched.get(k), 0, b)),
                        p + ": vmap vs loop, example " + b + ", output " + k);
            }
        }
    }

    /** {@code x} at position {@code b} of {@code axis}, by plain index arithmetic. */
    static ArrayImpl index(ArrayImpl x, int axis, int b) {
        int[] s = x.shape();
        int[] out = new int[s.length - 1];
        for (int i = 0, j = 0; i < s.length; i++) if (i != axis) out[j++] = s[i];
        ArrayImpl r = ArrayImpl.allocate(x.aval().withShape(Shape.of(out)));
        long[] strides = x.aval().shape().strides();
        for (long k = 0; k < r.size(); k++) {
            int[] idx = io.jax4j.core.Indexing.unravel(k, out);
            long src = (long) b * strides[axis];
            for (int i = 0, j = 0; i < s.length; i++) if (i != axis) src += idx[j++] * strides[i];
            Indexing.copy(x, src, r, k);
        }
        return r;
    }
}
