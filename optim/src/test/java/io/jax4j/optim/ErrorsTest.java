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
}
