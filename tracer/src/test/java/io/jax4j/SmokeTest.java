package io.jax4j;

import io.jax4j.core.JitFunction;
import io.jax4j.core.StagingTrace;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class SmokeTest {
    @Test
    void eagerArithmeticBroadcastsAndPromotes() {
        Array x = Array.of(new float[][]{{1, 2, 3}, {4, 5, 6}});
        Array y = x.add(Array.of(10f, 20f, 30f)).mul(2);
        assertArrayEquals(new float[]{22, 44, 66, 28, 50, 72}, y.toFloatArray());
        assertEquals(DType.F32, y.dtype());
        assertEquals("Array([[22., 44., 66.],\n       [28., 50., 72.]], dtype=float32)", y.toString());
        assertArrayEquals(new float[]{5, 7, 9}, x.sum(0).toFloatArray());
        assertArrayEquals(new float[]{14, 32}, x.matmul(Array.of(1f, 2f, 3f)).toFloatArray());
    }

    @Test
    void stagingPrintsLikeJax() {
        StagingTrace t = new StagingTrace("test");
        Array a = t.newArg(ShapedArray.of(DType.F32, 3));
        Array out = t.run(() -> Np.sin(a).mul(2));
        String s = t.build(List.of(out)).toString();
        assertEquals("{ lambda ; a:f32[3]. let\n    b:f32[3] = sin a\n    c:f32[3] = mul b 2.0:f32[]\n  in (c,) }", s);
    }

    @Test
    void jitTracesOncePerShape() {
        JitFunction f = new JitFunction(args -> ((Array) args.get(0)).mul(3).add(1), "f", Set.of());
        Array r1 = (Array) f.call(List.of(Array.of(1f, 2f)));
        f.call(List.of(Array.of(3f, 4f)));
        assertEquals(1, f.traceCount());
        f.call(List.of(Array.of(3f, 4f, 5f)));
        assertEquals(2, f.traceCount());
        assertArrayEquals(new float[]{4, 7}, r1.toFloatArray());
    }
}
