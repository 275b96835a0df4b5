package io.jax4j.xla.cuda;

import io.jax4j.Array;
import io.jax4j.Device;
import io.jax4j.Lax;
import io.jax4j.Np;
import io.jax4j.ShapedArray;
import io.jax4j.core.ArrayImpl;
import io.jax4j.core.Jax4jException;
import io.jax4j.core.ReferenceBackend;
import io.jax4j.ir.Jaxpr;
import io.jax4j.spi.Executable;
import io.jax4j.xla.Traced;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import static io.jax4j.xla.Traced.f32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cuda backend's host side on the {@link CudaStandIn} driver: arrays that stay on the device,
 * copies counted, graphs captured and replayed with new data, donation into the donated buffer,
 * freeing, and every error path (a failed launch, out of memory, an asynchronous fault, an NVRTC
 * compile error), each naming what failed.
 */
class CudaStandInTest {
    private final CudaBackend backend = CudaStandIn.backend(Cublas.Precision.HIGHEST);

    private Executable compile(Function<List<Array>, List<Array>> f, boolean[] donated, ShapedArray... avals) {
        Jaxpr j = Traced.trace(f, avals);
        return backend.compile(j, donated == null ? new boolean[avals.length] : donated, "standin");
    }

    private static ArrayImpl random(ShapedArray aval, long seed) { return Traced.random(aval, new Random(seed), false); }

    private static List<Array> reference(Function<List<Array>, List<Array>> f, List<ArrayImpl> args, ShapedArray... avals) {
        return ReferenceBackend.INSTANCE.compile(Traced.trace(f, avals), new boolean[avals.length], "ref").execute(args);
    }

    @Test
    void aProcessAllReduceRunsOnNcclInsideTheGraph() {
        CudaStandIn.device();
        // a pmap axis across processes leaves process_allreduce in the jaxpr: on cuda an NCCL command, not a host op
        Function<List<Array>, List<Array>> f = xs -> List.of(Np.multiply(io.jax4j.prims.Collectives.PROCESS_ALLREDUCE.bind1(
                new io.jax4j.prims.Collectives.ProcessReduceParams("sum"), Np.tanh(xs.get(0))), Array.scalar(2f)));
        ShapedArray a = f32(200, 1000);   // staged (at most 1 MB): the same addresses on every call, so a graph
        CudaExecutable exe = (CudaExecutable) compile(f, null, a);
        assertTrue(exe.plan().capturable(), "no host op: " + exe.plan());
        assertTrue(exe.plan().toString().contains("nccl     all-reduce (sum) of 200000 f32"), exe.plan().toString());
        long reduces = CudaStandIn.calls("ncclAllReduce"), inits = CudaStandIn.calls("ncclCommInitRank");
        long captures = CudaStandIn.calls("cuStreamBeginCapture"), replays = CudaStandIn.calls("cuGraphLaunch");
        ArrayImpl x = random(a, 7);
        int calls = 4;
        for (int call = 0; call < calls; call++) {   // run directly at first, then captured into a graph and replayed
            ArrayImpl y = (ArrayImpl) exe.execute(List.of(x)).getFirst();
            assertArrayEquals(reference(f, List.of(x), a).getFirst().toFloatArray(), y.toFloatArray(), 1e-6f, "call " + call);
        }
        long captured = CudaStandIn.calls("cuStreamBeginCapture") - captures, replayed = CudaStandIn.calls("cuGraphLaunch") - replays;
        assertEquals(1, captured, "the step with its all-reduce is captured once");
        assertTrue(replayed >= 2, "and replayed: " + replayed);
        assertEquals(calls - replayed + captured, CudaStandIn.calls("ncclAllReduce") - reduces,
                "NCCL is called by each direct run and by the capture; a replay runs the recorded all-reduce");
        assertTrue(CudaStandIn.calls("ncclCommInitRank") <= inits + 1, "one communicator per device");
        // a failing NCCL call names the call, NCCL's message and the program
        CudaExecutable other = (CudaExecutable) compile(f, null, f32(3, 5));
        CudaStandIn.failNext("ncclAllReduce", 5, 0);
        var e = assertThrows(Jax4jException.class, () -> other.execute(List.of(random(f32(3, 5), 8))).getFirst().toFloatArray());
        assertTrue(e.getMessage().contains("ncclAllReduce failed") && e.getMessage().contains("invalid usage")
                && e.getMessage().contains("process all-reduce in standin"), e.getMessage());
    }

