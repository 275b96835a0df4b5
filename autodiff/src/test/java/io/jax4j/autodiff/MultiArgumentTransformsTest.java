package io.jax4j.autodiff;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Np;
import io.jax4j.core.Jax4jException;
import io.vavr.Function2;
import io.vavr.Function3;
import io.vavr.Function4;
import io.vavr.Tuple;
import io.vavr.Tuple2;
import io.vavr.Tuple3;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code grad(argnums=...)}, several primals in {@code jvp}/{@code vjp}, {@code jit(static_argnums=...)}. */
class MultiArgumentTransformsTest {
    private static final Array W = Array.of(0.5, -1.25, 2.0).astype(DType.F64);
    private static final Array X = Array.of(1.5, 0.25, -0.75).astype(DType.F64);
    private static final Array B = Array.scalar(0.3, DType.F64);

    /** f(w, x, b) = Σ tanh(w·x + b): ∂w = x·s, ∂x = w·s, ∂b = Σ s with s = 1 - tanh². */
    private static final Function3<Array, Array, Array, Array> F = (w, x, b) -> Np.sum(Np.tanh(w.mul(x).add(b)));

    private static double[] s() {
        double[] w = W.toDoubleArray(), x = X.toDoubleArray(), s = new double[3];
        for (int i = 0; i < 3; i++) s[i] = 1 - Math.pow(Math.tanh(w[i] * x[i] + 0.3), 2);
        return s;
    }

    private static double[] times(double[] a, Array b) {
        double[] v = b.toDoubleArray(), out = new double[a.length];
        for (int i = 0; i < a.length; i++) out[i] = a[i] * v[i];
        return out;
    }

