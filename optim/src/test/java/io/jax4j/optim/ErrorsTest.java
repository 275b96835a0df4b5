package io.jax4j.optim;

import io.jax4j.Array;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input fails with messages that name the call, the key path and the fix. */
class ErrorsTest {
    static final Object PARAMS = Map.of("a", Array.of(1f), "b", Map.of("c", Array.of(2f), "d", Array.of(3f)));

    static void contains(String message, String... phrases) {
        for (String p : phrases) assertTrue(message.contains(p), "expected '" + p + "' in: " + message);
    }

    @Test
    void aLabelTreeOfAnotherStructureNamesTheFirstDifferingKeyPath() {
        var labels = Map.of("a", "x", "b", Map.of("c", "x", "e", "x"));
        var tx = Optim.multiTransform(Map.of("x", Optim.sgd(0.1)), labels);
        var e = assertThrows(IllegalArgumentException.class, () -> tx.init(PARAMS));
        contains(e.getMessage(), "multiTransform", "label tree", "key path b");
    }

    @Test
    void anUnknownLabelNamesItAndTheKnownLabels() {
        var labels = Map.of("a", "trainable", "b", Map.of("c", "frozen", "d", "trianable"));
        var tx = Optim.multiTransform(Map.of("trainable", Optim.adam(1e-3), "frozen", Optim.setToZero()), labels);
        var e = assertThrows(IllegalArgumentException.class, () -> tx.init(PARAMS));
        contains(e.getMessage(), "'trianable'", "b.d", "[frozen, trainable]");
    }

    @Test
    void schedulesRejectWhatOptaxRejects() {
        contains(assertThrows(IllegalArgumentException.class, () -> Schedules.cosineDecay(0.1, 0)).getMessage(), "cosineDecay", "positive decaySteps");
        contains(assertThrows(IllegalArgumentException.class, () -> Schedules.cosineDecay(0.1, -5)).getMessage(), "decaySteps=-5");
        contains(assertThrows(IllegalArgumentException.class, () -> Schedules.piecewiseConstant(0.1, Map.of(5, -0.5))).getMessage(),
                "non-negative scale");
        contains(assertThrows(IllegalArgumentException.class, () -> Schedules.warmupCosineDecay(0, 0.1, 10, 10)).getMessage(),
                "decaySteps > warmupSteps");
        contains(assertThrows(IllegalArgumentException.class, () -> Schedules.joinSchedules(List.of(Schedules.constant(1)), new int[]{3})).getMessage(),
                "1 schedules need 0 boundaries");
        contains(assertThrows(IllegalArgumentException.class, () -> new MultiSteps(Optim.sgd(0.1), 0)).getMessage(), "everyKSteps must be >= 1");
    }

    @Test
    void transformationsThatReadParamsSayWhenTheyAreMissing() {
        var tx = Optim.adamw(1e-3);
        var state = tx.init(PARAMS);
        contains(assertThrows(IllegalArgumentException.class, () -> tx.update(PARAMS, state)).getMessage(), "addDecayedWeights", "pass them to update");
    }

    @Test
    void aMaskMustHoldBooleans() {
        var tx = Optim.masked(Optim.sgd(0.1), Map.of("a", "yes", "b", true));
        contains(assertThrows(IllegalArgumentException.class, () -> tx.init(PARAMS)).getMessage(), "mask leaves must be Boolean", "yes");
    }

    @Test
    void aChainStateOfTheWrongLengthIsRejected() {
        var tx = Optim.adam(1e-3);
        contains(assertThrows(IllegalArgumentException.class, () -> tx.update(PARAMS, List.of(new EmptyState()), PARAMS)).getMessage(),
                "chain.update", "1 entries", "2 transformations");
    }

    @Test
    void integerLabelsMustBeIntegersOfTheBatchShape() {
        contains(assertThrows(IllegalArgumentException.class,
                () -> Losses.softmaxCrossEntropyWithIntegerLabels(Array.zeros(4, 10), Array.zeros(4))).getMessage(), "labels must be integers", "f32[4]");
        contains(assertThrows(IllegalArgumentException.class,
                () -> Losses.softmaxCrossEntropyWithIntegerLabels(Array.zeros(4, 10), Array.of(1, 2, 3))).getMessage(), "need labels of shape", "[4]");
    }

    @Test
    void injectedHyperparametersHaveKnownNames() {
        var state = (InjectHyperparamsState) Optim.injectHyperparams(Optim::adam, 1e-3).init(PARAMS);
        contains(assertThrows(IllegalArgumentException.class, () -> state.withHyperparam("lr", Array.scalar(1f))).getMessage(),
                "unknown hyperparameter 'lr'", "[learning_rate]");
    }

    // ---------------------------------------------------------------- issue 15

    @Test
    void anotherOptimizersStateNamesBothStateTypes() {
        Object params = Map.of("w", Array.zeros(3, 4));
        Object sgdState = Optim.sgd(0.1, 0.9).init(params);
        var e = assertThrows(IllegalArgumentException.class, () -> Optim.adam(1e-3).update(params, sgdState, params));
        contains(e.getMessage(), "scale_by_adam.update", "TraceState", "ScaleByAdamState", "another optimizer's init");
        // a single transformation given a chain's list
        var list = assertThrows(IllegalArgumentException.class, () -> Optim.scaleByAdam(0.9, 0.999, 1e-8, 0, false).update(params, sgdState, params));
        contains(list.getMessage(), "a chain state of 2 entries [TraceState, EmptyState]", "ScaleByAdamState");
        var notAList = assertThrows(IllegalArgumentException.class, () -> Optim.adam(1e-3).update(params, Optim.scaleByAdam(0.9, 0.999, 1e-8, 0, false).init(params), params));
        contains(notAList.getMessage(), "chain.update", "a ScaleByAdamState", "list of their 2 states");
    }

    @Test
    void aGradientOfAnotherShapeNamesTheKeyPathAndBothShapes() {
        Object params = Map.of("layer", Map.of("kernel", Array.zeros(3, 4), "bias", Array.zeros(4)));
        Object grads = Map.of("layer", Map.of("kernel", Array.zeros(4, 3), "bias", Array.zeros(4)));
        for (GradientTransformation tx : List.of(Optim.adam(1e-3), Optim.sgd(0.1, 0.9))) {
            var e = assertThrows(IllegalArgumentException.class, () -> tx.update(grads, tx.init(params), params));
            contains(e.getMessage(), "at key path layer.kernel", "f32[4,3]", "f32[3,4]", "parameter's shape");
        }
        var plain = Optim.sgd(0.1);
        var u = plain.update(grads, plain.init(params), params).updates();
        var e = assertThrows(IllegalArgumentException.class, () -> Optim.applyUpdates(params, u));
        contains(e.getMessage(), "apply_updates", "at key path layer.kernel", "the parameter is f32[3,4]", "the update is f32[4,3]");
    }
}