    @Test
    void outputsStayOnTheDeviceAndFeedTheNextCallWithoutACopy() {
        CudaStandIn.device();
        Function<List<Array>, List<Array>> f = xs -> List.of(Np.tanh(xs.get(0).matmul(xs.get(1))));
        ShapedArray a = f32(600, 500), b = f32(500, 600);
        Executable exe = compile(f, null, a, b);
        ArrayImpl x = random(a, 1), w = random(b, 2);
        long uploads = CudaStandIn.calls("cuMemcpyHtoDAsync");
        ArrayImpl y = (ArrayImpl) exe.execute(List.of(x, w)).getFirst();
        assertEquals(new Device("cuda", 0), y.device());
        assertFalse(y.hasHostCopy(), "an output is not copied to the host until it is read");
        assertEquals(uploads + 2, CudaStandIn.calls("cuMemcpyHtoDAsync"), "both (large) arguments uploaded once");
        assertTrue(x.deviceBuffer() instanceof CudaBuffer, "a host argument keeps its upload");
        // the output goes straight back in (600x600 is larger than the staging limit: read in place)
        Executable g = compile(xs -> List.of(Np.sum(xs.get(0))), null, f32(600, 600));
        long before = CudaStandIn.calls("cuMemcpyHtoDAsync"), d2d = CudaStandIn.calls("cuMemcpyDtoDAsync");
        ArrayImpl s = (ArrayImpl) g.execute(List.of(y)).getFirst();
        assertEquals(before, CudaStandIn.calls("cuMemcpyHtoDAsync"), "no upload of an array already on the device");
        assertEquals(d2d + 1, CudaStandIn.calls("cuMemcpyDtoDAsync"), "only the scalar result is copied out of the arena");
        // reading copies once and keeps the copy
        long downloads = CudaStandIn.calls("cuMemcpyDtoHAsync");
        double total = s.item();
        float[] host = y.toFloatArray();
        y.toFloatArray();
        assertEquals(downloads + 2, CudaStandIn.calls("cuMemcpyDtoHAsync"));
        Array want = reference(f, List.of(x, w), a, b).getFirst();
        assertArrayEquals(want.toFloatArray(), host, 1e-5f);
        double sum = 0;
        for (float v : host) sum += v;
        assertEquals(sum, total, 1e-2);
        // and the same arguments again: nothing uploaded
        long again = CudaStandIn.calls("cuMemcpyHtoDAsync");
        exe.execute(List.of(x, w));
        assertEquals(again, CudaStandIn.calls("cuMemcpyHtoDAsync"));
    }

    @Test
    void aRepeatedCallIsCapturedIntoAGraphAndReplayedWithNewData() {
        CudaStandIn.device();
        // a small train step: staged batch, weights in place, donated so that the addresses repeat
        Function<List<Array>, List<Array>> step = xs -> List.of(Lax.sub(xs.get(0),
                Lax.mulScalar(Np.matmul(Np.transpose(xs.get(1)), Np.tanh(Np.matmul(xs.get(1), xs.get(0)))), 0.01)),
                Np.sum(Np.tanh(Np.matmul(xs.get(1), xs.get(0)))));
        ShapedArray w = f32(512, 512), batch = f32(64, 512);
        CudaExecutable exe = (CudaExecutable) compile(step, new boolean[]{true, false}, w, batch);
        Executable ref = ReferenceBackend.INSTANCE.compile(Traced.trace(step, w, batch), new boolean[2], "ref");
        ArrayImpl params = random(w, 3), refParams = params.withAval(w);
        long captures = CudaStandIn.calls("cuStreamBeginCapture"), launches = CudaStandIn.calls("cuGraphLaunch");
        for (int i = 0; i < 4; i++) {
            ArrayImpl x = random(batch, 10 + i);
            List<Array> got = exe.execute(List.of(params, x));
            List<Array> want = ref.execute(List.of(refParams, x));
            assertTrue(params.isDeleted(), "a donated argument is deleted");
            params = (ArrayImpl) got.get(0);
            refParams = (ArrayImpl) want.get(0);
            assertEquals(want.get(1).item(), got.get(1).item(), 1e-3 * Math.max(1, Math.abs(want.get(1).item())), "step " + i);
        }
        assertArrayEquals(refParams.toFloatArray(), params.toFloatArray(), 1e-5f);
        assertEquals(captures + 1, CudaStandIn.calls("cuStreamBeginCapture"), "captured once, on the second call");
        assertEquals(launches + 3, CudaStandIn.calls("cuGraphLaunch"), "calls 2, 3 and 4 replay the graph");
        assertArrayEquals(new long[]{4, 3, 1}, exe.counts());
    }

