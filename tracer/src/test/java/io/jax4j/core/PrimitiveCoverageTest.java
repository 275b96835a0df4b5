package io.jax4j.core;

import io.jax4j.prims.CallPrimitives;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Fails when a primitive lacks a rule: the checklist of autodidax as a test. */
class PrimitiveCoverageTest {
    @Test
    void everyPrimitiveHasEveryRule() {
        List<String> missing = new ArrayList<>();
        for (Primitive p : PrimitiveRegistry.all()) {
            if (!p.hasAbstractEval()) missing.add(p.name() + ": abstract evaluation");
            if (!p.hasImpl()) missing.add(p.name() + ": reference implementation");
            if (CallPrimitives.isInlinedCall(p)) continue;   // transformations interpret the callee's jaxpr
            if (!p.hasJvp()) missing.add(p.name() + ": JVP (or a declared zero JVP)");
            if (p.has(Primitive.Property.LINEAR) && !p.hasTranspose()) missing.add(p.name() + ": transpose");
            if (!p.hasBatch()) missing.add(p.name() + ": batching");
        }
        assertTrue(missing.isEmpty(), "primitives with missing rules:\n" + String.join("\n", missing));
        assertTrue(PrimitiveRegistry.all().size() >= 40, "the standard families are loaded");
    }
}