    @Test
    void gradWithRespectToAChosenArgument() {
        Function2<Array, Array, Array> f2 = (w, x) -> F.apply(w, x, B);
        Function2<Array, Array, Array> dx = Jax.grad(f2, 1);
        assertArrayEquals(times(s(), W), dx.apply(W, X).toDoubleArray(), 1e-12);
        Function2<Array, Array, Array> dxFromTheEnd = Jax.grad(f2, -1);
        assertArrayEquals(times(s(), W), dxFromTheEnd.apply(W, X).toDoubleArray(), 1e-12);
        Function3<Array, Array, Array, Array> db = Jax.grad(F, 2);
        assertEquals(java.util.Arrays.stream(s()).sum(), db.apply(W, X, B).item(), 1e-12);
        ValueAndGrad<Array> vg = Jax.<Array, Array, Array>valueAndGrad(f2, 1).apply(W, X);
        assertEquals(F.apply(W, X, B).item(), vg.value().item(), 0);
        assertArrayEquals(times(s(), W), vg.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void gradWithRespectToSeveralArgumentsGivesOnePerArgnumInOrder() {
        Gradients g = Jax.grad(F, 2, 0).apply(W, X, B);
        assertEquals(2, g.size());
        Array db = g.get(0), dw = g.get(1);
        assertEquals(java.util.Arrays.stream(s()).sum(), db.item(), 1e-12);
        assertArrayEquals(times(s(), X), dw.toDoubleArray(), 1e-12);
        Function4<Array, Array, Array, Array, Array> f4 = (w, x, b, scale) -> F.apply(w, x, b).mul(scale);
        Gradients all = Jax.grad(f4, 0, 1, 2, 3).apply(W, X, B, Array.scalar(2.0, DType.F64));
        assertArrayEquals(times(times(s(), X), Array.of(2.0, 2.0, 2.0)), all.<Array>get(0).toDoubleArray(), 1e-12);
        assertEquals(F.apply(W, X, B).item(), all.<Array>get(3).item(), 1e-12);
        ValueAndGradWithAux<Gradients, Array> withAux = Jax.<Array, Array, Array>valueAndGradWithAux(
                (w, x) -> HasAux.of(F.apply(w, x, B), w.mul(x)), 0, 1).apply(W, X);
        assertArrayEquals(W.mul(X).toDoubleArray(), withAux.aux().toDoubleArray(), 0);
        assertArrayEquals(times(s(), W), withAux.grad().<Array>get(1).toDoubleArray(), 1e-12);
        assertThrows(IndexOutOfBoundsException.class, () -> g.get(2));
    }

    @Test
    void badArgnumsAreNamed() {
        Function2<Array, Array, Array> f2 = (w, x) -> F.apply(w, x, B);
        Jax4jException range = assertThrows(Jax4jException.class, () -> Jax.grad(f2, 2).apply(W, X));
        assertTrue(range.getMessage().contains("argnums 2 is out of range for a function of 2 arguments"), range.getMessage());
        Jax4jException repeat = assertThrows(Jax4jException.class, () -> Jax.grad(f2, 1, -1).apply(W, X));
        assertTrue(repeat.getMessage().contains("repeat argument 1"), repeat.getMessage());
    }

    @Test
    void jvpAndVjpOfSeveralPrimalsAreAdjoint() {
        Function2<Array, Array, Array> f = (w, x) -> Np.tanh(w.mul(x)).add(x.mul(x));
        Array tw = Array.of(1.0, 0.0, -2.0).astype(DType.F64), tx = Array.of(0.5, 1.0, 0.25).astype(DType.F64);
        Jvp<Array> jvp = Jax.jvp(f, Tuple.of(W, X), Tuple.of(tw, tx));
        assertArrayEquals(f.apply(W, X).toDoubleArray(), jvp.primalsOut().toDoubleArray(), 0);
        Jvp<Array> jw = Jax.jvp((Array w) -> f.apply(w, X), W, tw), jx = Jax.jvp((Array x) -> f.apply(W, x), X, tx);
        assertArrayEquals(jw.tangentsOut().add(jx.tangentsOut()).toDoubleArray(), jvp.tangentsOut().toDoubleArray(), 1e-12);
        Vjp<Tuple2<Array, Array>, Array> vjp = Jax.vjp(f, W, X);
        Array ct = Array.of(1.0, -1.0, 3.0).astype(DType.F64);
        Tuple2<Array, Array> cts = vjp.apply(ct);
        double lhs = Np.sum(ct.mul(jvp.tangentsOut())).item();
        double rhs = Np.sum(cts._1.mul(tw)).item() + Np.sum(cts._2.mul(tx)).item();
        assertEquals(lhs, rhs, 1e-12, "<ct, J t> = <J^T ct, t>");
        Vjp<Tuple3<Array, Array, Array>, Array> v3 = Jax.vjp(F, W, X, B);
        assertArrayEquals(Jax.grad(F, 1).apply(W, X, B) instanceof Array a ? a.toDoubleArray() : null,
                v3.apply(Array.scalar(1.0, DType.F64))._2.toDoubleArray(), 1e-12);
        Jvp<Array> j3 = Jax.jvp(F, Tuple.of(W, X, B), Tuple.of(tw, tx, Array.scalar(1.0, DType.F64)));
        assertEquals(F.apply(W, X, B).item(), j3.primalsOut().item(), 0);
        Linearized<Array, Array> lin = Jax.linearize((Array w) -> f.apply(w, X), W);
        assertArrayEquals(jw.tangentsOut().toDoubleArray(), lin.apply(tw).toDoubleArray(), 1e-12);
    }

    @Test
    void staticArgumentsArePartOfTheKeyByValue() {
        AtomicInteger traces = new AtomicInteger();
        Function2<Array, int[], Array> reshape = Jax.jit((Array x, int[] shape) -> {
            traces.incrementAndGet();
            return x.reshape(shape);
        }, JitOptions.staticArgnums(1));
        Array x = Array.arange(6).astype(DType.F32);
        assertArrayEquals(new int[]{2, 3}, reshape.apply(x, new int[]{2, 3}).shape());
        assertArrayEquals(new int[]{2, 3}, reshape.apply(x, new int[]{2, 3}).shape());
        assertEquals(1, traces.get(), "an equal static value (a new int[] with the same contents) is a cache hit");
        assertArrayEquals(new int[]{3, 2}, reshape.apply(x, new int[]{3, 2}).shape());
        assertEquals(2, traces.get(), "a new static value traces again");
        Function2<Array, Object, Array> anything = Jax.jit((Array a, Object config) -> a.mul(2f), JitOptions.staticArgnums(1));
        Jax4jException arrays = assertThrows(Jax4jException.class, () -> anything.apply(x, java.util.List.of(x)));
        assertTrue(arrays.getMessage().contains("static argument 1 holds an array f32[6]"), arrays.getMessage());
        Jax4jException range = assertThrows(Jax4jException.class, () -> Jax.jit((Array a) -> a, JitOptions.staticArgnums(1)));
        assertTrue(range.getMessage().contains("static_argnums 1 is out of range for a function of 1 arguments"), range.getMessage());
        assertThrows(IllegalArgumentException.class, () -> JitOptions.staticArgnums(0).withDonateArgnums(0));
    }

    record Layer(Array w, Array b) {}

    @Test
    void vmapTakesPytreeAxes() {
        // per-example weights (axis 0 of w) with a shared bias, over a batch of inputs on axis 1
        Array w = Np.reshape(Array.arange(6).astype(DType.F32), 2, 3);
        Array b = Array.of(10f, 20f, 30f);
        Array xs = Np.reshape(Array.arange(4).astype(DType.F32), 2, 2).T();   // x for example i is column i
        java.util.Map<String, Array> layer = java.util.Map.of("w", w, "b", b);
        Function2<java.util.Map<String, Array>, Array, Array> apply = (l, x) -> l.get("w").mul(Np.sum(x)).add(l.get("b"));
        java.util.Map<String, Integer> layerAxes = new java.util.HashMap<>();   // Map.of refuses null values
        layerAxes.put("w", 0);
        layerAxes.put("b", null);
        Array out = Jax.vmap(apply, InAxes.of(layerAxes, 1)).apply(layer, xs);
        for (int i = 0; i < 2; i++) {
            float sx = (float) Np.sum(xs.get(":", i)).item();
            assertArrayEquals(w.get(i).mul(sx).add(b).toFloatArray(), out.get(i).toFloatArray(), 0, "example " + i);
        }
        // out_axes as a tree: the batched output on axis 1, an unbatched one (None) returned as is
        Function1Pair f = x -> java.util.List.of(Np.tanh(x), b.mul(2f));
        java.util.List<Array> outs = Jax.vmap(f::apply, InAxes.of(0), java.util.Arrays.asList(1, null)).apply(w);
        assertArrayEquals(new int[]{3, 2}, outs.get(0).shape());
        assertArrayEquals(b.mul(2f).toFloatArray(), outs.get(1).toFloatArray(), 0);
        Jax4jException dependent = assertThrows(Jax4jException.class,
                () -> Jax.vmap(f::apply, InAxes.of(0), java.util.Arrays.asList(null, 0)).apply(w));
        assertTrue(dependent.getMessage().contains("out_axes is None for the output at [0] f32[3]"), dependent.getMessage());
        Jax4jException prefix = assertThrows(Jax4jException.class,
                () -> Jax.vmap(apply, InAxes.of(java.util.List.of(0, 0), 1)).apply(layer, xs));
        assertTrue(prefix.getMessage().contains("in_axes for argument 0 is not a prefix"), prefix.getMessage());
    }

    interface Function1Pair extends io.vavr.Function1<Array, java.util.List<Array>> {}
}
