package io.jax4j.tests;

import io.jax4j.Array;
import io.jax4j.Np;
import io.jax4j.Random;
import io.jax4j.examples.conformance.models.TutorialDropoutModel;
import io.jax4j.examples.conformance.models.TutorialMlp;
import io.jax4j.linen.Applied;
import io.jax4j.linen.Apply;
import io.jax4j.linen.Dense;
import io.jax4j.linen.DenseGeneral;
import io.jax4j.linen.Dropout;
import io.jax4j.linen.Embed;
import io.jax4j.linen.LinenModule;
import io.jax4j.linen.ModuleErrors;
import io.jax4j.linen.VariableRef;
import io.jax4j.linen.Variables;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The errors of the tutorial's models (the shared definitions the Flax conformance suite checks
 * against Flax's numbers): each names what went wrong and the fix.
 */
class TutorialModelErrorsTest {

    @Test
    void errorsNameWhatWentWrong() {
        TutorialMlp mlp = new TutorialMlp();
        Variables v = mlp.init(Random.key(0), () -> mlp.call(Array.ones(1, 3), false));
        var shape = assertThrows(ModuleErrors.ScopeParamShapeError.class, () -> mlp.apply(v, () -> mlp.call(Array.ones(2, 5), false)));
        assertTrue(shape.getMessage().contains("/Dense_0") && shape.getMessage().contains("[5, 4]") && shape.getMessage().contains("[3, 4]"), shape.getMessage());
        var immutable = assertThrows(ModuleErrors.ModifyScopeVariableError.class, () -> mlp.apply(v, () -> mlp.call(Array.ones(2, 3), true)));
        assertTrue(immutable.getMessage().contains("batch_stats") && immutable.getMessage().contains("/BatchNorm_0"), immutable.getMessage());
        TutorialDropoutModel m = new TutorialDropoutModel(3);
        Variables vm = m.init(Random.key(1), () -> m.call(Array.ones(1, 4), false));
        var rng = assertThrows(ModuleErrors.InvalidRngError.class, () -> m.apply(vm, () -> m.call(Array.ones(1, 4), true)));
        assertTrue(rng.getMessage().startsWith("Dropout needs an rng stream named 'dropout'") && rng.getMessage().contains("pass rngs="), rng.getMessage());
        Dense other = new Dense(4);
        Variables foreignVars = other.init(Random.key(2), () -> other.call(Array.ones(1, 3)));
        var foreign = assertThrows(ModuleErrors.ScopeParamNotFoundError.class, () -> mlp.apply(foreignVars, () -> mlp.call(Array.ones(1, 3), false)));
        assertTrue(foreign.getMessage().contains("another model"), foreign.getMessage());
    }

    /** A module that writes a user collection, to test the mutable filter. */
    record Counter() implements LinenModule {
        Array call(Array x) {
            return compact(() -> {
                VariableRef count = variable("counter", "count", () -> Array.zeros(1));
                if (!isInitializing()) count.set(Np.add(count.value(), Array.weak(1.0f)));
                return x;
            });
        }
    }

    @Test
    void moreErrorsNameWhatWentWrong() {
        // writing an immutable user collection names it and the fix
        Counter c = new Counter();
        Variables vc = c.init(Random.key(0), () -> c.call(Array.ones(1)));
        var immutable = assertThrows(ModuleErrors.ModifyScopeVariableError.class, () -> c.apply(vc, () -> c.call(Array.ones(1))));
        assertTrue(immutable.getMessage().contains("\"counter\" is immutable") && immutable.getMessage().contains("Apply.mutable(\"counter\")"),
                immutable.getMessage());
        Applied<Array> ok = c.apply(vc, () -> c.call(Array.ones(1)), Apply.mutable("counter"));
        assertEquals(1.0, ((Array) ok.updates().get("counter").get("count")).toDoubleArray()[0]);
        // a module called outside init/apply
        var unbound = assertThrows(ModuleErrors.UnboundModuleError.class, () -> new Dense(3).call(Array.ones(1, 2)));
        assertTrue(unbound.getMessage().contains("outside init/apply"), unbound.getMessage());
        // two submodules with one explicit name
        record Clash() implements LinenModule {
            Array call(Array x) {
                return compact(() -> Dense.builder().features(2).name("d").build().call(Dense.builder().features(2).name("d").build().call(x)));
            }
        }
        var clash = assertThrows(ModuleErrors.NameInUseError.class, () -> new Clash().init(Random.key(0), () -> new Clash().call(Array.ones(1, 2))));
        assertTrue(clash.getMessage().contains("\"d\""), clash.getMessage());
        // the whole variables passed as params
        TutorialMlp mlp = new TutorialMlp();
        Variables v = mlp.init(Random.key(0), () -> mlp.call(Array.ones(1, 3), false));
        assertThrows(ModuleErrors.ApplyScopeInvalidVariablesStructureError.class,
                () -> mlp.apply(Variables.of("params", v), () -> mlp.call(Array.ones(1, 3), false)));
        // missing params collection
        var missing = assertThrows(ModuleErrors.ScopeCollectionNotFound.class, () -> mlp.apply(Variables.empty(), () -> mlp.call(Array.ones(1, 3), false)));
        assertTrue(missing.getMessage().contains("collection \"params\""), missing.getMessage());
        // Dropout without deterministic anywhere
        var det = assertThrows(io.jax4j.core.Jax4jException.class, () -> new Dropout(0.5).init(Random.key(0), () -> new Dropout(0.5).call(Array.ones(2))));
        assertTrue(det.getMessage().contains("deterministic must be given"), det.getMessage());
        // Embed with float ids
        Embed emb = new Embed(4, 2);
        var ids = assertThrows(io.jax4j.core.Jax4jException.class, () -> emb.init(Random.key(0), () -> emb.call(Array.ones(2))));
        assertTrue(ids.getMessage().contains("must be an integer") && ids.getMessage().contains("f32[2]"), ids.getMessage());
        // DenseGeneral axis out of range
        DenseGeneral dg = DenseGeneral.builder().features(2).axis(3).build();
        var axis = assertThrows(io.jax4j.core.Jax4jException.class, () -> dg.init(Random.key(0), () -> dg.call(Array.ones(2, 3))));
        assertTrue(axis.getMessage().contains("axis 3 is out of range") && axis.getMessage().contains("f32[2,3]"), axis.getMessage());
        // an rng stream that is not a key
        var key = assertThrows(io.jax4j.core.Jax4jException.class, () -> mlp.init(Array.ones(3), () -> mlp.call(Array.ones(1, 3), false)));
        assertTrue(key.getMessage().contains("must be a PRNG key u32[2]"), key.getMessage());
    }
}
