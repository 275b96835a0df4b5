package io.jax4j.xla.internal;

import io.jax4j.Array;
import io.jax4j.Lax;
import io.jax4j.Np;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.jax4j.xla.Traced.f32;
import static io.jax4j.xla.Traced.trace;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Golden C: a change of the generated code shows up here, in review (tinygrad's process replay). */
class CodegenGoldenTest {
    /** The kernels, after the fixed prelude (includes and the j4_expf/j4_tanhf helpers). */
    private static String source(java.util.function.Function<List<Array>, List<Array>> f, io.jax4j.ShapedArray... avals) {
        String src = Lowering.lower(trace(f, avals), null, "golden", CDialect.INSTANCE).source();
        String prelude = CDialect.INSTANCE.prelude();
        assertEquals(prelude, src.substring(0, prelude.length()));
        return src.substring(prelude.length());
    }

    @Test
    void biasAddReluAfterAGemm() {
        String src = source(xs -> List.of(Np.maximum(Np.add(xs.get(0).matmul(xs.get(1)), xs.get(2)), Array.weak(0))),
                f32(16, 8), f32(8, 32), f32(32));
        assertEquals("""

                void k0(void* const* slots) {
                    const float* restrict p0 = (const float*) slots[3];
                    const float* restrict p1 = (const float*) slots[2];
                    float* restrict p2 = (float*) slots[4];
                    for (long o = 0; o < 16; o++) {
                        #pragma omp simd
                        for (long j = 0; j < 32; j++) {
                            const long i = o * 32 + j;
                            const float v0 = p0[i];
                            const float v1 = p1[j];
                            const float v2 = v0 + v1;
                            const float v3 = 0.0f;
                            const float v4 = ((v2 != v2 || v3 != v3) ? v2 + v3 : (v2 > v3 ? v2 : v3));
                            p2[i] = v4;
                        }
                    }
                }
                """, src);
    }

    @Test
    void reductionOverTrailingAxisWithPrologue() {
        String src = source(xs -> List.of(Lax.reduceSum(Lax.exp(Lax.transpose(xs.get(0), 1, 0)), 1)), f32(3, 4));
        assertEquals("""

                void k0(void* const* slots) {
                    const float* restrict p0 = (const float*) slots[0];
                    float* restrict p1 = (float*) slots[1];
                    for (long o = 0; o < 4; o++) {
                        double acc = 0;
                        #pragma omp simd reduction(+:acc)
                        for (long r = 0; r < 3; r++) {
                            const float v0 = p0[r * 4 + o];
                            const float v1 = j4_expf(v0);
                            acc = acc + v1;
                        }
                        p1[o] = (float) acc;
                    }
                }
                """, src);
    }
}
