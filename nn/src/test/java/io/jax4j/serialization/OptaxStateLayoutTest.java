package io.jax4j.serialization;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.optim.EmptyState;
import io.jax4j.optim.GradientTransformation;
import io.jax4j.optim.Optim;
import io.jax4j.optim.Schedules;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * The optimizer states of our optimizers serialize to Optax's layout, as {@code flax.serialization}
 * writes Optax states: a chain is a tuple ({@code "0", "1", ...}), each state a NamedTuple of its
 * fields ({@code count}, {@code mu}, {@code nu}, {@code trace}), Optax's field-less {@code EmptyState}
 * an empty map.
 */
class OptaxStateLayoutTest {

    static Map<String, Object> params() {
        var p = new LinkedHashMap<String, Object>();
        p.put("b", Array.of(1f, 2f));
        p.put("w", Array.of(new float[][]{{1f, 2f}, {3f, 4f}}));
        return p;
    }

    /** The state dict with each array replaced by its dtype and shape ({@code int32[]}), maps sorted. */
    static Object layout(Object tree) {
        if (tree instanceof Map<?, ?> m) {
            var out = new TreeMap<String, Object>();
            m.forEach((k, v) -> out.put((String) k, layout(v)));
            return out;
        }
        return ((Array) tree).dtype().jaxName() + java.util.Arrays.toString(((Array) tree).shape()).replace(" ", "");
    }

    static final Map<String, Object> MOMENT = Map.of("b", "float32[2]", "w", "float32[2,2]");
    static final Map<String, Object> ADAM = Map.of("count", "int32[]", "mu", MOMENT, "nu", MOMENT);
    static final Map<String, Object> SCHEDULE = Map.of("count", "int32[]");

    /** The state dict of {@code tx.init(params)} after one update, and that it restores strictly into a fresh init. */
    static Object stateDict(GradientTransformation tx) {
        Object state = tx.init(params());
        state = tx.update(params(), state, params()).state();
        Object sd = FlaxSerialization.toStateDict(state);
        byte[] bytes = FlaxSerialization.toBytes(state);
        Object back = FlaxSerialization.fromBytes(tx.init(params()), bytes);
        assertArrayEquals(bytes, FlaxSerialization.toBytes(back));
        return sd;
    }

    @Test
    void adamWithAScheduleIsScaleByAdamThenScaleBySchedule() {
        Object sd = stateDict(Optim.adam(Schedules.warmupCosineDecay(0, 0.05, 5, 20, 0)));
        assertEquals(Map.of("0", ADAM, "1", SCHEDULE), layout(sd));
        assertEquals(List.of("count", "mu", "nu"), List.copyOf(((Map<?, ?>) ((Map<?, ?>) sd).get("0")).keySet()));
        assertEquals(1, ((Array) ((Map<?, ?>) ((Map<?, ?>) sd).get("1")).get("count")).intValue());
    }

    @Test
    void adamWithAConstantRateEndsInScalesEmptyState() {
        assertEquals(Map.of("0", ADAM, "1", Map.of()), layout(stateDict(Optim.adam(1e-3))));
    }

    @Test
    void sgdIsTraceOrIdentityThenScale() {
        assertEquals(Map.of("0", Map.of("trace", MOMENT), "1", Map.of()), layout(stateDict(Optim.sgd(0.1, 0.9))));
        assertEquals(Map.of("0", Map.of(), "1", Map.of()), layout(stateDict(Optim.sgd(0.1))));
        assertEquals(Map.of("0", Map.of("trace", MOMENT), "1", SCHEDULE),
                layout(stateDict(Optim.sgd(Schedules.constant(0.1), 0.9))));
    }

    @Test
    void adamwIsAdamThenDecayedWeightsThenScale() {
        assertEquals(Map.of("0", ADAM, "1", Map.of(), "2", Map.of()), layout(stateDict(Optim.adamw(1e-3, 1e-2))));
        assertEquals(Map.of("0", ADAM, "1", Map.of(), "2", SCHEDULE),
                layout(stateDict(Optim.adamw(Schedules.constant(1e-3), 1e-2))));
    }

    @Test
    void emptyStateIsWrittenAsFlaxWritesAFieldlessNamedTuple() {
        // flax.serialization.to_bytes((optax.EmptyState(),)) == msgpack.packb({"0": {}}) == 81 a1 30 80
        assertEquals("81a13080", HexFormat.of().formatHex(FlaxSerialization.toBytes(List.of(new EmptyState()))));
        Object back = FlaxSerialization.fromBytes(List.of(new EmptyState()), HexFormat.of().parseHex("81a13080"));
        assertInstanceOf(EmptyState.class, ((List<?>) back).getFirst());
        assertEquals(DType.I32, ((Array) ((Map<?, ?>) ((Map<?, ?>) FlaxSerialization.toStateDict(
                Optim.adam(1e-3).init(params()))).get("0")).get("count")).dtype());
    }
}
