package io.jax4j.autodiff;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Np;
import io.jax4j.core.Jax4jException;
import io.vavr.Function1;
import io.vavr.Tuple;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** customJvp, customVjp and checkpoint: values, derivatives, jit and vmap. */
class CustomRulesTest {

    /** JAX's documentation example: log(1 + e^x) with the stable derivative 1 - 1/(1 + e^x). */
    static final Function1<Array, Array> LOG1PEXP = ControlFlow.customJvp(
            x -> Np.log1p(Np.exp(x)),
            (x, t) -> Tuple.of(Np.log1p(Np.exp(x)), t.mul(Np.exp(x.neg()).add(1.0).rdiv(1.0))));

    @Test
    void customJvpGivesTheStableDerivative() {
        Function1<Array, Array> naive = x -> Np.log1p(Np.exp(x));
        assertTrue(Double.isNaN(Jax.grad(naive).apply(Array.scalar(100f)).item()), "the naive derivative is inf/inf");
        assertEquals(1.0, Jax.grad(LOG1PEXP).apply(Array.scalar(100f)).item(), 0);
        assertEquals(Math.log1p(Math.exp(3.0)), LOG1PEXP.apply(Array.scalar(3.0, DType.F64)).item(), 1e-12);
        double x = 0.7, expected = 1 - 1 / (1 + Math.exp(x));
        assertEquals(expected, Jax.grad(LOG1PEXP).apply(Array.scalar(x, DType.F64)).item(), 1e-12);
        assertEquals(expected, Jax.jit(Jax.grad(LOG1PEXP)).apply(Array.scalar(x, DType.F64)).item(), 1e-12);
        assertEquals(expected, Jax.grad(Jax.jit(LOG1PEXP)).apply(Array.scalar(x, DType.F64)).item(), 1e-12);
        assertEquals(2 * expected, Jax.jvp(LOG1PEXP, Array.scalar(x, DType.F64), Array.scalar(2.0, DType.F64)).tangentsOut().item(), 1e-12);
        // staged under jit as a primitive carrying the rule
        assertTrue(Jax.makeJaxpr(LOG1PEXP).apply(Array.scalar(1f)).toString().contains("custom_jvp_call["));
        // vmap of the function and of its gradient
        double[] xs = {-2, 0, 50, 100};
        Array v = Array.of(xs);
        double[] vals = Jax.vmap(LOG1PEXP).apply(v).toDoubleArray();
        double[] grads = Jax.vmap(Jax.grad(LOG1PEXP)).apply(v).toDoubleArray();
        double[] jitGrads = Jax.jit(Jax.vmap(Jax.grad(LOG1PEXP))).apply(v).toDoubleArray();
        for (int i = 0; i < xs.length; i++) {
            assertEquals(Math.log1p(Math.exp(xs[i])), vals[i], 1e-12);
            assertEquals(1 - 1 / (1 + Math.exp(xs[i])), grads[i], 1e-12);
            assertEquals(grads[i], jitGrads[i], 1e-15);
        }
        // grad of a vmapped custom_jvp function (the batched rule)
        double[] gv = Jax.grad((Array a) -> Np.sum(Jax.vmap(LOG1PEXP).apply(a))).apply(v).toDoubleArray();
        for (int i = 0; i < xs.length; i++) assertEquals(grads[i], gv[i], 1e-12);
    }

    @Test
    void customJvpRuleIsUsedOverTheFunction() {
        // a deliberately different rule proves it is the one used: d/dx "x" := 3
        Function1<Array, Array> f = ControlFlow.customJvp(x -> x, (x, t) -> Tuple.of(x, t.mul(3.0)));
        assertEquals(3.0, Jax.grad(f).apply(Array.scalar(2.0, DType.F64)).item(), 0);
        // second order: the rule is itself differentiated (d/dx of 3t is 0)
        assertEquals(0.0, Jax.grad(Jax.grad(f)).apply(Array.scalar(2.0, DType.F64)).item(), 0);
        Function1<Array, Array> bad = ControlFlow.customJvp(x -> x, (x, t) -> Tuple.of(x, Np.sum(t)));
        assertThrows(Jax4jException.class, () -> Jax.grad((Array a) -> Np.sum(bad.apply(a))).apply(Array.of(1.0, 2.0)));
    }

    /** Identity forward, gradient clipped to [-1, 1] backward. */
    static final Function1<Array, Array> CLIP_GRADIENT = ControlFlow.customVjp(
            x -> x,
            x -> Tuple.of(x, (Void) null),
            (Void res, Array g) -> Np.clip(g, -1.0, 1.0));

