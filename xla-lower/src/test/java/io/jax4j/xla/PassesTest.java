package io.jax4j.xla;

import io.jax4j.Array;
import io.jax4j.Lax;
import io.jax4j.Np;
import io.jax4j.core.JitFunction;
import io.jax4j.ir.Jaxpr;
import io.jax4j.ir.JaxprChecker;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static io.jax4j.xla.Traced.f32;
import static io.jax4j.xla.Traced.trace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PassesTest {
    private static Jaxpr checked(Pass p, Jaxpr j) {
        Jaxpr out = p.apply(j);
        JaxprChecker.check(out);
        assertEquals(j.inAvals(), out.inAvals());
        assertEquals(j.outAvals(), out.outAvals());
        return out;
    }

    private static List<String> prims(Jaxpr j) { return j.eqns().map(e -> e.primitive().name()).toJavaList(); }

    @Test
    void inlinesNestedJitCallsRecursivelyWithFreshVariables() {
        JitFunction inner = new JitFunction(a -> Np.sin((Array) a.get(0)).mul(2), "inner", Set.of());
        JitFunction outer = new JitFunction(a -> ((Array) inner.call(List.of(a.get(0)))).add((Array) inner.call(List.of(a.get(0)))), "outer", Set.of());
        Jaxpr j = trace(xs -> List.of((Array) outer.call(List.of(xs.get(0)))), f32(3));
        assertEquals(List.of("pjit"), prims(j));
        Jaxpr in = checked(Passes.inlineCalls(), j);
        assertEquals(List.of("sin", "mul", "sin", "mul", "add"), prims(in));
        Jaxpr all = checked(Passes.standard(), j);
        assertEquals(List.of("sin", "mul", "add"), prims(all), all.toString());
    }

    @Test
    void foldsATransposedDotIntoTheSwappedDotWhenItIsTheOnlyUse() {
        java.util.function.Function<List<Array>, List<Array>> f = xs -> List.of(
                Lax.transpose(Lax.dotGeneral(xs.get(0), xs.get(1), new int[]{0}, new int[]{0}, new int[0], new int[0]), 1, 0));
        Jaxpr j = trace(f, f32(6, 3), f32(6, 4));
        Jaxpr out = checked(io.jax4j.xla.internal.GemmSpec.foldOutputTranspose(), j);
        assertEquals(List.of("dot_general"), prims(out));
        assertEquals(j.outvars().head(), out.eqns().head().outvars().head());
        assertEquals(out.invars().get(1), out.eqns().head().inputs().get(0));
        java.util.Random rnd = new java.util.Random(7);
        List<Array> args = List.of(Traced.random(f32(6, 3), rnd, false), Traced.random(f32(6, 4), rnd, false));
        double[] want = ((io.jax4j.core.ArrayImpl) io.jax4j.core.Interpreter.eval(j, List.of(), args).get(0)).toDoubles();
        double[] got = ((io.jax4j.core.ArrayImpl) io.jax4j.core.Interpreter.eval(out, List.of(), args).get(0)).toDoubles();
        org.junit.jupiter.api.Assertions.assertArrayEquals(want, got, 1e-5);

        Jaxpr shared = trace(xs -> {
            Array d = Lax.dotGeneral(xs.get(0), xs.get(1), new int[]{0}, new int[]{0}, new int[0], new int[0]);
            return List.of(Lax.transpose(d, 1, 0), d);
        }, f32(6, 3), f32(6, 4));
        assertEquals(List.of("dot_general", "transpose"), prims(checked(io.jax4j.xla.internal.GemmSpec.foldOutputTranspose(), shared)));
    }

    @Test
    void dceDropsUnusedEquations() {
        Jaxpr j = trace(xs -> {
            Lax.exp(xs.get(0));
            return List.of(Lax.neg(xs.get(0)));
        }, f32(4));
        assertEquals(List.of("neg"), prims(checked(Passes.dce(), j)));
    }

    @Test
    void cseKeysOnPrimitiveParamsAndInputs() {
        Jaxpr j = trace(xs -> {
            Array x = xs.get(0);
            Array a = Lax.reduceSum(Lax.exp(x), 0), b = Lax.reduceSum(Lax.exp(x), 0), c = Lax.reduceSum(Lax.exp(x), 1);
            return List.of(Lax.add(a, b), c);
        }, f32(2, 2));
        Jaxpr out = checked(Passes.cse().andThen(Passes.dce()), j);
        assertEquals(List.of("exp", "reduce_sum", "reduce_sum", "add"), prims(out));
    }

    @Test
    void simplifiesExactIdentities() {
        Jaxpr j = trace(xs -> {
            Array x = xs.get(0);
            Array y = Lax.mul(x, Lax.scalarLike(x, 1));
            y = Lax.sub(y, Lax.scalarLike(x, 0));
            y = Lax.div(y, Lax.scalarLike(x, 1));
            y = Lax.reshape(Lax.reshape(y, 6), 2, 3);
            y = Lax.transpose(Lax.transpose(y, 1, 0), 1, 0);
            return List.of(Lax.exp(y), Lax.add(x, Lax.scalarLike(x, 0)));
        }, f32(2, 3));
        Jaxpr out = checked(Passes.simplify().andThen(Passes.dce()), j);
        // x + 0.0 stays: it turns -0.0 into +0.0
        assertEquals(List.of("exp", "add"), prims(out), out.toString());
        assertTrue(out.eqns().head().inputs().head().equals(out.invars().head()));
    }

    @Test
    void passesLeaveOutputsThatAreInputsAlone() {
        Jaxpr j = trace(xs -> List.of(Lax.mul(xs.get(0), Lax.scalarLike(xs.get(0), 1)), xs.get(0)), f32(2));
        Jaxpr out = checked(Passes.standard(), j);
        assertTrue(out.eqns().isEmpty());
        assertFalse(out.outvars().isEmpty());
    }

    @Test
    void foldsScalarConstantsThroughTheReferenceImplementation() {
        // the gradient of mean stages div(1.0, 5.0) (1/n as the cotangent scale): it folds to a literal
        Jaxpr j = trace(xs -> List.of(Np.multiply(io.jax4j.autodiff.Jax.grad((Array y) -> Np.mean(Np.sin(y))).apply(xs.get(0)), xs.get(0))), f32(5));
        assertTrue(j.eqns().exists(e -> e.primitive().name().equals("div") && e.inputs().forAll(a -> a instanceof io.jax4j.ir.Literal)), j.toString());
        Jaxpr folded = checked(Passes.foldConstants(), j);
        assertFalse(folded.eqns().exists(e -> e.outvars().head().aval().ndim() == 0 && e.inputs().forAll(a -> a instanceof io.jax4j.ir.Literal)),
                folded.toString());
        assertTrue(folded.toString().contains("0.2:f32[]"), folded.toString());
        assertTrue(folded.eqns().size() < j.eqns().size(), folded.toString());
        // the folded program computes what the original did
        io.jax4j.core.ArrayImpl x = io.jax4j.core.ArrayImpl.ofDoubles(f32(5), new double[]{1, -2, 3.5f, 0, 7});
        var before = io.jax4j.core.ReferenceBackend.INSTANCE.compile(j, new boolean[1], "j").execute(List.of(x));
        var after = io.jax4j.core.ReferenceBackend.INSTANCE.compile(folded, new boolean[1], "f").execute(List.of(x));
        for (int k = 0; k < before.size(); k++) org.junit.jupiter.api.Assertions.assertArrayEquals(before.get(k).toDoubleArray(), after.get(k).toDoubleArray());
    }
}