    @Test
    void poolingItsGradientsAndRandomBitsRunAsDeviceKernels() {
        CudaStandIn.device();
        io.vavr.Function1<Array, Array> pooled = t -> Np.sum(Np.tanh(io.jax4j.Pooling.maxPool(t, new int[]{2, 2}, new int[]{2, 2}, "VALID")))
                .add(Np.sum(Np.tanh(io.jax4j.Pooling.avgPool(t, new int[]{3, 3}, new int[]{1, 1}, "SAME"))));
        Function<List<Array>, List<Array>> f = xs -> List.of(
                io.jax4j.Pooling.maxPool(xs.get(0), new int[]{3, 3}, new int[]{1, 1}, "SAME"),     // overlapping windows
                io.jax4j.autodiff.Jax.grad(pooled).apply(xs.get(0)),
                io.jax4j.autodiff.Jax.grad((io.vavr.Function1<Array, Array>) t -> Np.sum(io.jax4j.Pooling.maxPool(t, new int[]{3, 3},
                        new int[]{1, 1}, "SAME"))).apply(xs.get(0)),                                   // scatter with overlaps
                io.jax4j.Random.bernoulli(xs.get(1), 0.3, 2, 40), io.jax4j.Random.uniform(xs.get(1), 7), io.jax4j.Random.normal(xs.get(1), 9));
        ShapedArray img = f32(2, 8, 8, 16), key = ShapedArray.of(io.jax4j.DType.U32, 2);
        Jaxpr j = Traced.traceWithConstants(f, img, key);
        CudaExecutable exe = (CudaExecutable) backend.compile(j, new boolean[j.invars().size()], "pool");
        assertEquals(List.of(), exe.hostOps(), "every op on the device");
        // the captured constants lead, then the image and the key
        List<ArrayImpl> args = new java.util.ArrayList<>(Traced.constants(f, img, key));
        args.add(random(img, 4));
        args.add((ArrayImpl) io.jax4j.Random.key(9));
        List<Array> want = ReferenceBackend.INSTANCE.compile(j, new boolean[args.size()], "ref").execute(args);
        List<Array> got = exe.execute(args);
        for (int k = 0; k < want.size(); k++) assertArrayEquals(want.get(k).toDoubleArray(), got.get(k).toDoubleArray(), 1e-4, "output " + k);
    }

    /** A Flax-layout convolution (NHWC input, HWIO kernel) with {@code groups} feature groups. */
    private static Array conv(Array x, Array w, int stride, String padding, int groups) {
        var dn = io.jax4j.prims.Convolution.ConvDimensionNumbers.of("NHWC", "HWIO", "NHWC");
        return Lax.convGeneralDilated(x, w, new int[]{stride, stride}, padding, null, null, dn, groups);
    }

