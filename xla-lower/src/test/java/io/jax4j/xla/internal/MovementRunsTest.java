package io.jax4j.xla.internal;

import io.jax4j.Array;
import io.jax4j.Lax;
import io.jax4j.Np;
import io.jax4j.ShapedArray;
import io.jax4j.core.ArrayImpl;
import io.jax4j.core.ReferenceBackend;
import io.jax4j.ir.Jaxpr;
import io.jax4j.xla.cpu.CpuAvailable;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.jax4j.xla.Traced.f32;
import static io.jax4j.xla.Traced.trace;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Gathered loads rendered as contiguous runs ({@link Runs}) against the reference backend on random
 * transposes (with reshapes, broadcasts and an elementwise op around them), bit for bit; the
 * classification's edge cases (a remainder that cuts a run disqualifies it).
 */
class MovementRunsTest {
    private static final int[] DIMS = {1, 2, 3, 4, 8, 16, 32};

    @Test
    void randomTransposesEqualTheReference() {
        CpuAvailable.assume();
        Random rnd = new Random(17);
        int withRuns = 0;
        for (int t = 0; t < 40; t++) {
            int rank = 3 + rnd.nextInt(3);
            int[] shape = new int[rank];
            for (int i = 0; i < rank; i++) shape[i] = DIMS[rnd.nextInt(DIMS.length)];
            shape[rank - 1] = 8 << rnd.nextInt(3);
            List<Integer> perm = new ArrayList<>();
            for (int i = 0; i < rank; i++) perm.add(i);
            java.util.Collections.shuffle(perm, rnd);
            if (rnd.nextBoolean()) {                         // keep the innermost axis innermost: runs possible
                perm.remove(Integer.valueOf(rank - 1));
                perm.add(rank - 1);
            }
            int[] p = perm.stream().mapToInt(Integer::intValue).toArray();
            boolean broadcast = rnd.nextBoolean();
            ShapedArray in = f32(shape);
            Jaxpr j = trace(xs -> {
                Array x = Np.transpose(xs.get(0), p);
                if (broadcast) x = Np.add(x, Np.transpose(xs.get(0), p).get(0).reshape(prefixOne(Np.transpose(xs.get(0), p).shape())));
                int[] s = x.shape();
                int last = s[s.length - 1] * s[s.length - 2];
                int[] merged = java.util.Arrays.copyOf(s, s.length - 1);
                merged[merged.length - 1] = last;
                return List.of(Lax.addScalar(Np.reshape(x, merged), 1.0));
            }, in);
            ArrayImpl x = io.jax4j.xla.Traced.random(in, rnd, false);
            String src = Lowering.lower(j, null, "runs" + t, CDialect.INSTANCE).source();
            if (src.contains("const long b")) withRuns++;
            float[] want = ReferenceBackend.INSTANCE.compile(j, new boolean[1], "runs").execute(List.of(x)).getFirst().toFloatArray();
            float[] got = CpuAvailable.BACKEND.compile(j, new boolean[1], "runs" + t).execute(List.of(x)).getFirst().toFloatArray();
            assertArrayEquals(want, got, 0f, "shape " + java.util.Arrays.toString(shape) + " perm " + java.util.Arrays.toString(p)
                    + " broadcast " + broadcast + "\n" + src.substring(src.indexOf("void k")));
        }
        assertTrue(withRuns >= 5, "runs rendered in " + withRuns + " of 40 programs");
    }

    @Test
    void aBroadcastAlongTheInnermostAxisSplitsTheRowIntoRuns() {
        CpuAvailable.assume();
        // y[a, b, c] = x[a, b] over rows of 16 = (b, c): the load index has i / 8, constant over runs of 8, not of 16
        Jaxpr j = trace(xs -> List.of(Lax.addScalar(Np.reshape(Np.broadcastTo(Np.expandDims(xs.get(0), -1), new int[]{64, 2, 8}), 64, 16), 1.0)),
                f32(64, 2));
        ArrayImpl x = io.jax4j.xla.Traced.random(f32(64, 2), new Random(5), false);
        float[] want = ReferenceBackend.INSTANCE.compile(j, new boolean[1], "bcast").execute(List.of(x)).getFirst().toFloatArray();
        float[] got = CpuAvailable.BACKEND.compile(j, new boolean[1], "bcast").execute(List.of(x)).getFirst().toFloatArray();
        assertArrayEquals(want, got, 0f, Lowering.lower(j, null, "bcast", CDialect.INSTANCE).source());
    }

    private static int[] prefixOne(int[] s) {
        int[] out = s.clone();
        out[0] = 1;
        return out;
    }

    @Test
    void aRemainderThatCutsARunDisqualifiesIt() {
        Ix i = Ix.sym("i");
        Ix aligned = Ix.add(Ix.mul(Ix.mod(Ix.div(i, 32), 2), 1000), Ix.mod(i, 32));
        assertEquals(1, Runs.coefficient(aligned, 32, 64));
        assertEquals(1, Runs.coefficient(aligned, 16, 64));
        List<KernelIR.Instr> body = List.of(new KernelIR.Load(0, io.jax4j.DType.F32, 0, aligned));
        assertEquals(32, Runs.length(body, 64), "runs of 32: the remainder by 32 and the quotient by 32 agree");
        Ix cut = Ix.add(Ix.mul(Ix.div(i, 12), 100), Ix.mod(i, 12));
        assertEquals(12, Runs.length(List.of(new KernelIR.Load(0, io.jax4j.DType.F32, 0, cut)), 48), "runs of 12 in rows of 48");
        assertEquals(0, Runs.length(List.of(new KernelIR.Load(0, io.jax4j.DType.F32, 0, cut)), 40), "no run of 8 or more divides both 40 and 12");
        assertEquals(0, Runs.length(List.of(new KernelIR.Load(0, io.jax4j.DType.F32, 0, i)), 64), "a contiguous kernel keeps the plain loop");
        Ix strided = Ix.mul(Ix.mod(i, 64), 3);
        assertEquals(3, Runs.coefficient(strided, 64, 64));
    }
}