    @Test
    void customVjpClipsGradients() {
        Function1<Array, Array> loss = x -> Np.sum(CLIP_GRADIENT.apply(x).mul(Array.of(5.0, 0.5, -3.0)));
        Array x = Array.of(1.0, 2.0, 3.0);
        assertEquals(5 + 1 - 9, loss.apply(x).item(), 1e-12);
        double[] expected = {1.0, 0.5, -1.0};
        assertArrayClose(expected, Jax.grad(loss).apply(x).toDoubleArray());
        assertArrayClose(expected, Jax.jit(Jax.grad(loss)).apply(x).toDoubleArray());
        assertArrayClose(expected, Jax.grad(Jax.jit(loss)).apply(x).toDoubleArray());
        assertTrue(Jax.makeJaxpr(loss).apply(x).toString().contains("custom_vjp_call["));
        // per-example: vmap(grad) over rows, and grad of a vmapped function
        Function1<Array, Array> scalarLoss = v -> CLIP_GRADIENT.apply(v).mul(4.0);
        double[] g = Jax.vmap(Jax.grad(scalarLoss)).apply(Array.of(1.0, -2.0)).toDoubleArray();
        assertArrayClose(new double[]{1.0, 1.0}, g);
        double[] gv = Jax.grad((Array v) -> Np.sum(Jax.vmap(scalarLoss).apply(v))).apply(Array.of(1.0, -2.0)).toDoubleArray();
        assertArrayClose(new double[]{1.0, 1.0}, gv);
        // forward mode of a custom_vjp function is an error, as in JAX
        Jax4jException e = assertThrows(Jax4jException.class, () -> Jax.jvp(CLIP_GRADIENT, x, x));
        assertTrue(e.getMessage().contains("forward-mode"), e.getMessage());
    }

    @Test
    void customVjpWithResidualsAndPytrees() {
        // f(a, b) = a * sin(b), with residuals (a, cos b, sin b) and the true derivative in bwd
        Function1<List<Array>, Array> f = ControlFlow.customVjp(
                (List<Array> ab) -> ab.get(0).mul(Np.sin(ab.get(1))),
                ab -> Tuple.of(ab.get(0).mul(Np.sin(ab.get(1))), List.of(ab.get(0), Np.cos(ab.get(1)), Np.sin(ab.get(1)))),
                (List<Array> r, Array g) -> List.of(g.mul(r.get(2)), g.mul(r.get(0)).mul(r.get(1))));
        List<Array> ab = List.of(Array.scalar(1.5, DType.F64), Array.scalar(0.4, DType.F64));
        List<Array> g = Jax.grad(f).apply(ab);
        assertEquals(Math.sin(0.4), g.get(0).item(), 1e-12);
        assertEquals(1.5 * Math.cos(0.4), g.get(1).item(), 1e-12);
    }

    static void assertArrayClose(double[] expected, double[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], actual[i], 1e-12, "element " + i);
    }

    // ---------------------------------------------------------------- checkpoint

    static final Function1<Array, Array> CHAIN = x -> Np.sin(Np.sin(Np.sin(x.mul(x))));

    @Test
    void checkpointKeepsValuesAndGradients() {
        Function1<Array, Array> plain = x -> Np.sum(CHAIN.apply(x));
        Function1<Array, Array> remat = x -> Np.sum(ControlFlow.checkpoint(CHAIN).apply(x));
        Array x = Array.of(0.3, -1.1, 0.8);
        assertEquals(plain.apply(x).item(), remat.apply(x).item(), 0);
        assertArrayClose(Jax.grad(plain).apply(x).toDoubleArray(), Jax.grad(remat).apply(x).toDoubleArray());
        assertArrayClose(Jax.grad(plain).apply(x).toDoubleArray(), Jax.jit(Jax.grad(remat)).apply(x).toDoubleArray());
        assertArrayClose(Jax.grad(plain).apply(x).toDoubleArray(), Jax.vmap(Jax.grad((Array v) -> Np.sum(ControlFlow.checkpoint(CHAIN).apply(v)))).apply(x).toDoubleArray());
        Array t = Array.of(1.0, 2.0, 3.0);
        assertEquals(Jax.jvp(plain, x, t).tangentsOut().item(), Jax.jvp(remat, x, t).tangentsOut().item(), 1e-12);
        // second order through the checkpoint
        assertArrayClose(Jax.grad((Array v) -> Np.sum(Jax.grad(plain).apply(v))).apply(x).toDoubleArray(),
                Jax.grad((Array v) -> Np.sum(Jax.grad(remat).apply(v))).apply(x).toDoubleArray());
    }

    @Test
    void checkpointStoresFewerResiduals() {
        Array x = Array.of(0.3, -1.1, 0.8);
        Linearize.Linearized plain = Linearize.linearize("plain", xs -> List.of(CHAIN.apply(xs.getFirst())), List.of(x));
        Linearize.Linearized remat = Linearize.linearize("remat", xs -> List.of(ControlFlow.checkpoint(CHAIN).apply(xs.getFirst())), List.of(x));
        int plainResiduals = plain.linear().consts().size(), rematResiduals = remat.linear().consts().size();
        assertTrue(rematResiduals < plainResiduals, "checkpoint keeps " + rematResiduals + " residuals, plain " + plainResiduals);
        assertEquals(1, rematResiduals, "only the input is kept");
        // the checkpointed linear jaxpr recomputes the forward pass: it holds the sin of the primal
        String lin = remat.linear().toString();
        assertTrue(lin.contains("checkpoint[") && lin.contains("sin"), lin);
        assertFalse(plain.linear().toString().contains("sin"), plain.linear().toString());
        Array ct = Array.of(1.0, -1.0, 0.5);
        assertArrayClose(plain.transpose(List.of(ct)).getFirst().toDoubleArray(), remat.transpose(List.of(ct)).getFirst().toDoubleArray());
    }
}