    @Test
    void convolutionsAndBothGradientsRunOnTheDevice() {
        CudaStandIn.device();
        record C(String name, ShapedArray x, ShapedArray w, int stride, String padding, int groups) {}
        for (C c : List.of(new C("Flax CNN conv1", f32(4, 12, 12, 1), f32(3, 3, 1, 32), 1, "SAME", 1),
                new C("Flax CNN conv2", f32(4, 6, 6, 32), f32(3, 3, 32, 64), 1, "SAME", 1),
                new C("strided, valid", f32(2, 9, 9, 3), f32(3, 3, 3, 8), 2, "VALID", 1),
                new C("grouped", f32(2, 7, 7, 4), f32(3, 3, 2, 6), 1, "SAME", 2))) {
            Function<List<Array>, List<Array>> f = xs -> {
                io.vavr.Function1<List<Array>, Array> loss = a -> Np.sum(Np.tanh(conv(a.get(0), a.get(1), c.stride(), c.padding(), c.groups())));
                var grads = io.jax4j.autodiff.Jax.grad(loss).apply(List.of(xs.get(0), xs.get(1)));
                return List.of(conv(xs.get(0), xs.get(1), c.stride(), c.padding(), c.groups()), grads.get(0), grads.get(1));
            };
            Jaxpr j = Traced.traceWithConstants(f, c.x(), c.w());
            CudaExecutable exe = (CudaExecutable) backend.compile(j, new boolean[j.invars().size()], c.name());
            assertEquals(List.of(), exe.hostOps(), c.name() + ": every op on the device");
            String plan = exe.plan().toString();
            assertTrue(plan.contains("gemm     conv_general_dilated"), plan);
            if (c.groups() == 1 && c.stride() == 1) assertTrue(plan.contains("(contributions)"), "the input gradient as GEMM-then-gather: " + plan);
            List<ArrayImpl> args = new java.util.ArrayList<>(Traced.constants(f, c.x(), c.w()));
            args.add(random(c.x(), 11));
            args.add(random(c.w(), 12));
            List<Array> want = ReferenceBackend.INSTANCE.compile(j, new boolean[args.size()], "ref").execute(args);
            List<Array> got = exe.execute(args);
            for (int k = 0; k < want.size(); k++) {
                assertArrayEquals(want.get(k).toDoubleArray(), got.get(k).toDoubleArray(), 2e-4, c.name() + " output " + k);
            }
        }
    }

    @Test
    void aDonatedBufferBecomesTheOutput() {
        CudaStandIn.device();
        Function<List<Array>, List<Array>> f = xs -> List.of(Lax.sub(xs.get(0), Lax.mulScalar(xs.get(1), 0.5)));
        ShapedArray v = f32(300_000);
        Executable exe = compile(f, new boolean[]{true, false}, v, v);
        ArrayImpl p = (ArrayImpl) backend.put(random(v, 5)), g = random(v, 6);
        long address = ((CudaBuffer) p.deviceBuffer()).address;
        float[] want = reference(f, List.of(p, g), v, v).getFirst().toFloatArray();
        int blocks = CudaStandIn.liveBlocks();
        ArrayImpl out = (ArrayImpl) exe.execute(List.of(p, g)).getFirst();
        assertEquals(address, ((CudaBuffer) out.deviceBuffer()).address, "written in place");
        var e = assertThrows(Jax4jException.class, p::toFloatArray);
        assertTrue(e.getMessage().contains("deleted by donation to jit(standin)"), e.getMessage());
        assertArrayEquals(want, out.toFloatArray(), 1e-6f);
        assertTrue(CudaStandIn.liveBlocks() <= blocks + 1, "no new output buffer (at most g's upload)");
    }

    @Test
    void aDeviceArrayDonatedToAHostProgramLeavesNoStaleDeviceCopy() {
        CudaStandIn.device();
        io.jax4j.xla.cpu.CpuAvailable.assume();
        ShapedArray v = f32(1000);
        ArrayImpl d = backend.put(random(v, 21));
        float[] before = d.toFloatArray();
        Executable doubleOnCpu = new io.jax4j.xla.cpu.CpuBackend().compile(Traced.trace(xs -> List.of(Lax.mulScalar(xs.get(0), 2)), v),
                new boolean[]{true}, "double");
        ArrayImpl y = (ArrayImpl) doubleOnCpu.execute(List.of(d)).getFirst();
        assertEquals(Device.CPU, y.device());
        float[] onGpu = compile(xs -> List.of(Lax.mulScalar(xs.get(0), 1)), null, v).execute(List.of(y)).getFirst().toFloatArray();
        for (int i = 0; i < before.length; i++) assertEquals(2 * before[i], onGpu[i], 1e-6f, "element " + i);
    }

