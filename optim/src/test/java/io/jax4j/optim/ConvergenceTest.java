package io.jax4j.optim;

import io.jax4j.Array;
import io.jax4j.core.JitFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Optax's alias tests: each optimizer minimises a parabola and the Rosenbrock function from
 * analytic gradients (written with Np ops). Each step is one jitted function
 * {@code (params, state) -> (params, state)}, traced once.
 */
class ConvergenceTest {

    /** An optimizer with its learning rate, step counts and stated tolerance (absolute, per coordinate). */
    record Case(String name, Supplier<GradientTransformation> tx, int parabolaSteps, int rosenbrockSteps, double tol) {
        @Override public String toString() { return name; }
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                new Case("sgd(1e-3, momentum 0.9)", () -> Optim.sgd(1e-3, 0.9), 2000, 10000, 1e-2),
                new Case("sgd(1e-3, nesterov)", () -> Optim.sgd(1e-3, 0.9, true), 2000, 10000, 1e-2),
                new Case("adam(1e-1)", () -> Optim.adam(1e-1), 2000, 10000, 1e-2),
                new Case("adamw(exponential decay from 1e-1, wd 1e-4)", () -> Optim.adamw(Schedules.exponentialDecay(1e-1, 5000, 0.1), 1e-4), 2000, 10000, 1e-2),
                new Case("rmsprop(5e-3)", () -> Optim.rmsprop(5e-3), 3000, 10000, 1e-2),
                new Case("adagrad(5e-1)", () -> Optim.adagrad(5e-1), 3000, 10000, 1e-2),
                new Case("lamb(exponential decay from 3e-2)", () -> Optim.lamb(LearningRate.of(Schedules.exponentialDecay(3e-2, 2000, 0.1)),
                        0.9, 0.999, 1e-6, 0.0, 0.0, null), 5000, 10000, 1e-2),
                new Case("lion(exponential decay from 1e-2)", () -> Optim.lion(LearningRate.of(Schedules.exponentialDecay(1e-2, 3000, 0.1)),
                        0.9, 0.99, 1e-3, null), 6000, 10000, 1e-2),
                new Case("adafactor(exponential decay from 5e-2)", () -> Optim.adafactor(LearningRate.of(Schedules.exponentialDecay(5e-2, 5000, 0.1)),
                        128, 0.8, 0, true, 1.0, null, null, 1e-30, true, null), 3000, 20000, 1e-2),
                // Optax's alias_test settings for the optimizers added later
                new Case("adabelief(1e-2)", () -> Optim.adabelief(1e-2), 3000, 10000, 1e-2),
                new Case("adabelief(1e-2, wd 1e-4)", () -> Optim.adabelief(LearningRate.of(1e-2), 0.9, 0.999, 1e-16, 1e-16, 1e-4, false),
                        3000, 10000, 3e-2),
                new Case("yogi(1e-1)", () -> Optim.yogi(1e-1), 3000, 10000, 1e-2),
                new Case("adamax(1e-1)", () -> Optim.adamax(1e-1), 3000, 10000, 1e-2),
                new Case("amsgrad(1e-1)", () -> Optim.amsgrad(1e-1), 3000, 10000, 1e-2),
                new Case("adadelta(0.1)", () -> Optim.adadelta(0.1), 10000, 10000, 3e-2),
                new Case("rprop(0.1)", () -> Optim.rprop(0.1), 2000, 10000, 1e-2),
                new Case("radam(5e-3)", () -> Optim.radam(5e-3), 10000, 10000, 1e-2),
                new Case("novograd(1e-3)", () -> Optim.novograd(1e-3), 10000, 10000, 3e-2),
                new Case("noisy_sgd(1e-3, eta 1e-4)", () -> Optim.noisySgd(LearningRate.of(1e-3), 1e-4, 0.55, io.jax4j.Random.key(0)),
                        6000, 10000, 3e-2)
        ).map(Arguments::of);
    }

    static final Array PARABOLA_TARGET = Array.of(1f, -1f, 1f);

    /** d/dp sum((p - t)^2) = 2 (p - t). */
    static Array parabolaGrad(Array p) { return p.sub(PARABOLA_TARGET).mul(2); }

    /** Rosenbrock (a=1, b=100) at (x, y): d/dx = -2(a - x) - 4b x (y - x^2), d/dy = 2b (y - x^2). */
    static Object rosenbrockGrad(Object params) {
        var m = (java.util.Map<?, ?>) params;
        Array x = (Array) m.get("x"), y = (Array) m.get("y");
        Array r = y.sub(x.mul(x));
        return java.util.Map.of("x", x.rsub(1).mul(-2).sub(x.mul(r).mul(400)), "y", r.mul(200));
    }

    static Object minimise(GradientTransformation tx, Object params, Function<Object, Object> grad, int steps) {
        var step = new JitFunction(args -> {
            Object p = args.get(0);
            var r = tx.update(grad.apply(p), args.get(1), p);
            return List.of(Optim.applyUpdates(p, r.updates()), r.state());
        }, "train_step", Set.of());
        Object state = tx.init(params);
        for (int i = 0; i < steps; i++) {
            List<?> out = (List<?>) step.call(List.of(params, state));
            params = out.get(0);
            state = out.get(1);
        }
        org.junit.jupiter.api.Assertions.assertEquals(1, step.traceCount(), "the step is traced once");
        return params;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void minimisesTheParabola(Case c) {
        Array p = (Array) minimise(c.tx().get(), Array.of(-1f, 10f, 1f), x -> parabolaGrad((Array) x), c.parabolaSteps());
        Checks.close(c.name() + " on the parabola", PARABOLA_TARGET, p, 0, c.tol());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void minimisesRosenbrock(Case c) {
        Object p0 = java.util.Map.of("x", Array.scalar(0f), "y", Array.scalar(0f));
        var p = (java.util.Map<?, ?>) minimise(c.tx().get(), p0, ConvergenceTest::rosenbrockGrad, c.rosenbrockSteps());
        Checks.close(c.name() + " on Rosenbrock, x", 1.0, ((Array) p.get("x")).item(), 0, c.tol());
        Checks.close(c.name() + " on Rosenbrock, y", 1.0, ((Array) p.get("y")).item(), 0, c.tol());
    }

    /**
     * SM3 keeps one accumulator per axis and LARS scales by the norm of each parameter, so (as in
     * Optax's tests) they minimise Rosenbrock over one vector [x, y], not two scalars.
     */
    static Stream<Arguments> vectorCases() {
        return Stream.of(
                new Case("sm3(1.0)", () -> Optim.sm3(1.0), 3000, 10000, 3e-2),
                new Case("lars(1.0)", () -> Optim.lars(1.0), 5000, 10000, 3e-2)
        ).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectorCases")
    void minimisesTheParabolaAndRosenbrockAsAVector(Case c) {
        Array p = (Array) minimise(c.tx().get(), Array.of(-1f, 10f, 1f), x -> parabolaGrad((Array) x), c.parabolaSteps());
        Checks.close(c.name() + " on the parabola", PARABOLA_TARGET, p, 0, c.tol());
        Function<Object, Object> vectorGrad = v -> {
            Array xy = (Array) v;
            var g = (java.util.Map<?, ?>) rosenbrockGrad(java.util.Map.of("x", xy.get(0), "y", xy.get(1)));
            return io.jax4j.Np.stack(List.of((Array) g.get("x"), (Array) g.get("y")), 0);
        };
        Array r = (Array) minimise(c.tx().get(), Array.of(0f, 0f), vectorGrad, c.rosenbrockSteps());
        Checks.close(c.name() + " on Rosenbrock", Array.of(1f, 1f), r, 0, c.tol());
    }

    @org.junit.jupiter.api.Test
    void sm3RefusesScalarParameters() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Optim.sm3(1.0).update(Array.scalar(1f), Optim.sm3(1.0).init(Array.scalar(1f)), Array.scalar(1f)));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("scalar parameter"), e.getMessage());
    }
}
