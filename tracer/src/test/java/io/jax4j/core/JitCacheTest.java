package io.jax4j.core;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Np;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JitCacheTest {
    record Scaled(Array x, int power) {}

    @Test
    void oneTracePerKeyRetraceOnShapeOrStaticChange() {
        JitFunction f = new JitFunction(args -> {
            Scaled s = (Scaled) args.get(0);
            return Np.integerPow(s.x(), s.power());
        }, "f", Set.of());
        assertArrayEquals(new float[]{1, 4}, ((Array) f.call(List.of(new Scaled(Array.of(1f, 2f), 2)))).toFloatArray());
        f.call(List.of(new Scaled(Array.of(3f, 4f), 2)));
        assertEquals(1, f.traceCount(), "same avals and statics: no retrace");
        assertArrayEquals(new float[]{1, 8}, ((Array) f.call(List.of(new Scaled(Array.of(1f, 2f), 3)))).toFloatArray());
        assertEquals(2, f.traceCount(), "a new static value retraces");
        f.call(List.of(new Scaled(Array.of(1f, 2f, 3f), 2)));
        assertEquals(3, f.traceCount(), "a new shape retraces");
        f.call(List.of(new Scaled(Array.of(1.0, 2.0), 2)));
        assertEquals(4, f.traceCount(), "a new dtype retraces");
        assertEquals(4, f.cacheSize());
    }

    @Test
    void missReasonNamesTheArgumentPath() {
        JitFunction f = new JitFunction(args -> ((Scaled) args.get(0)).x().mul(2), "step", Set.of());
        f.call(List.of(new Scaled(Array.of(1f, 2f), 1)));
        JitFunction.JitKey before = null;
        // the reason is computed from the cached keys; rebuild one by calling Debug directly
        var flat = io.jax4j.tree.Tree.flatten(List.of(new Scaled(Array.of(1f, 2f, 3f), 1)));
        var key = new JitFunction.JitKey(flat.def(), List.of(Array.of(1f, 2f, 3f).aval()), List.of(1));
        var known = new JitFunction.JitKey(flat.def(), List.of(Array.of(1f, 2f).aval()), List.of(1));
        String reason = Debug.reason(key, List.of(known), List.of(new Scaled(Array.of(1f, 2f, 3f), 1)));
        assertEquals("argument [0].x changed from f32[2] to f32[3]", reason);
        assertEquals(null, before);
    }

    @Test
    void donatedInputsAreDeleted() {
        JitFunction f = new JitFunction(args -> ((Array) args.get(0)).add(1), "inc", Set.of(0));
        Array x = Array.of(1f, 2f);
        Array y = (Array) f.call(List.of(x));
        assertArrayEquals(new float[]{2, 3}, y.toFloatArray());
        Jax4jException e = assertThrows(Jax4jException.class, x::toFloatArray);
        assertTrue(e.getMessage().contains("donation to jit(inc)"), e.getMessage());
    }

    /** A donated input returned unchanged (a train state's key) comes back alive, in a new array; the argument is dead. */
    @Test
    void donatedInputPassedThroughIsReturnedAlive() {
        JitFunction f = new JitFunction(args -> List.of(((Array) args.get(0)).add(1), args.get(1), args.get(1)), "pass", Set.of(0, 1));
        Array x = Array.of(1f, 2f), key = Array.of(7, 9);
        for (int i = 0; i < 3; i++) {
            @SuppressWarnings("unchecked") List<Array> out = (List<Array>) f.call(List.of(x, key));
            assertThrows(Jax4jException.class, key::toIntArray);
            assertNotSame(key, out.get(1));
            assertArrayEquals(new int[]{7, 9}, out.get(1).toIntArray());
            assertArrayEquals(new int[]{7, 9}, out.get(2).toIntArray());
            x = out.get(0);
            key = out.get(1);
        }
        assertArrayEquals(new float[]{4, 5}, x.toFloatArray());
    }

    @Test
    void leakedTracerIsReported() {
        Array[] leak = new Array[1];
        JitFunction f = new JitFunction(args -> {
            leak[0] = ((Array) args.get(0)).mul(2);
            return leak[0];
        }, "leaky", Set.of());
        f.call(List.of(Array.of(1f)));
        Tracer.EscapedTracerError e = assertThrows(Tracer.EscapedTracerError.class, () -> leak[0].add(1));
        assertTrue(e.getMessage().contains("jit(leaky)"), e.getMessage());
        assertThrows(Tracer.ConcretizationError.class, () -> leak[0].toFloatArray());
    }

    @Test
    void shapeErrorsNameOperationAndShapes() {
        Jax4jException e = assertThrows(Jax4jException.class, () -> Array.zeros(3, 4).add(Array.zeros(5)));
        assertTrue(e.getMessage().contains("[3,4]") && e.getMessage().contains("[5]") && e.getMessage().startsWith("add"), e.getMessage());
        Jax4jException m = assertThrows(Jax4jException.class, () -> Array.zeros(3, 4).matmul(Array.zeros(3, 4)));
        assertTrue(m.getMessage().contains("f32[3,4]"), m.getMessage());
        assertEquals(DType.F32, Array.zeros(2).dtype());
    }
}
