package io.jax4j.xla.cuda;

import io.jax4j.Array;
import io.jax4j.ShapedArray;
import io.jax4j.core.ArrayImpl;
import io.jax4j.core.EvalTrace;
import io.jax4j.core.Jax4jException;
import io.jax4j.ir.Atom;
import io.jax4j.ir.Literal;
import io.jax4j.ir.Var;
import io.jax4j.spi.Executable;
import io.jax4j.xla.cuda.LaunchPlan.Command;
import io.jax4j.xla.internal.Lowering.Program;
import io.jax4j.xla.internal.MemoryPlan;
import io.jax4j.xla.internal.MemoryPlan.Kind;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A program on the device: one arena from the caching allocator holds the slot table and every
 * buffer; inputs and outputs pass through pinned staging memory at fixed offsets. The first call
 * runs the {@link LaunchPlan}'s commands one by one (each status checked, naming the kernel); it
 * then captures the same commands into a CUDA graph, so that every later call is: copy the inputs
 * into staging, one {@code cuGraphLaunch}, one synchronisation, copy the outputs out. Programs with
 * host ops run the commands every call. Calls on one executable are serialised.
 */
final class CudaExecutable implements Executable {
    private static final Cleaner CLEANER = Cleaner.create();

    private final Program program;
    private final LaunchPlan plan;
    private final CudaDevice dev;
    private final Cublas.Precision precision;
    private final long arena;
    private final MemorySegment staging, kernelParams;
    private final Map<String, MemorySegment> functions = new HashMap<>();
    private MemorySegment graph;
    private int calls;

    CudaExecutable(Program program, LaunchPlan plan, CudaDevice dev, Cublas.Precision precision) {
        this.program = program;
        this.plan = plan;
        this.dev = dev;
        this.precision = precision;
        dev.makeCurrent();
        arena = dev.allocator.alloc(plan.arenaBytes());
        CachingAllocator alloc = dev.allocator;
        long a = arena;
        CLEANER.register(this, () -> alloc.free(a));
        staging = dev.driver.hostAlloc(plan.stagingBytes());
        Arena g = Arena.global();
        MemorySegment table = g.allocate(JAVA_LONG, Math.max(1, plan.slotCount()));
        for (int s = 0; s < plan.slotCount(); s++) table.setAtIndex(JAVA_LONG, s, arena + plan.slotOffset()[s]);
        if (plan.slotCount() > 0) dev.driver.copyToDevice(arena, table, 8L * plan.slotCount(), dev.stream, "uploading the slot table of " + program.name());
        dev.driver.synchronize(dev.stream, "uploading the slot table of " + program.name());
        kernelParams = g.allocate(ADDRESS);
        kernelParams.set(ADDRESS, 0, g.allocateFrom(JAVA_LONG, arena));
        if (!program.kernelOfStep().isEmpty()) {
            byte[] cubin = dev.nvrtc.cubin(program.source(), Nvrtc.options(dev.ccMajor, dev.ccMinor), program.name(), CudaDevice.cacheDir());
            MemorySegment image = g.allocate(cubin.length + 1L);
            MemorySegment.copy(cubin, 0, image, JAVA_BYTE, 0, cubin.length);
            MemorySegment module = dev.driver.loadModule(image, "loading the kernels of " + program.name());
            for (var k : program.kernels()) functions.put(k.name(), dev.driver.function(module, k.name(), "loading " + program.name()));
        }
    }

    @Override
    public synchronized List<Array> execute(List<ArrayImpl> args) {
        try {
            dev.makeCurrent();
            for (Command c : plan.commands()) {
                if (c instanceof LaunchPlan.Upload u && u.bytes() > 0) {
                    MemorySegment.copy(args.get(u.arg()).segment(), 0, staging, u.staging(), u.bytes());
                }
            }
            if (graph != null) dev.driver.graphLaunch(graph, dev.stream, "replaying the CUDA graph of " + program.name());
            else for (Command c : plan.commands()) enqueue(c);
            dev.driver.synchronize(dev.stream, "running " + program.name());
            List<Array> out = results(args);
            if (graph == null && ++calls == 1 && plan.capturable()) capture();
            return out;
        } catch (Jax4jException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new Jax4jException("cuda backend: running " + program.name() + " failed: " + e.getMessage(), e);
        }
    }

