package io.jax4j.xla.cpu;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.ShapedArray;
import io.jax4j.core.ArrayImpl;
import io.jax4j.core.EvalTrace;
import io.jax4j.core.Jax4jException;
import io.jax4j.ir.Atom;
import io.jax4j.ir.Eqn;
import io.jax4j.ir.Literal;
import io.jax4j.ir.Var;
import io.jax4j.prims.LinearAlgebra.DotParams;
import io.jax4j.spi.Executable;
import io.jax4j.xla.internal.ConvSpec;
import io.jax4j.xla.internal.GemmSpec;
import io.jax4j.xla.internal.KernelPlan;
import io.jax4j.xla.internal.Lowering.Program;
import io.jax4j.xla.internal.MemoryPlan;
import io.jax4j.xla.internal.MemoryPlan.Kind;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Arrays;
import java.util.List;

/**
 * A lowered program ready to run: every step is precomputed into an {@link Op}, every buffer has a
 * slot. A call takes a {@link Frame} (the slot table and the scratch blocks, reused across calls),
 * binds the inputs and freshly allocated outputs to their slots, runs the ops and returns the outputs.
 */
final class CpuExecutable implements Executable {
    @FunctionalInterface
    interface Op { void run(Frame f) throws Throwable; }

    private final Program program;
    private final MemoryPlan mem;
    private final int[] inputSlot;
    private final int[] outputSlots;
    private final ShapedArray[] outputAvals;
    private final int[][] donations;  // {output slot, argument}
    /** The idle frame, reused by the next call (a concurrent call makes its own; one of them is kept). */
    private final java.util.concurrent.atomic.AtomicReference<Frame> idle = new java.util.concurrent.atomic.AtomicReference<>();

    /** The kernel library (null when the program has no generated kernel) and the ops built on its current load. */
    private final KernelLibraries.Library library;
    private volatile Ops built;

    private record Ops(java.lang.foreign.SymbolLookup lookup, Op[] ops) {}

    CpuExecutable(Program program, KernelLibraries.Library library) {
        this.program = program;
        this.mem = program.memory();
        this.library = library;
        if (library == null) {
            built = new Ops(null, buildOps(null));
        } else {
            java.lang.foreign.SymbolLookup lookup = library.acquire();   // compile errors surface here, not at the first call
            try {
                built = new Ops(lookup, buildOps(lookup));
            } finally {
                library.release();
            }
        }
        var invars = program.plan().jaxpr().invars();
        inputSlot = new int[invars.size()];
        for (int i = 0; i < inputSlot.length; i++) inputSlot[i] = mem.slotOf.get(invars.get(i));
        outputSlots = mem.slots.stream().filter(s -> s.kind() == Kind.OUTPUT).mapToInt(MemoryPlan.Slot::index).toArray();
        outputAvals = Arrays.stream(outputSlots).mapToObj(s -> mem.slots.get(s).var().aval()).toArray(ShapedArray[]::new);
        donations = mem.donation.entrySet().stream().map(e -> new int[]{e.getKey(), e.getValue()}).toArray(int[][]::new);
    }

    /** One op per step of the plan; the generated kernels' symbols from {@code lib}. */
    private Op[] buildOps(java.lang.foreign.SymbolLookup lib) {
        List<KernelPlan.Step> steps = program.plan().steps();
        Op[] ops = new Op[steps.size()];
        for (int s = 0; s < steps.size(); s++) {
            ops[s] = switch (steps.get(s)) {
                case KernelPlan.Fused f -> kernel(lib, program.kernelOfStep().get(s).name());
                case KernelPlan.Gemm g -> gemm(g.eqn());
                case KernelPlan.Host h -> host(h.eqn());
                case KernelPlan.Alias a -> alias(mem.slotOf.get(a.out()), mem.slotOf.get(a.base()));
                case KernelPlan.Native n -> kernel(lib, n.name());
                case KernelPlan.Conv c -> conv(lib, c);
            };
        }
        return ops;
    }

    /** The ops on the library's current load (rebuilt after it was unloaded and loaded again). */
    private Op[] ops(java.lang.foreign.SymbolLookup lookup) {
        Ops b = built;
        if (b.lookup() == lookup) return b.ops();
        synchronized (this) {
            b = built;
            if (b.lookup() != lookup) built = b = new Ops(lookup, buildOps(lookup));
            return b.ops();
        }
    }

