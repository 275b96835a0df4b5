package io.jax4j;

import io.jax4j.core.StagingTrace;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Jaxprs as JAX 0.11 prints them for the same functions (params JAX adds for sharding left out). */
class PrinterTest {
    static String jaxpr(Function<List<Array>, Array> f, ShapedArray... avals) {
        StagingTrace t = new StagingTrace("test");
        List<Array> args = java.util.Arrays.stream(avals).map(t::newArg).toList();
        return t.build(List.of(t.run(() -> f.apply(args)))).toString();
    }

    @Test
    void singleEquationOnOneLine() {
        assertEquals("{ lambda ; a:f32[3]. let b:f32[3] = sin a in (b,) }",
                jaxpr(a -> Np.sin(a.getFirst()), ShapedArray.of(DType.F32, 3)));
    }

    @Test
    void reductionsAndDots() {
        assertEquals("""
                { lambda ; a:f32[2,3] b:f32[3]. let
                    c:f32[2] = dot_general[dimension_numbers=(([1], [0]), ([], [])) precision=None] a b
                    d:f32[] = reduce_sum[axes=(0,)] c
                  in (d,) }""",
                jaxpr(a -> Np.sum(Np.dot(a.get(0), a.get(1))), ShapedArray.of(DType.F32, 2, 3), ShapedArray.of(DType.F32, 3)));
    }

    @Test
    void broadcastingAndConversion() {
        assertEquals("""
                { lambda ; a:f32[2,3] b:i32[3]. let
                    c:f32[3] = convert_element_type[new_dtype=float32 weak_type=False] b
                    d:f32[2,3] = broadcast_in_dim[shape=(2, 3) broadcast_dimensions=(1,)] c
                    e:f32[2,3] = add a d
                  in (e,) }""",
                jaxpr(a -> Np.add(a.get(0), a.get(1)), ShapedArray.of(DType.F32, 2, 3), ShapedArray.of(DType.I32, 3)));
    }
}
