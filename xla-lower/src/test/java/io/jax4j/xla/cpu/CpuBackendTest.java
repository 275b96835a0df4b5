package io.jax4j.xla.cpu;

import io.jax4j.Array;
import io.jax4j.Lax;
import io.jax4j.Np;
import io.jax4j.core.ArrayImpl;
import io.jax4j.core.JitFunction;
import io.jax4j.ir.Jaxpr;
import io.jax4j.spi.Backend;
import io.jax4j.spi.Backends;
import io.jax4j.spi.Executable;
import io.jax4j.xla.Traced;
import io.jax4j.xla.internal.CDialect;
import io.jax4j.xla.internal.Lowering;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static io.jax4j.xla.Traced.f32;
import static io.jax4j.xla.Traced.trace;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpuBackendTest {
    @BeforeEach
    void needsCompiler() { CpuAvailable.assume(); }

    @Test
    void isFoundThroughServiceLoaderAndIsTheDefault() {
        Backend b = Backends.byName("cpu");
        assertEquals(10, b.priority());
        // the default is the available backend of highest priority: cpu where no CUDA device is present
        String expected = Backends.byNameOrNull("cuda") != null && Backends.byNameOrNull("cuda").isAvailable() ? "cuda" : "cpu";
        assertEquals(expected, Backends.all().stream().filter(Backend::isAvailable).findFirst().orElseThrow().name());
        assertTrue(b.describe().contains("OpenBLAS"), b.describe());
    }

    @Test
    void kernelsAreCachedOnDiskByHashOfSourceFlagsAndCompiler(@TempDir Path dir) throws Exception {
        String old = System.getProperty("jax4j.cacheDir");
        System.setProperty("jax4j.cacheDir", dir.toString());
        try {
            double c = 1 + new Random().nextInt(1_000_000);  // a fresh source, whatever the default cache holds
            Jaxpr j = trace(xs -> List.of(Lax.mul(Lax.exp(xs.get(0)), Lax.scalarLike(xs.get(0), c))), f32(5));
            int compiles = CCompiler.COMPILES.get(), hits = CCompiler.CACHE_HITS.get();
            CpuAvailable.BACKEND.compile(j, new boolean[1], "cached");
            assertEquals(compiles + 1, CCompiler.COMPILES.get());
            String key = CCompiler.key(Lowering.lower(j, null, "cached", CDialect.INSTANCE).source());
            assertTrue(Files.isRegularFile(dir.resolve("kernels").resolve(key + ".so")));
            Executable again = CpuAvailable.BACKEND.compile(j, new boolean[1], "cached");
            assertEquals(compiles + 1, CCompiler.COMPILES.get(), "second compile must hit the disk cache");
            assertEquals(hits + 1, CCompiler.CACHE_HITS.get());
            ArrayImpl x = ArrayImpl.ofDoubles(f32(5), new double[]{0, 1, 2, 3, -1});
            float[] got = again.execute(List.of(x)).getFirst().toFloatArray();
            for (int i = 0; i < 5; i++) assertEquals((float) (Math.exp(x.getDouble(i)) * c), got[i], 1e-6 * Math.exp(3) * c);
        } finally {
            if (old == null) System.clearProperty("jax4j.cacheDir");
            else System.setProperty("jax4j.cacheDir", old);
        }
    }

    @Test
    void compileErrorsNameTheKernelAndPrintNumberedSource() {
        var e = assertThrows(io.jax4j.core.Jax4jException.class,
                () -> CCompiler.check(false, "broken", "cc x.c", "x.c:2: error: oops", "int a;\nint b c;"));
        assertTrue(e.getMessage().contains("broken") && e.getMessage().contains("   2  int b c;"), e.getMessage());
    }

    @Test
    void donatedInputIsUpdatedInPlace() {
        Jaxpr j = trace(xs -> List.of(Lax.sub(xs.get(0), Lax.mulScalar(xs.get(1), 0.5))), f32(64, 32), f32(64, 32));
        Executable exe = CpuAvailable.BACKEND.compile(j, new boolean[]{true, false}, "sgd");
        Random rnd = new Random(1);
        ArrayImpl p = Traced.random(f32(64, 32), rnd, false), g = Traced.random(f32(64, 32), rnd, false);
        double[] pv = p.toDoubles(), gv = g.toDoubles();
        long address = p.segment().address();
        ArrayImpl out = (ArrayImpl) exe.execute(List.of(p, g)).getFirst();
        assertTrue(p.isDeleted(), "a donated input whose buffer was reused is deleted");
        assertEquals(address, out.segment().address(), "the output took the donated buffer");
        double[] ov = out.toDoubles();
        for (int i = 0; i < ov.length; i++) assertEquals((float) (pv[i] - (float) (gv[i] * 0.5f)), ov[i], 1e-6);
        assertThrows(io.jax4j.core.Jax4jException.class, p::toDoubles);
        assertFalse(g.isDeleted());
    }

    @Test
    void donationIsSkippedWhenTheKernelReadsOtherElements() {
        Jaxpr j = trace(xs -> List.of(Lax.add(Lax.transpose(xs.get(0), 1, 0), xs.get(0))), f32(16, 16));
        Executable exe = CpuAvailable.BACKEND.compile(j, new boolean[]{true}, "transpose");
        ArrayImpl x = Traced.random(f32(16, 16), new Random(2), false);
        double[] xv = x.toDoubles();
        Array out = exe.execute(List.of(x)).getFirst();
        assertFalse(x.isDeleted());
        double[] ov = out.toDoubleArray();
        for (int r = 0; r < 16; r++) for (int c = 0; c < 16; c++) assertEquals((float) (xv[c * 16 + r] + xv[r * 16 + c]), ov[r * 16 + c], 1e-6);
    }

    @Test
    void jitWithDonationRunsOnTheCpuBackend() {
        Backends.use("cpu");
        JitFunction step = new JitFunction(a -> Np.subtract((Array) a.get(0), Np.multiply((Array) a.get(1), Array.weak(0.1))), "step", Set.of(0));
        Array p = Array.fromFloats(new float[]{1, 2, 3, 4}, 2, 2), g = Array.fromFloats(new float[]{10, 20, 30, 40}, 2, 2);
        Array p2 = (Array) step.call(List.of(p, g));
        Array p3 = (Array) step.call(List.of(p2, g));
        assertArrayEquals(new float[]{-1, -2, -3, -4}, p3.toFloatArray(), 1e-5f);
        assertTrue(((ArrayImpl) p).isDeleted() && ((ArrayImpl) p2).isDeleted());
        assertEquals(1, step.traceCount());
    }

    @Test
    void intermediatesShareScratchByLiveness() {
        Jaxpr j = trace(xs -> {
            Array a = xs.get(0).matmul(xs.get(1)), b = a.matmul(xs.get(1)), c = b.matmul(xs.get(1));
            return List.of(c.matmul(xs.get(1)));
        }, f32(32, 32), f32(32, 32));
        Lowering.Program p = Lowering.lower(j, null, "chain", CDialect.INSTANCE);
        assertEquals(3, p.memory().slots.stream().filter(s -> s.kind() == io.jax4j.xla.internal.MemoryPlan.Kind.SCRATCH).count());
        assertEquals(2, p.memory().blockBytes.size(), "a and c share a block");
        Executable exe = CpuAvailable.BACKEND.compile(j, new boolean[2], "chain");
        ArrayImpl x = Traced.random(f32(32, 32), new Random(3), false), w = Traced.random(f32(32, 32), new Random(4), false);
        Array want = io.jax4j.core.ReferenceBackend.INSTANCE.compile(j, new boolean[2], "chain").execute(List.of(x, w)).getFirst();
        for (int rep = 0; rep < 3; rep++) {
            double[] got = exe.execute(List.of(x, w)).getFirst().toDoubleArray(), ref = want.toDoubleArray();
            double scale = java.util.Arrays.stream(ref).map(Math::abs).max().orElseThrow();
            for (int i = 0; i < got.length; i++) assertEquals(ref[i], got[i], 1e-5 * scale);
        }
    }

    @Test
    void outputsAreFreshArraysEachCall() {
        Jaxpr j = trace(xs -> List.of(Lax.exp(xs.get(0)), Lax.argmax(xs.get(0), 0, io.jax4j.DType.I32)), f32(8));
        Executable exe = CpuAvailable.BACKEND.compile(j, new boolean[1], "fresh");
        ArrayImpl x = Traced.random(f32(8), new Random(5), false);
        List<Array> a = exe.execute(List.of(x)), b = exe.execute(List.of(x));
        assertNotEquals(((ArrayImpl) a.get(0)).segment().address(), ((ArrayImpl) b.get(0)).segment().address());
        assertArrayEquals(a.get(0).toFloatArray(), b.get(0).toFloatArray());
        assertSame(io.jax4j.DType.I32, a.get(1).dtype());
    }

    /**
     * A small result over a long sum (a weight gradient's shape) is split over K between the cores:
     * every element within float32's dot-product error bound of the exact sum, plain and transposed.
     */
    @Test
    void longSumGemmsAgreeWithTheExactSum() {
        int m = 9, n = 32, k = 20_000;
        Random r = new Random(7);
        float[] a = new float[m * k], b = new float[k * n];
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
        for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian();
        Array at = Array.fromFloats(a, m, k), bt = Array.fromFloats(b, k, n);
        JitFunction plain = new JitFunction(xs -> Lax.dotGeneral((Array) xs.get(0), (Array) xs.get(1), new int[]{1}, new int[]{0}, new int[0], new int[0]),
                "long_k", Set.of());
        JitFunction transposed = new JitFunction(xs -> Lax.dotGeneral((Array) xs.get(0), (Array) xs.get(1), new int[]{0}, new int[]{0},
                new int[0], new int[0]), "long_k_t", Set.of());
        for (JitFunction f : List.of(plain, transposed)) {
            Array lhs = f == plain ? at : Lax.transpose(at, 1, 0);
            float[] got = ((Array) f.call(List.of(lhs, bt))).toFloatArray();
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double exact = 0, magnitude = 0;
                    for (int q = 0; q < k; q++) {
                        exact += (double) a[i * k + q] * b[q * n + j];
                        magnitude += Math.abs((double) a[i * k + q] * b[q * n + j]);
                    }
                    double err = Math.abs(got[i * n + j] - exact);
                    assertTrue(err <= 1e-5 * magnitude, (f == plain ? "plain" : "lhs transposed") + " element (" + i + ", " + j + "): " + got[i * n + j] + " vs exact " + exact);
                }
            }
        }
    }
}