    // ---------------------------------------------------------------- ops

    private static Op kernel(java.lang.foreign.SymbolLookup lib, String symbol) {
        MethodHandle h = Linker.nativeLinker().downcallHandle(lib.find(symbol).orElseThrow(),
                FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
        return f -> {
            h.invokeExact(f.table);
        };
    }

    private Op gemm(Eqn e) {
        GemmSpec g = GemmSpec.of((DotParams) e.params(), e.inputs().get(0).aval().dims(), e.inputs().get(1).aval().dims());
        if (g == null) throw new IllegalStateException("dot_general layout not canonicalised: " + e);
        int a = slotOfAtom(e.inputs().get(0)), b = slotOfAtom(e.inputs().get(1)), c = mem.slotOf.get(e.outvars().head());
        boolean f32 = e.outvars().head().aval().dtype() == DType.F32;
        long item = f32 ? 4 : 8;
        long sa = (long) g.m() * g.k() * item, sb = (long) g.k() * g.n() * item, sc = (long) g.m() * g.n() * item;
        int ldc = Math.max(1, g.n());
        return f -> {
            MemorySegment A = f.segs[a], B = f.segs[b], C = f.segs[c];
            if (g.m() == 0 || g.n() == 0) return;
            if (g.k() == 0) {
                C.fill((byte) 0);
                return;
            }
            for (long i = 0; i < g.batch(); i++) {
                MemorySegment ai = i == 0 ? A : MemorySegment.ofAddress(A.address() + i * sa);
                MemorySegment bi = i == 0 ? B : MemorySegment.ofAddress(B.address() + i * sb);
                MemorySegment ci = i == 0 ? C : MemorySegment.ofAddress(C.address() + i * sc);
                if (f32) Blas.sgemm(g.transA(), g.transB(), g.m(), g.n(), g.k(), ai, g.lda(), bi, g.ldb(), ci, ldc);
                else Blas.dgemm(g.transA(), g.transB(), g.m(), g.n(), g.k(), ai, g.lda(), bi, g.ldb(), ci, ldc);
            }
        };
    }

    /**
     * A convolution by {@link ConvSpec.Method}: im2col (a generated kernel) into the scratch column matrix
     * then one GEMM per group (plain or reading the columns transposed); the kernel reordered, one
     * wide GEMM on the input in place, and the gather of the taps' contributions; or one direct kernel
     * that is the whole convolution (forward, input gradient or weight gradient).
     */
    private Op conv(java.lang.foreign.SymbolLookup lib, KernelPlan.Conv c) {
        Op im2col = c.reusesCol() ? f -> {} : kernel(lib, c.name());
        ConvSpec s = c.spec();
        Op gather = s.method() == ConvSpec.Method.GEMM_THEN_GATHER ? kernel(lib, c.name() + "_g") : null;
        int x = slotOfAtom(c.eqn().inputs().get(0));
        int col = mem.slotOf.get(c.col()), w = slotOfAtom(c.eqn().inputs().get(1)), y = mem.slotOf.get(c.eqn().outvars().head());
        boolean f32 = c.col().aval().dtype() == DType.F32;
        long item = f32 ? 4 : 8;
        int m = Math.toIntExact(s.m()), n = s.o() / s.groups(), k = s.k(), o = s.o();
        return f -> {
            if (m == 0 || n == 0) return;
            if (k == 0) {
                f.segs[y].fill((byte) 0);
                return;
            }
            if (s.method() == ConvSpec.Method.DIRECT || s.method() == ConvSpec.Method.DIRECT_WEIGHTS) {
                im2col.run(f);  // the whole convolution
                return;
            }
            long t0 = PROFILE ? System.nanoTime() : 0;
            im2col.run(f);
            if (PROFILE) IM2COL_NANOS.addAndGet(System.nanoTime() - t0);
            if (gather != null) {
                // contributions z[position][tap][out] = x[position][in] · wp[in][tap][out], then their gather into y
                MemorySegment Z = MemorySegment.ofAddress(f.segs[col].address() + s.kernelSize() * item);
                int wide = s.taps() * s.o();
                if (f32) Blas.sgemm(false, false, m, wide, k, f.segs[x], k, f.segs[col], wide, Z, wide);
                else Blas.dgemm(false, false, m, wide, k, f.segs[x], k, f.segs[col], wide, Z, wide);
                long t1 = PROFILE ? System.nanoTime() : 0;
                gather.run(f);
                if (PROFILE) IM2COL_NANOS.addAndGet(System.nanoTime() - t1);
                return;
            }
            MemorySegment A = f.segs[col], B = f.segs[w], C = f.segs[y];
            boolean t = s.transposed();
            int lda = t ? m : k;
            for (int g = 0; g < s.groups(); g++) {
                MemorySegment ag = g == 0 ? A : MemorySegment.ofAddress(A.address() + (long) g * m * k * item);
                MemorySegment bg = g == 0 ? B : MemorySegment.ofAddress(B.address() + (long) g * n * item);
                MemorySegment cg = g == 0 ? C : MemorySegment.ofAddress(C.address() + (long) g * n * item);
                if (f32) Blas.sgemm(t, false, m, n, k, ag, lda, bg, o, cg, o);
                else Blas.dgemm(t, false, m, n, k, ag, lda, bg, o, cg, o);
            }
        };
    }

    /** A primitive with no kernel: its reference implementation on arrays (copied out of scratch if needed). */
    private Op host(Eqn e) {
        int n = e.inputs().size();
        int[] slots = new int[n];
        ArrayImpl[] literals = new ArrayImpl[n];
        ShapedArray[] avals = new ShapedArray[n];
        for (int i = 0; i < n; i++) {
            Atom a = e.inputs().get(i);
            avals[i] = a.aval();
            if (a instanceof Literal l) literals[i] = l.value();
            else slots[i] = mem.slotOf.get((Var) a);
        }
        int[] outs = e.outvars().toJavaStream().mapToInt(mem.slotOf::get).toArray();
        return f -> {
            ArrayImpl[] in = new ArrayImpl[n];
            for (int i = 0; i < n; i++) in[i] = literals[i] != null ? literals[i] : f.array(slots[i], avals[i]);
            List<Array> r = EvalTrace.INSTANCE.run(() -> e.primitive().impl(e.params(), Arrays.asList(in)));
            for (int k = 0; k < outs.length; k++) f.bind(outs[k], r.get(k).concrete("host op " + e.primitive().name()));
        };
    }

    private static Op alias(int out, int base) {
        return f -> {
            f.segs[out] = f.segs[base];
            f.arrays[out] = null;
            f.table.setAtIndex(ValueLayout.ADDRESS, out, f.segs[base]);
        };
    }

    private int slotOfAtom(Atom a) { return mem.slotOf.get((Var) a); }

    // ---------------------------------------------------------------- calls

    @Override
    public List<Array> execute(List<ArrayImpl> args) {
        Frame f = idle.getAndSet(null);
        if (f == null) f = new Frame();
        java.lang.foreign.SymbolLookup lookup = library == null ? null : library.acquire();
        try {
            Op[] ops = ops(lookup);
            for (int i = 0; i < inputSlot.length; i++) f.bind(inputSlot[i], args.get(i));
            for (int[] d : donations) donate(f, args, d[0], d[1]);
            for (int k = 0; k < outputSlots.length; k++) {
                if (f.arrays[outputSlots[k]] == null) f.bind(outputSlots[k], ArrayImpl.allocateUninitialized(outputAvals[k]));
            }
            if (PROFILE) runProfiled(f, ops);
            else for (Op op : ops) op.run(f);
            return results(f, args);
        } catch (Jax4jException e) {
            throw e;
        } catch (Throwable t) {
            throw new Jax4jException("cpu backend: running " + program.name() + " failed: " + t, t);
        } finally {
            if (library != null) library.release();
            f.release();
            idle.set(f);
        }
    }

    /** {@code -Djax4j.profile=true}: per-step wall time, printed at exit (a developer tool). */
    static final boolean PROFILE = Boolean.getBoolean("jax4j.profile");
    static final java.util.concurrent.atomic.AtomicLong IM2COL_NANOS = new java.util.concurrent.atomic.AtomicLong();
    private long[] stepNanos;
    private long calls;

    private void runProfiled(Frame f, Op[] ops) throws Throwable {
        synchronized (this) {
            if (stepNanos == null) {
                stepNanos = new long[ops.length];
                Runtime.getRuntime().addShutdownHook(new Thread(this::printProfile));
            }
            calls++;
        }
        for (int s = 0; s < ops.length; s++) {
            long t0 = System.nanoTime();
            ops[s].run(f);
            stepNanos[s] += System.nanoTime() - t0;
        }
    }

    private void printProfile() {
        StringBuilder sb = new StringBuilder("[jax4j] profile of " + program.name() + " over " + calls + " calls (us per call):\n");
        String[] lines = program.plan().toString().split("\n");
        long total = 0;
        for (long t : stepNanos) total += t;
        for (int s = 0; s < stepNanos.length; s++) {
            sb.append(String.format("%10.1f  %s%n", stepNanos[s] / 1e3 / calls, lines[s + 1].strip()));
        }
        sb.append(String.format("%10.1f  total (of which im2col, all executables: %.1f)%n", total / 1e3 / calls, IM2COL_NANOS.get() / 1e3 / calls));
        System.err.print(sb);
    }

    /** Hands donated argument {@code arg}'s buffer to output slot {@code slot}, unless it is passed twice. */
    private void donate(Frame f, List<ArrayImpl> args, int slot, int arg) {
        ArrayImpl a = args.get(arg);
        for (int i = 0; i < args.size(); i++) if (i != arg && args.get(i) == a) return;
        ArrayImpl moved = a.moveTo(mem.slots.get(slot).var().aval(), "donation to jit(" + program.name() + ")");
        f.bind(slot, moved);
        f.bind(inputSlot[arg], moved);
    }

    private List<Array> results(Frame f, List<ArrayImpl> args) {
        Array[] out = new Array[mem.outs.size()];
        for (int k = 0; k < out.length; k++) {
            MemoryPlan.Out o = mem.outs.get(k);
            if (o.duplicateOf() >= 0) out[k] = out[o.duplicateOf()];
            else if (o.literal() != null) out[k] = o.literal().withAval(o.literal().aval());
            else if (o.kind() == Kind.INPUT) out[k] = args.get(o.arg()).withAval(mem.slots.get(o.slot()).var().aval());
            else {
                ArrayImpl a = f.arrays[o.slot()];
                ShapedArray want = mem.slots.get(o.slot()).var().aval();
                out[k] = a.aval().equals(want) ? a : a.withAval(want);
            }
        }
        return Arrays.asList(out);
    }

    /** The per-call state: the slot table the kernels read, segments and arrays by slot, scratch blocks. */
    final class Frame {
        final MemorySegment table;
        final MemorySegment[] segs;
        final ArrayImpl[] arrays;

        Frame() {
            Arena arena = Arena.ofAuto();
            int n = mem.slots.size();
            table = arena.allocate(ValueLayout.ADDRESS, Math.max(1, n));
            segs = new MemorySegment[n];
            arrays = new ArrayImpl[n];
            MemorySegment[] blocks = new MemorySegment[mem.blockBytes.size()];
            for (int b = 0; b < blocks.length; b++) blocks[b] = arena.allocate(mem.blockBytes.get(b), 64);
            for (MemoryPlan.Slot s : mem.slots) {
                if (s.kind() != Kind.SCRATCH) continue;
                segs[s.index()] = blocks[s.ref()];
                table.setAtIndex(ValueLayout.ADDRESS, s.index(), segs[s.index()]);
            }
        }

        void bind(int slot, ArrayImpl a) {
            arrays[slot] = a;
            segs[slot] = a.segment();
            table.setAtIndex(ValueLayout.ADDRESS, slot, segs[slot]);
        }

        /** The value of a slot as an array (a copy for scratch and aliased buffers). */
        ArrayImpl array(int slot, ShapedArray aval) {
            ArrayImpl a = arrays[slot];
            if (a != null) return a;
            ArrayImpl copy = ArrayImpl.allocate(aval);
            MemorySegment.copy(segs[slot], 0, copy.segment(), 0, aval.size() * aval.dtype().byteSize());
            return copy;
        }

        /** Drops the references to this call's arrays (scratch stays). */
        void release() {
            for (MemoryPlan.Slot s : mem.slots) if (s.kind() != Kind.SCRATCH) {
                arrays[s.index()] = null;
                segs[s.index()] = null;
            }
        }
    }
}