    /** Records the commands (uploads, launches, GEMMs, downloads) into one graph, replayed by later calls. */
    private void capture() {
        String what = "capturing " + program.name() + " into a CUDA graph";
        dev.driver.beginCapture(dev.stream, what);
        try {
            for (Command c : plan.commands()) enqueue(c);
        } finally {
            graph = dev.driver.endCapture(dev.stream, what);
        }
    }

    private void enqueue(Command c) {
        switch (c) {
            case LaunchPlan.Upload u -> {
                if (u.bytes() > 0) dev.driver.copyToDevice(arena + plan.slotOffset()[u.slot()], staging.asSlice(u.staging()), u.bytes(),
                        dev.stream, "uploading argument " + u.arg() + " of " + program.name());
            }
            case LaunchPlan.Launch l -> dev.driver.launch(functions.get(l.kernel()), l.grid(), l.block(), dev.stream, kernelParams,
                    "launching kernel " + l.kernel() + " of " + program.name());
            case LaunchPlan.Gemm g -> dev.cublas.gemm(g.call(), arena, precision, g.what() + " in " + program.name());
            case LaunchPlan.Zero z -> {
                if (z.bytes() > 0) dev.driver.zero(arena + plan.slotOffset()[z.slot()], z.bytes(), dev.stream, program.name());
            }
            case LaunchPlan.Host h -> host(h);
            case LaunchPlan.Download d -> {
                if (d.bytes() > 0) dev.driver.copyToHost(staging.asSlice(d.staging()), arena + plan.slotOffset()[d.slot()], d.bytes(),
                        dev.stream, "downloading output " + d.out() + " of " + program.name());
            }
        }
    }

    /** Runs a host op: its operands come down, its reference implementation runs, its results go up. */
    private void host(LaunchPlan.Host h) {
        String what = "host op " + h.eqn().primitive().name() + " in " + program.name();
        dev.driver.synchronize(dev.stream, what);
        MemoryPlan mem = program.memory();
        List<ArrayImpl> in = new ArrayList<>();
        for (Atom a : h.eqn().inputs()) {
            if (a instanceof Literal l) {
                in.add(l.value());
                continue;
            }
            ShapedArray aval = a.aval();
            ArrayImpl x = ArrayImpl.allocate(aval);
            long bytes = LaunchPlan.bytes(aval);
            if (bytes > 0) dev.driver.copyToHost(x.segment(), arena + plan.slotOffset()[mem.slotOf.get((Var) a)], bytes, dev.stream, what);
            in.add(x);
        }
        dev.driver.synchronize(dev.stream, what);
        List<Array> r = EvalTrace.INSTANCE.run(() -> h.eqn().primitive().impl(h.eqn().params(), in));
        var outs = h.eqn().outvars();
        for (int k = 0; k < outs.size(); k++) {
            ArrayImpl y = r.get(k).concrete(what);
            long bytes = LaunchPlan.bytes(outs.get(k).aval());
            if (bytes > 0) dev.driver.copyToDevice(arena + plan.slotOffset()[mem.slotOf.get(outs.get(k))], y.segment(), bytes, dev.stream, what);
        }
        dev.driver.synchronize(dev.stream, what);
    }

    private List<Array> results(List<ArrayImpl> args) {
        MemoryPlan mem = program.memory();
        Array[] out = new Array[mem.outs.size()];
        Map<Integer, LaunchPlan.Download> downloads = new HashMap<>();
        for (Command c : plan.commands()) if (c instanceof LaunchPlan.Download d) downloads.put(d.out(), d);
        for (int k = 0; k < out.length; k++) {
            MemoryPlan.Out o = mem.outs.get(k);
            if (o.duplicateOf() >= 0) out[k] = out[o.duplicateOf()];
            else if (o.literal() != null) out[k] = o.literal().withAval(o.literal().aval());
            else if (o.kind() == Kind.INPUT) out[k] = args.get(o.arg()).withAval(mem.slots.get(o.slot()).var().aval());
            else {
                LaunchPlan.Download d = downloads.get(k);
                ArrayImpl a = ArrayImpl.allocate(mem.slots.get(o.slot()).var().aval());
                if (d.bytes() > 0) MemorySegment.copy(staging, d.staging(), a.segment(), 0, d.bytes());
                out[k] = a;
            }
        }
        return Arrays.asList(out);
    }
}
