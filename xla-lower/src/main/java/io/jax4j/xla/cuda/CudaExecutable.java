package io.jax4j.xla.cuda;

import io.jax4j.Array;
import io.jax4j.ShapedArray;
import io.jax4j.core.ArrayImpl;
import io.jax4j.core.Debug;
import io.jax4j.core.EvalTrace;
import io.jax4j.core.Jax4jException;
import io.jax4j.ir.Atom;
import io.jax4j.ir.Literal;
import io.jax4j.ir.Var;
import io.jax4j.spi.DeviceBuffer;
import io.jax4j.spi.Executable;
import io.jax4j.xla.cuda.LaunchPlan.AliasOf;
import io.jax4j.xla.cuda.LaunchPlan.Binding;
import io.jax4j.xla.cuda.LaunchPlan.Command;
import io.jax4j.xla.cuda.LaunchPlan.InArena;
import io.jax4j.xla.cuda.LaunchPlan.InputBuffer;
import io.jax4j.xla.cuda.LaunchPlan.OutputBuffer;
import io.jax4j.xla.internal.Lowering.Program;
import io.jax4j.xla.internal.MemoryPlan;
import io.jax4j.xla.internal.MemoryPlan.Kind;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A program on the GPU. Its arguments are read where they are (an array already on the device is
 * not copied; a host array is uploaded once and keeps the upload), its outputs are arrays whose data
 * stays in device memory ({@link ArrayImpl#onDevice}) until the host reads them, and a call returns
 * as soon as its work is queued: an error of that work surfaces at the next synchronisation, naming
 * the program. A donated argument's buffer becomes the output that the program writes into it.
 *
 * <p>One call binds every slot to an address ({@link LaunchPlan#bindings()}), passes that table by
 * value to each kernel, and runs the plan's commands. A body whose addresses were seen before is
 * captured into a CUDA graph on the second sight and replayed from then on (in a training loop the
 * addresses repeat: donated state keeps its buffers, small inputs and outputs are staged through the
 * arena); graphs are kept per address set, the least recently used dropped beyond
 * {@link #MAX_GRAPHS}. Programs with host ops run their commands every call. Calls are serialised
 * per device while they queue work: a stream being captured into a graph must see no other
 * thread's work (which would join the graph, or fail).
 */
final class CudaExecutable implements Executable {
    private static final Cleaner CLEANER = Cleaner.create();
    static final int MAX_GRAPHS = 8;

    private final Program program;
    private final LaunchPlan plan;
    private final CudaDevice dev;
    private final Cublas.Precision precision;
    private final long arena;
    private final long tableBytes;
    private final Map<String, MemorySegment> functions = new HashMap<>();
    private final Map<AddressKey, Graph> graphs = new LinkedHashMap<>(16, 0.75f, true);
    private final List<AddressKey> seenOnce = new ArrayList<>();
    private long calls, replays, captures;

    private record Graph(MemorySegment exec) {}

    /** The addresses a body was run with: equal keys replay the same graph. */
    private record AddressKey(long[] address) {
        @Override
        public boolean equals(Object o) { return o instanceof AddressKey k && Arrays.equals(address, k.address); }

        @Override
        public int hashCode() { return Arrays.hashCode(address); }
    }

    CudaExecutable(Program program, LaunchPlan plan, CudaDevice dev, Cublas.Precision precision) {
        this.program = program;
        this.plan = plan;
        this.dev = dev;
        this.precision = precision;
        this.tableBytes = 8L * Math.max(1, plan.slotCount());
        dev.makeCurrent();
        arena = dev.alloc(plan.arenaBytes(), "the scratch arena of " + program.name());
        CachingAllocator alloc = dev.allocator;
        long a = arena;
        CLEANER.register(this, () -> alloc.free(a));
        if (program.hasKernels()) {
            byte[] image = dev.images.image(program, dev);
            MemorySegment segment = Arena.global().allocate(image.length + 1L);
            MemorySegment.copy(image, 0, segment, JAVA_BYTE, 0, image.length);
            MemorySegment module = dev.driver.loadModule(segment, "loading the kernels of " + program.name());
            for (Command c : plan.commands()) {
                if (c instanceof LaunchPlan.Launch l && !functions.containsKey(l.kernel())) {
                    functions.put(l.kernel(), dev.driver.function(module, l.kernel(), "loading " + program.name()));
                }
            }
        }
    }

    LaunchPlan plan() { return plan; }

    /** The ops of this program that run on the host (no GPU kernel yet), in order. */
    List<String> hostOps() { return plan.hostOps(); }

    /** Calls so far, bodies replayed from a graph, graphs captured (tests and the debug output). */
    synchronized long[] counts() { return new long[]{calls, replays, captures}; }

    @Override
    public synchronized List<Array> execute(List<ArrayImpl> args) {
        // one stream per device: while a call queues (or captures) its work no other thread may queue on it
        synchronized (dev) {
            return queue(args);
        }
    }

    private List<Array> queue(List<ArrayImpl> args) {
        try {
            dev.makeCurrent();
            calls++;
            Call call = new Call(args);
            for (Command c : plan.commands()) if (c instanceof LaunchPlan.CopyIn in) call.copyIn(in);
            runBody(call);
            for (Command c : plan.commands()) if (c instanceof LaunchPlan.CopyOut out) call.copyOut(out);
            dev.queued(program.name());
            return call.results();
        } catch (Jax4jException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new Jax4jException("cuda backend: running " + program.name() + " failed: " + e.getMessage(), e);
        }
    }

    private void runBody(Call call) {
        if (!plan.capturable()) {
            for (Command c : plan.body()) enqueue(c, call);
            return;
        }
        AddressKey key = new AddressKey(call.address);
        Graph g = graphs.get(key);
        if (g == null && seenOnce.remove(key)) {
            g = capture(call);
            graphs.put(key, g);
            if (graphs.size() > MAX_GRAPHS) {
                var eldest = graphs.entrySet().iterator().next();
                graphs.remove(eldest.getKey());
                dev.driver.destroyGraph(eldest.getValue().exec(), "dropping a CUDA graph of " + program.name());
            }
        }
        if (g != null) {
            replays++;
            dev.driver.graphLaunch(g.exec(), dev.stream, "replaying the CUDA graph of " + program.name());
            return;
        }
        seenOnce.add(key);
        if (seenOnce.size() > MAX_GRAPHS) seenOnce.removeFirst();
        for (Command c : plan.body()) enqueue(c, call);
    }

    /** Records the body (launches, GEMMs, fills) with this call's addresses into one graph. */
    private Graph capture(Call call) {
        String what = "capturing " + program.name() + " into a CUDA graph";
        captures++;
        dev.driver.beginCapture(dev.stream, what);
        MemorySegment exec;
        try {
            for (Command c : plan.body()) enqueue(c, call);
        } finally {
            exec = dev.driver.endCapture(dev.stream, what);
        }
        if (Debug.LEVEL >= 3) System.err.println("[jax4j] " + program.name() + ": captured a CUDA graph of " + plan.body().size() + " commands");
        return new Graph(exec);
    }

    private void enqueue(Command c, Call call) {
        switch (c) {
            case LaunchPlan.Launch l -> dev.driver.launch(functions.get(l.kernel()), l.grid(), l.block(), dev.stream, call.kernelParams,
                    "launching kernel " + l.kernel() + " of " + program.name());
            case LaunchPlan.Gemm g -> dev.cublas.gemm(g.call(), call.address, precision, g.what() + " in " + program.name());
            case LaunchPlan.Zero z -> {
                if (z.bytes() > 0) dev.driver.zero(call.address[z.slot()], z.bytes(), dev.stream, program.name());
            }
            case LaunchPlan.Host h -> host(h, call);
            case LaunchPlan.AllReduce r -> {
                if (r.count() > 0) dev.nccl().allReduce(call.address[r.in()], call.address[r.out()], r.count(), r.dtype(), r.op(), dev.stream,
                        "the process all-reduce in " + program.name());
            }
            case LaunchPlan.CopyIn in -> call.copyIn(in);
            case LaunchPlan.CopyOut out -> call.copyOut(out);
        }
    }

    /** Runs a host op: its operands come down, its reference implementation runs, its results go up. */
    private void host(LaunchPlan.Host h, Call call) {
        String what = "host op " + h.eqn().primitive().name() + " in " + program.name();
        MemoryPlan mem = program.memory();
        dev.synchronize(what);
        List<ArrayImpl> in = new ArrayList<>();
        for (Atom a : h.eqn().inputs()) {
            if (a instanceof Literal l) {
                in.add(l.value());
                continue;
            }
            ShapedArray aval = a.aval();
            ArrayImpl x = ArrayImpl.allocateUninitialized(aval);
            long bytes = LaunchPlan.bytes(aval);
            if (bytes > 0) dev.driver.copyToHost(x.segment(), call.address[mem.slotOf.get((Var) a)], bytes, dev.stream, what);
            in.add(x);
        }
        dev.synchronize(what);
        List<Array> r = EvalTrace.INSTANCE.run(() -> h.eqn().primitive().impl(h.eqn().params(), in));
        var outs = h.eqn().outvars();
        for (int k = 0; k < outs.size(); k++) {
            ArrayImpl y = r.get(k).concrete(what);
            long bytes = LaunchPlan.bytes(outs.get(k).aval());
            if (bytes > 0) dev.driver.copyToDevice(call.address[mem.slotOf.get(outs.get(k))], y.segment(), bytes, dev.stream, what);
        }
        dev.synchronize(what);
    }

    /** One call's bindings: every slot's address, the kernels' parameter block, the output buffers. */
    private final class Call {
        final List<ArrayImpl> args;
        final long[] address = new long[plan.slotCount()];
        final CudaBuffer[] outBuffer = new CudaBuffer[program.memory().outs.size()];
        final ArrayImpl[] donatedTo = new ArrayImpl[program.memory().outs.size()];
        final MemorySegment kernelParams;

        Call(List<ArrayImpl> args) {
            this.args = args;
            MemoryPlan mem = program.memory();
            Binding[] bind = plan.bindings();
            for (int s = 0; s < bind.length; s++) {
                switch (bind[s]) {
                    case InArena a -> address[s] = arena + a.offset();
                    case InputBuffer i -> address[s] = deviceAddress(i.arg());
                    case OutputBuffer o -> address[s] = o.donor() >= 0 && donatable(o.donor()) ? donate(o, s) : fresh(o, s);
                    case AliasOf a -> { }
                }
            }
            for (int s = 0; s < bind.length; s++) if (bind[s] instanceof AliasOf a) address[s] = address[a.base()];
            // the slot table, by value: cuLaunchKernel (and stream capture) copy it, so it may go with this call
            Arena params = Arena.ofAuto();
            MemorySegment table = params.allocate(tableBytes, 8);
            for (int s = 0; s < address.length; s++) table.setAtIndex(JAVA_LONG, s, address[s]);
            kernelParams = params.allocate(ADDRESS);
            kernelParams.set(ADDRESS, 0, table);
            assert mem.outs.size() == outBuffer.length;
        }

        /** Argument {@code arg}'s device address: its device buffer, or its upload (kept with the array for later calls). */
        private long deviceAddress(int arg) {
            ArrayImpl a = args.get(arg);
            if (a.deviceBuffer() instanceof CudaBuffer b) return b.address;
            long bytes = LaunchPlan.bytes(a.aval());
            CudaBuffer b = dev.buffer(bytes, "argument " + arg + " (" + a.aval().str() + ") of " + program.name());
            if (bytes > 0) dev.driver.copyToDevice(b.address, a.segment(), bytes, dev.stream, "uploading argument " + arg + " of " + program.name());
            if (a.cacheDeviceCopy(b)) return b.address;
            b.free();  // another thread cached one first (a host array keeps one device copy)
            return ((CudaBuffer) a.deviceBuffer()).address;
        }

        /** A donated argument is written in place unless it is passed twice (then its other use still reads it). */
        private boolean donatable(int arg) {
            ArrayImpl a = args.get(arg);
            for (int i = 0; i < args.size(); i++) if (i != arg && args.get(i) == a) return false;
            return true;
        }

        private long donate(OutputBuffer o, int slot) {
            long address = deviceAddress(o.donor());
            ShapedArray aval = program.memory().slots.get(slot).var().aval();
            donatedTo[o.out()] = args.get(o.donor()).moveDeviceBufferTo(aval, "donation to jit(" + program.name() + ")");
            return address;
        }

        private long fresh(OutputBuffer o, int slot) {
            ShapedArray aval = program.memory().slots.get(slot).var().aval();
            CudaBuffer b = dev.buffer(LaunchPlan.bytes(aval), "output " + o.out() + " (" + aval.str() + ") of " + program.name());
            outBuffer[o.out()] = b;
            return b.address;
        }

        void copyIn(LaunchPlan.CopyIn in) {
            if (in.bytes() == 0) return;
            ArrayImpl a = args.get(in.arg());
            String what = "copying argument " + in.arg() + " into " + program.name();
            if (a.deviceBuffer() instanceof CudaBuffer b) dev.driver.copyOnDevice(address[in.slot()], b.address, in.bytes(), dev.stream, what);
            else dev.driver.copyToDevice(address[in.slot()], a.segment(), in.bytes(), dev.stream, what);
        }

        void copyOut(LaunchPlan.CopyOut out) {
            CudaBuffer b = dev.buffer(out.bytes(), "output " + out.out() + " of " + program.name());
            outBuffer[out.out()] = b;
            if (out.bytes() > 0) dev.driver.copyOnDevice(b.address, address[out.slot()], out.bytes(), dev.stream,
                    "copying output " + out.out() + " of " + program.name());
        }

        List<Array> results() {
            MemoryPlan mem = program.memory();
            Array[] out = new Array[mem.outs.size()];
            for (int k = 0; k < out.length; k++) {
                MemoryPlan.Out o = mem.outs.get(k);
                if (o.duplicateOf() >= 0) out[k] = out[o.duplicateOf()];
                else if (o.literal() != null) out[k] = o.literal().withAval(o.literal().aval());
                else if (o.kind() == Kind.INPUT) out[k] = passThrough(args.get(o.arg()), mem.slots.get(o.slot()).var().aval(), k);
                else if (donatedTo[k] != null) out[k] = donatedTo[k];
                else out[k] = ArrayImpl.onDevice(mem.slots.get(o.slot()).var().aval(), outBuffer[k]);
            }
            return Arrays.asList(out);
        }

        /** An input returned as an output: a new array with the same data, on the device if the input is there. */
        private ArrayImpl passThrough(ArrayImpl in, ShapedArray aval, int k) {
            DeviceBuffer d = in.deviceBuffer();
            if (!(d instanceof CudaBuffer src)) return in.withAval(aval);
            long bytes = LaunchPlan.bytes(aval);
            CudaBuffer b = dev.buffer(bytes, "output " + k + " of " + program.name());
            if (bytes > 0) dev.driver.copyOnDevice(b.address, src.address, bytes, dev.stream, "copying output " + k + " of " + program.name());
            return ArrayImpl.onDevice(aval, b);
        }
    }
}
