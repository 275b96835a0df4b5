package io.jax4j.optim;

import io.jax4j.Array;
import io.jax4j.core.JitFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;

/** Every optimizer and wrapper gives the same updates and states under jit as eagerly, step after step. */
class JitEquivalenceTest {

    record Case(String name, Supplier<GradientTransformation> tx) {
        @Override public String toString() { return name; }
    }

    static final Object LABELS = Map.of("w", "trainable", "b", "frozen");

    static Stream<Arguments> cases() {
        return Stream.of(
                new Case("sgd", () -> Optim.sgd(0.1)),
                new Case("sgd momentum nesterov", () -> Optim.sgd(0.1, 0.9, true)),
                new Case("sgd with a schedule", () -> Optim.sgd(Schedules.warmupCosineDecay(0, 0.1, 2, 10), 0.9)),
                new Case("adam", () -> Optim.adam(1e-2)),
                new Case("nadam", () -> Optim.nadam(1e-2)),
                new Case("adamw", () -> Optim.adamw(1e-2, 1e-2)),
                new Case("rmsprop", () -> Optim.rmsprop(1e-2)),
                new Case("adagrad", () -> Optim.adagrad(0.1)),
                new Case("lamb", () -> Optim.lamb(1e-2)),
                new Case("lion", () -> Optim.lion(1e-2)),
                new Case("adafactor", () -> Optim.adafactor(1e-2)),
                new Case("clip + adam", () -> Optim.chain(Optim.clipByGlobalNorm(0.5), Optim.clip(0.2), Optim.adam(1e-2))),
                new Case("multiTransform", () -> Optim.multiTransform(Map.of("trainable", Optim.adam(5e-3), "frozen", Optim.setToZero()), LABELS)),
                new Case("injectHyperparams", () -> Optim.injectHyperparams(Optim::adam, Schedules.exponentialDecay(0.1, 2, 0.5))),
                new Case("MultiSteps", () -> new MultiSteps(Optim.adam(1e-2), 2).gradientTransformation()),
                new Case("applyIfFinite", () -> Optim.applyIfFinite(Optim.adam(1e-2), 2)),
                new Case("adamw with a mask", () -> Optim.adamw(LearningRate.of(1e-2), 0.9, 0.999, 1e-8, 0, 1e-2, Map.of("w", true, "b", false), false))
        ).map(Arguments::of);
    }

    static Object params() {
        return Map.of("w", Array.of(new float[][]{{0.5f, -1.5f, 2f}, {1f, 0.25f, -0.75f}}), "b", Array.of(0.1f, -0.2f, 0.3f));
    }

    static Object grads(int step) {
        float s = 1 + step;
        return Map.of("w", Array.of(new float[][]{{0.3f * s, -0.1f, 0.7f}, {-0.2f, 0.05f * s, 0.4f}}), "b", Array.of(-0.3f, 0.2f * s, 0.1f));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void updateUnderJitEqualsEager(Case c) {
        GradientTransformation tx = c.tx().get();
        var jitted = new JitFunction(args -> {
            var r = tx.update(args.get(0), args.get(1), args.get(2));
            return List.of(r.updates(), r.state());
        }, "update", Set.of());
        Object params = params();
        Object eagerState = tx.init(params), jitState = eagerState;
        for (int step = 0; step < 4; step++) {
            var eager = tx.update(grads(step), eagerState, params);
            List<?> jit = (List<?>) jitted.call(List.of(grads(step), jitState, params));
            Checks.treesClose(c.name() + " updates at step " + step, eager.updates(), jit.get(0), 1e-6, 1e-7);
            Checks.treesClose(c.name() + " state at step " + step, eager.state(), jit.get(1), 1e-6, 1e-7);
            eagerState = eager.state();
            jitState = jit.get(1);
            params = Optim.applyUpdates(params, eager.updates());
        }
        org.junit.jupiter.api.Assertions.assertEquals(1, jitted.traceCount(), c.name() + ": traced once for all steps");
    }
}
