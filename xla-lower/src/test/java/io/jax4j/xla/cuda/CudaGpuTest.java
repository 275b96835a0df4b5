package io.jax4j.xla.cuda;

import io.jax4j.Array;
import io.jax4j.Lax;
import io.jax4j.ShapedArray;
import io.jax4j.core.ArrayImpl;
import io.jax4j.core.ReferenceBackend;
import io.jax4j.ir.Jaxpr;
import io.jax4j.spi.Executable;
import io.jax4j.xla.Traced;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static io.jax4j.xla.Traced.f32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What only a GPU can show: graph replay gives the same results with new inputs, TF32 vs FP32 products, compile errors, NCCL. */
@Tag("gpu")
class CudaGpuTest {
    @BeforeEach
    void device() { CudaAvailable.assume(); }

    private static List<ArrayImpl> random(long seed, ShapedArray... avals) {
        Random r = new Random(seed);
        return java.util.Arrays.stream(avals).map(a -> Traced.random(a, r, false)).toList();
    }

    @Test
    void graphReplayFollowsNewInputs() {
        Jaxpr j = Traced.trace(xs -> List.of(Lax.reduceSum(Lax.tanh(Lax.add(xs.get(0).matmul(xs.get(1)), xs.get(0).matmul(xs.get(1)))), 1)),
                f32(64, 32), f32(32, 48));
        Executable exe = CudaAvailable.BACKEND.compile(j, new boolean[2], "replay");
        Executable ref = ReferenceBackend.INSTANCE.compile(j, new boolean[2], "replay");
        for (int call = 0; call < 5; call++) {  // call 0 runs the commands, the others replay the graph
            List<ArrayImpl> args = random(call, f32(64, 32), f32(32, 48));
            double[] want = ref.execute(args).getFirst().toDoubleArray(), got = exe.execute(args).getFirst().toDoubleArray();
            for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-4 * Math.max(1, Math.abs(want[i])), "call " + call + " element " + i);
        }
    }

    @Test
    void aProcessAllReduceRunsOnTheRealNccl() {   // one process: a communicator of one rank, the real NCCL calls
        Jaxpr j = Traced.trace(xs -> List.of(Lax.mul(io.jax4j.prims.Collectives.PROCESS_ALLREDUCE.bind1(
                new io.jax4j.prims.Collectives.ProcessReduceParams("sum"), Lax.tanh(xs.get(0))), xs.get(0))), f32(512, 256));
        Executable exe = CudaAvailable.BACKEND.compile(j, new boolean[1], "nccl");
        assertTrue(((CudaExecutable) exe).plan().capturable(), ((CudaExecutable) exe).plan().toString());
        Executable ref = ReferenceBackend.INSTANCE.compile(j, new boolean[1], "nccl");
        for (int call = 0; call < 4; call++) {
            List<ArrayImpl> args = random(call, f32(512, 256));
            double[] want = ref.execute(args).getFirst().toDoubleArray(), got = exe.execute(args).getFirst().toDoubleArray();
            for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-5, "call " + call + " element " + i);
        }
    }

    @Test
    void tf32ByDefaultFp32WhenHighest() {
        Jaxpr j = Traced.trace(xs -> List.of(xs.get(0).matmul(xs.get(1))), f32(256, 512), f32(512, 256));
        List<ArrayImpl> args = random(7, f32(256, 512), f32(512, 256));
        double[] want = ReferenceBackend.INSTANCE.compile(j, new boolean[2], "mm").execute(args).getFirst().toDoubleArray();
        double[] fp32 = CudaAvailable.BACKEND.compile(j, new boolean[2], "mm").execute(args).getFirst().toDoubleArray();
        double[] tf32 = CudaBackend.withMatmulPrecision("default").compile(j, new boolean[2], "mm").execute(args).getFirst().toDoubleArray();
        double e32 = maxErr(want, fp32), eTf = maxErr(want, tf32);
        assertTrue(e32 < 1e-4, "FP32 error " + e32);
        assertTrue(eTf > 10 * e32 && eTf < 0.5, "TF32 error " + eTf + " vs FP32 " + e32);
    }

    private static double maxErr(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }

    @Test
    void compileErrorsShowTheLogAndSource() {
        CudaDevice dev = CudaDevice.get();
        var e = assertThrows(io.jax4j.core.Jax4jException.class, () -> dev.nvrtc.cubin(
                "extern \"C\" __global__ void k0() { undefined_thing(); }", Nvrtc.options(dev.ccMajor, dev.ccMinor), "broken",
                java.nio.file.Files.createTempDirectory("jax4j-nvrtc")));
        assertTrue(e.getMessage().contains("NVRTC could not compile the kernels of broken"), e.getMessage());
        assertTrue(e.getMessage().contains("undefined_thing"), e.getMessage());
        assertTrue(e.getMessage().contains("    1  extern \"C\""), e.getMessage());
    }

    @Test
    void closedOutputsAreReusedAndOutputsStayOnTheDevice() {
        CudaDevice dev = CudaDevice.get();
        Jaxpr j = Traced.trace(xs -> List.of(Lax.exp(xs.get(0))), f32(1 << 20));
        Executable exe = CudaAvailable.BACKEND.compile(j, new boolean[1], "exp");
        Executable ref = ReferenceBackend.INSTANCE.compile(j, new boolean[1], "exp");
        long before = dev.allocator.stats().deviceAllocs();
        ArrayImpl x = random(1, f32(1 << 20)).getFirst();
        for (int i = 0; i < 3; i++) {
            ArrayImpl y = (ArrayImpl) exe.execute(List.of(x)).getFirst();
            assertEquals("cuda:0", y.device().toString());
            if (i == 0) {
                // chained: the output goes back in without leaving the device
                ArrayImpl z = (ArrayImpl) exe.execute(List.of(y)).getFirst();
                double[] want = ref.execute(List.of((ArrayImpl) ref.execute(List.of(x)).getFirst())).getFirst().toDoubleArray();
                double[] got = z.toDoubleArray();
                for (int k = 0; k < want.length; k += 997) assertEquals(want[k], got[k], 1e-5 * Math.max(1, Math.abs(want[k])), "element " + k);
                z.close();
            }
            y.close();
        }
        assertTrue(dev.allocator.stats().deviceAllocs() - before <= 3, "the upload of x and one or two output blocks, reused: "
                + dev.allocator.stats());
    }
}