    @Test
    void concurrentCallsAgreeWithTheReference() throws Exception {
        CudaStandIn.device();
        ShapedArray a = f32(16, 1100), w = f32(1100, 300);   // the weights (1.3 MB) are read in place: uploaded once, by one thread
        Function<List<Array>, List<Array>> f = xs -> List.of(Np.tanh(xs.get(0).matmul(xs.get(1))).sum(1));
        Function<List<Array>, List<Array>> g = xs -> List.of(Np.exp(xs.get(0).mul(0.1f)).matmul(xs.get(1)));
        Executable shared = compile(f, null, a, w);
        ArrayImpl weights = random(w, 31);   // one host array every thread passes: it keeps one device copy
        List<Array> wantF = new java.util.ArrayList<>(), wantG = new java.util.ArrayList<>();
        List<ArrayImpl> inputs = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            ArrayImpl x = random(a, 100 + i);
            inputs.add(x);
            wantF.add(reference(f, List.of(x, weights), a, w).getFirst());
            wantG.add(reference(g, List.of(x, weights), a, w).getFirst());
        }
        var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<?>> jobs = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                jobs.add(pool.submit(() -> {
                    Executable own = compile(g, null, a, w);   // each thread's own program, and one shared by all
                    for (int rep = 0; rep < 10; rep++) {
                        int i = (thread + rep) % inputs.size();
                        Array y = shared.execute(List.of(inputs.get(i), weights)).getFirst();
                        Array z = own.execute(List.of(inputs.get(i), weights)).getFirst();
                        assertArrayEquals(wantF.get(i).toFloatArray(), y.toFloatArray(), 1e-4f, "thread " + thread + " rep " + rep);
                        assertArrayEquals(wantG.get(i).toFloatArray(), z.toFloatArray(), 1e-3f, "thread " + thread + " rep " + rep);
                    }
                    return null;
                }));
            }
            for (var j : jobs) j.get(120, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertTrue(weights.deviceBuffer() instanceof CudaBuffer);
    }

    @Test
    void closingAnArrayReturnsItsBufferToTheAllocator() {
        CudaDevice dev = CudaStandIn.device();
        Executable exe = compile(xs -> List.of(Np.exp(xs.get(0))), null, f32(1 << 20));
        ArrayImpl y = (ArrayImpl) exe.execute(List.of(random(f32(1 << 20), 7))).getFirst();
        long live = dev.allocator.stats().liveBytes();
        y.close();
        assertEquals(live - CachingAllocator.sizeClass(4L << 20), dev.allocator.stats().liveBytes());
        assertTrue(((CudaBuffer) exe.execute(List.of(random(f32(1 << 20), 8))).getFirst().concrete("t").deviceBuffer()) != null);
        assertTrue(dev.allocator.stats().hits() > 0, "the freed block is reused");
    }

    @Test
    void devicePutAndBlockUntilReady() {
        CudaStandIn.device();
        ArrayImpl x = (ArrayImpl) Array.of(1f, 2f, 3f);
        ArrayImpl d = backend.put(x);
        assertNotSame(x, d);
        assertEquals("cuda:0", d.device().toString());
        assertEquals(Device.CPU, x.device());
        assertSame(d, backend.put(d), "already there");
        assertSame(d, d.blockUntilReady());
        assertArrayEquals(new float[]{1, 2, 3}, d.toFloatArray());
        assertEquals(new Device("cuda", 0), Device.parse("cuda:0"));
    }

    @Test
    void aFailedLaunchNamesTheKernelAndTheProgram() {
        CudaStandIn.device();
        Executable exe = compile(xs -> List.of(Np.tanh(xs.get(0))), null, f32(8));
        CudaStandIn.failNext("cuLaunchKernel", CudaStandIn.INVALID_VALUE, 0);
        var e = assertThrows(Jax4jException.class, () -> exe.execute(List.of(random(f32(8), 1))));
        assertTrue(e.getMessage().contains("cuLaunchKernel(grid 1, block 256) failed with CUDA_ERROR_INVALID_VALUE (1): invalid argument"), e.getMessage());
        assertTrue(e.getMessage().contains("launching kernel k0 of standin"), e.getMessage());
        assertEquals(8, exe.execute(List.of(random(f32(8), 1))).getFirst().toFloatArray().length, "the next call runs");
    }

    @Test
    void anAsynchronousFaultSurfacesAtTheNextSynchronisationNamingTheProgram() {
        CudaStandIn.device();
        Executable exe = compile(xs -> List.of(Np.exp(xs.get(0))), null, f32(16));
        Array y = exe.execute(List.of(random(f32(16), 2))).getFirst();
        CudaStandIn.failNext("cuStreamSynchronize", CudaStandIn.ILLEGAL_ADDRESS, 0);
        var e = assertThrows(Jax4jException.class, y::toFloatArray);
        assertTrue(e.getMessage().contains("CUDA_ERROR_ILLEGAL_ADDRESS (700): an illegal memory access was encountered"), e.getMessage());
        assertTrue(e.getMessage().contains("the last program queued on the device was standin"), e.getMessage());
    }

    @Test
    void outOfMemoryNamesTheOutputAndTheBytes() {
        CudaDevice dev = CudaStandIn.device();
        Executable exe = compile(xs -> List.of(Np.exp(xs.get(0))), null, f32(2048, 2048));
        ArrayImpl x = random(f32(2048, 2048), 3);
        dev.allocator.emptyCache();
        CudaStandIn.memoryLimit(dev.allocator.stats().liveBytes() + (20L << 20));
        try {
            var e = assertThrows(Jax4jException.class, () -> exe.execute(List.of(x)));
            assertTrue(e.getMessage().contains("out of device memory: 16777216 bytes for output 0 (f32[2048,2048]) of standin"), e.getMessage());
            assertTrue(e.getMessage().contains("CUDA_ERROR_OUT_OF_MEMORY"), e.getMessage());
        } finally {
            CudaStandIn.memoryLimit(Long.MAX_VALUE);
        }
    }

    @Test
    void nvrtcCompileErrorsCarryTheLogAndTheNumberedSource() throws Exception {
        CudaDevice dev = CudaStandIn.device();
        var dir = Files.createTempDirectory("jax4j-nvrtc-cache-");
        String ok = "extern \"C\" __global__ void k0() {}\n";
        long compiles = CudaStandIn.calls("nvrtcCompileProgram");
        byte[] image = dev.nvrtc.cubin(ok, Nvrtc.options(9, 0), "fine", dir);
        assertEquals(ok, new String(image, java.nio.charset.StandardCharsets.UTF_8), "the stand-in's \"cubin\" is the source");
        assertArrayEquals(image, dev.nvrtc.cubin(ok, Nvrtc.options(9, 0), "fine", dir));
        assertEquals(compiles + 1, CudaStandIn.calls("nvrtcCompileProgram"), "the second time from the disk cache");
        var e = assertThrows(Jax4jException.class, () -> dev.nvrtc.cubin("int x;\n#error no such type\n", Nvrtc.options(9, 0), "broken", dir));
        assertTrue(e.getMessage().contains("NVRTC could not compile the kernels of broken: NVRTC_ERROR_COMPILATION (6)"), e.getMessage());
        assertTrue(e.getMessage().contains("broken.cu(1): error: #error no such type"), e.getMessage());
        assertTrue(e.getMessage().contains("    2  #error no such type"), e.getMessage());
    }

    @Test
    void float32ProductsRunInTf32ByDefault() {
        CudaStandIn.device();
        CudaBackend tf32 = CudaStandIn.backend(Cublas.Precision.DEFAULT);
        long before = CudaStandIn.tf32Gemms();
        tf32.compile(Traced.trace(xs -> List.of(xs.get(0).matmul(xs.get(1))), f32(4, 3), f32(3, 2)), new boolean[2], "tf32")
                .execute(List.of(random(f32(4, 3), 1), random(f32(3, 2), 2))).getFirst().toFloatArray();
        assertEquals(before + 1, CudaStandIn.tf32Gemms());
    }
}
