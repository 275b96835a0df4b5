package io.jax4j.xla.cuda;

import io.jax4j.DType;
import io.jax4j.ShapedArray;
import io.jax4j.ir.Eqn;
import io.jax4j.ir.Var;
import io.jax4j.prims.LinearAlgebra.DotParams;
import io.jax4j.xla.internal.ConvSpec;
import io.jax4j.xla.internal.CudaDialect;
import io.jax4j.xla.internal.GemmSpec;
import io.jax4j.xla.internal.KernelIR.Kernel;
import io.jax4j.xla.internal.KernelPlan;
import io.jax4j.xla.internal.Lowering.Program;
import io.jax4j.xla.internal.MemoryPlan;
import io.jax4j.xla.internal.MemoryPlan.Kind;
import io.jax4j.xla.internal.NativeKernels;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A lowered program laid out for the device, as data (no device needed, so it is unit-tested): where
 * every slot's buffer is bound on a call, the arena of scratch memory the executable keeps, and the
 * commands one call runs.
 *
 * <p>Inputs and outputs live in their arrays' own device buffers, as in JAX: a call reads its inputs
 * where they are and writes each output into a fresh buffer (or a donated input's), so arrays stay
 * on the device from call to call. Only small ones (at most {@link #STAGE_MAX} bytes: a batch, a
 * loss) are <em>staged</em>: copied into the arena before the body runs or out of it after, so that
 * the body's pointers are the same on every call of a training loop and one CUDA graph replays it.
 * Intermediates, host-op results and staged values have fixed arena offsets; a reshape aliases its
 * base's buffer.
 *
 * <p>The commands: {@link CopyIn}s, the body ({@link Launch}, {@link Gemm}, {@link Zero},
 * {@link AllReduce} on NCCL, {@link Host}), then {@link CopyOut}s. A body without host ops is
 * {@link #capturable()} into a graph.
 */
public record LaunchPlan(List<Command> commands, Binding[] bindings, long arenaBytes, int[] inputSlot) {
    /** Device allocations are aligned to this many bytes (cuBLAS and 16-byte vector loads need far less). */
    public static final long ALIGN = 256;
    /** Inputs and outputs of at most this many bytes are staged through the arena (see the class comment). */
    public static final long STAGE_MAX = 1L << 20;
    /**
     * Kernels take the slot table by value (every buffer's address, 8 bytes each), so a call binds new
     * buffers without writing device memory; CUDA 12.1+ allows 32,764 bytes of kernel parameters.
     */
    public static final int MAX_SLOTS = 4000;

    /** Where slot {@code s}'s buffer is on a call. */
    public sealed interface Binding permits InArena, InputBuffer, OutputBuffer, AliasOf {}

    /** At a fixed offset in the executable's arena: scratch, a host op's result, a staged input or output. */
    public record InArena(long offset) implements Binding {}

    /** Argument {@code arg}'s own device buffer. */
    public record InputBuffer(int arg) implements Binding {}

    /** Output {@code out}'s fresh buffer, or donated argument {@code donor}'s buffer ({@code donor} >= 0). */
    public record OutputBuffer(int out, int donor) implements Binding {}

    /** The buffer of slot {@code base} (a reshape). */
    public record AliasOf(int base) implements Binding {}

    public sealed interface Command permits CopyIn, Launch, Gemm, Zero, Host, AllReduce, CopyOut {}

    /** A staged input: argument {@code arg} (on the device or the host) into its arena slot, before the body. */
    public record CopyIn(int arg, int slot, long bytes) implements Command {}

    public record Launch(String kernel, int grid, int block) implements Command {}

    /**
     * A product on cuBLAS over slots {@code a}, {@code b}, {@code c} (each at a byte offset into its
     * buffer: a convolution's group, its contributions after the reordered kernel); strides are in
     * elements, {@code ldc} is C's row stride.
     */
    public record GemmCall(GemmSpec spec, int a, int b, int c, boolean f32, long strideA, long strideB, long strideC,
                           long offsetA, long offsetB, long offsetC, int ldc) {
        /** A dot_general: whole buffers, C's rows dense. */
        GemmCall(GemmSpec spec, int a, int b, int c, boolean f32, long strideA, long strideB, long strideC) {
            this(spec, a, b, c, f32, strideA, strideB, strideC, 0, 0, 0, Math.max(1, spec.n()));
        }
    }

    public record Gemm(GemmCall call, String what) implements Command {}

    /** Zero-fill (a GEMM with an empty contraction). */
    public record Zero(int slot, long bytes) implements Command {}

    /** A primitive with no kernel: its inputs come down, its reference implementation runs, its results go up. */
    public record Host(int step, Eqn eqn) implements Command {}

    /**
     * {@code process_allreduce} on the device: NCCL reduces slot {@code in} over the processes into slot
     * {@code out} on the stream (a pmap axis across processes; capturable into the step's graph).
     */
    public record AllReduce(int in, int out, long count, DType dtype, String op) implements Command {}

    /** Output {@code out}, computed in slot {@code slot} (staged, an alias, a host op's result), into its fresh buffer, after the body. */
    public record CopyOut(int out, int slot, long bytes) implements Command {}

    public boolean capturable() { return commands.stream().noneMatch(c -> c instanceof Host); }

    public long launches() { return commands.stream().filter(c -> c instanceof Launch).count(); }

    public int slotCount() { return bindings.length; }

    /** The body: what a CUDA graph holds (copies in and out bind per-call buffers, so they run around it). */
    public List<Command> body() { return commands.stream().filter(c -> !(c instanceof CopyIn) && !(c instanceof CopyOut)).toList(); }

    /** The host ops, one line each ({@code jax4j info} and the debug output say which ops leave the device). */
    public List<String> hostOps() {
        return commands.stream().filter(c -> c instanceof Host).map(c -> ((Host) c).eqn().primitive().name()).toList();
    }

    public static LaunchPlan of(Program p, int sms) {
        MemoryPlan mem = p.memory();
        KernelPlan plan = p.plan();
        int n = mem.slots.size();
        if (n > MAX_SLOTS) {
            throw new IllegalStateException("cuda backend: " + p.name() + " has " + n + " buffers, more than the " + MAX_SLOTS
                    + " a kernel's parameters can address; split the function into several jitted ones");
        }
        var invars = plan.jaxpr().invars();
        int[] inputSlot = new int[invars.size()];
        for (int i = 0; i < inputSlot.length; i++) inputSlot[i] = mem.slotOf.get(invars.get(i));
        Set<Integer> donors = Set.copyOf(mem.donation.values());
        int[] outOfSlot = new int[n];
        java.util.Arrays.fill(outOfSlot, -1);
        for (int k = 0; k < mem.outs.size(); k++) {
            MemoryPlan.Out o = mem.outs.get(k);
            if (o.duplicateOf() < 0 && o.literal() == null && o.kind() == Kind.OUTPUT) outOfSlot[o.slot()] = k;
        }
        Binding[] bind = new Binding[n];
        long[] blockOff = new long[mem.blockBytes.size()];
        long cursor = 0;
        for (int b = 0; b < blockOff.length; b++) {
            blockOff[b] = cursor;
            cursor += align(mem.blockBytes.get(b));
        }
        List<Command> copyIns = new ArrayList<>();
        for (MemoryPlan.Slot s : mem.slots) {
            long bytes = bytes(s.var().aval());
            bind[s.index()] = switch (s.kind()) {
                case SCRATCH -> new InArena(blockOff[s.ref()]);
                case ALIAS -> new AliasOf(s.ref());
                case HOST -> new InArena(cursor);
                case INPUT -> bytes <= STAGE_MAX && !donors.contains(s.ref()) ? new InArena(cursor) : new InputBuffer(s.ref());
                case OUTPUT -> {
                    Integer donor = mem.donation.get(s.index());
                    yield donor != null ? new OutputBuffer(outOfSlot[s.index()], donor)
                            : bytes <= STAGE_MAX ? new InArena(cursor) : new OutputBuffer(outOfSlot[s.index()], -1);
                }
            };
            if (bind[s.index()] instanceof InArena a && s.kind() != Kind.SCRATCH) cursor += align(bytes);
            if (s.kind() == Kind.INPUT && bind[s.index()] instanceof InArena) copyIns.add(new CopyIn(s.ref(), s.index(), bytes));
        }
        List<Command> cmds = new ArrayList<>(copyIns);
        List<KernelPlan.Step> steps = plan.steps();
        for (int s = 0; s < steps.size(); s++) {
            switch (steps.get(s)) {
                case KernelPlan.Fused f -> {
                    Kernel k = p.kernelOfStep().get(s);
                    CudaDialect.LaunchShape shape = CudaDialect.launchShape(k, sms);
                    cmds.add(new Launch(k.name(), shape.grid(), shape.block()));
                }
                case KernelPlan.Gemm g -> gemm(g.eqn(), mem, cmds);
                case KernelPlan.Host h -> cmds.add(allReduceOrHost(s, h.eqn(), mem));
                case KernelPlan.Native nat -> {
                    // pooling windows and their gradients, threefry: one dedicated kernel each
                    if (NativeKernels.scatters(nat.eqn())) {
                        Var out = nat.eqn().outvars().head();
                        cmds.add(new Zero(mem.slotOf.get(out), bytes(out.aval())));
                    }
                    CudaDialect.LaunchShape shape = CudaDialect.gridFor(NativeKernels.iterations(nat.eqn()), sms);
                    cmds.add(new Launch(nat.name(), shape.grid(), shape.block()));
                }
                case KernelPlan.Conv c -> conv(s, c, mem, cmds, sms);
                case KernelPlan.Alias a -> { }
            }
        }
        for (int k = 0; k < mem.outs.size(); k++) {
            MemoryPlan.Out o = mem.outs.get(k);
            if (o.duplicateOf() >= 0 || o.literal() != null || o.kind() == Kind.INPUT) continue;
            if (bind[o.slot()] instanceof OutputBuffer) continue;
            cmds.add(new CopyOut(k, o.slot(), bytes(mem.slots.get(o.slot()).var().aval())));
        }
        return new LaunchPlan(List.copyOf(cmds), bind, Math.max(cursor, ALIGN), inputSlot);
    }

    /**
     * A convolution as {@link io.jax4j.xla.internal.ConvSpec} plans it: the im2col gather (unless an
     * earlier convolution gathered the same columns) and one cuBLAS product per group; or the kernel
     * reordered, one wide product on the input, and the gather of the taps' contributions.
     */
    private static void conv(int step, KernelPlan.Conv c, MemoryPlan mem, List<Command> cmds, int sms) {
        Eqn e = c.eqn();
        ConvSpec s = c.spec();
        boolean direct = s.method() == ConvSpec.Method.DIRECT || s.method() == ConvSpec.Method.DIRECT_WEIGHTS;
        if (direct || !(e.inputs().get(0) instanceof Var x) || !(e.inputs().get(1) instanceof Var w)) {
            cmds.add(new Host(step, e));
            return;
        }
        Var out = e.outvars().head();
        int y = mem.slotOf.get(out), col = mem.slotOf.get(c.col());
        boolean f32 = out.aval().dtype() == DType.F32;
        long item = out.aval().dtype().byteSize();
        int m = Math.toIntExact(s.m()), n = s.o() / s.groups(), k = s.k(), o = s.o();
        if (m == 0 || n == 0) return;
        if (k == 0) {
            cmds.add(new Zero(y, bytes(out.aval())));
            return;
        }
        String what = "conv_general_dilated " + e.inputs().get(0).aval().str() + " * " + e.inputs().get(1).aval().str() + " -> " + out.aval().str();
        if (s.method() == ConvSpec.Method.GEMM_THEN_GATHER) {
            int wide = s.taps() * o;
            cmds.add(launch(c.name(), k, sms));
            cmds.add(new Gemm(new GemmCall(new GemmSpec(1, m, wide, k, false, false, k, wide), mem.slotOf.get(x), col, col, f32, 0, 0, 0,
                    0, 0, s.kernelSize() * item, wide), what + " (contributions)"));
            cmds.add(launch(c.name() + "_g", out.aval().size() / o, sms));
            return;
        }
        boolean t = s.transposed();
        if (!c.reusesCol()) cmds.add(launch(c.name(), (long) s.groups() * (t ? k : m), sms));
        for (int g = 0; g < s.groups(); g++) {
            cmds.add(new Gemm(new GemmCall(new GemmSpec(1, m, n, k, t, false, t ? m : k, o), col, mem.slotOf.get(w), y, f32, 0, 0, 0,
                    (long) g * m * k * item, (long) g * n * item, (long) g * n * item, o), what + (s.groups() > 1 ? " group " + g : "")));
        }
    }

    /** A process all-reduce of a buffer as an NCCL command; any other host op (or one of a literal) as a host op. */
    private static Command allReduceOrHost(int step, Eqn e, MemoryPlan mem) {
        if (e.primitive() != io.jax4j.prims.Collectives.PROCESS_ALLREDUCE || !(e.inputs().head() instanceof Var in)) return new Host(step, e);
        Var out = e.outvars().head();
        return new AllReduce(mem.slotOf.get(in), mem.slotOf.get(out), out.aval().size(), out.aval().dtype(),
                ((io.jax4j.prims.Collectives.ProcessReduceParams) e.params()).op());
    }

    private static Launch launch(String kernel, long iterations, int sms) {
        CudaDialect.LaunchShape shape = CudaDialect.gridFor(iterations, sms);
        return new Launch(kernel, shape.grid(), shape.block());
    }

    private static void gemm(Eqn e, MemoryPlan mem, List<Command> cmds) {
        int[] l = e.inputs().get(0).aval().dims(), r = e.inputs().get(1).aval().dims();
        GemmSpec g = GemmSpec.of((DotParams) e.params(), l, r);
        if (g == null) throw new IllegalStateException("dot_general layout not canonicalised: " + e);
        Var out = e.outvars().head();
        int c = mem.slotOf.get(out);
        if (g.m() == 0 || g.n() == 0) return;
        if (g.k() == 0) {
            cmds.add(new Zero(c, bytes(out.aval())));
            return;
        }
        boolean f32 = out.aval().dtype() == DType.F32;
        int a = mem.slotOf.get((Var) e.inputs().get(0)), b = mem.slotOf.get((Var) e.inputs().get(1));
        String what = "dot_general " + e.inputs().get(0).aval().str() + " x " + e.inputs().get(1).aval().str() + " -> " + out.aval().str();
        cmds.add(new Gemm(new GemmCall(g, a, b, c, f32, (long) g.m() * g.k(), (long) g.k() * g.n(), (long) g.m() * g.n()), what));
    }

    static long bytes(ShapedArray a) { return a.size() * a.dtype().byteSize(); }

    static long align(long b) { return Math.max(ALIGN, (b + ALIGN - 1) / ALIGN * ALIGN); }

    /** One line per command, for debugging ({@code JAX4J_DEBUG=3}) and tests. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("launch plan: " + launches() + " launches, arena " + arenaBytes + " bytes, "
                + (capturable() ? "one CUDA graph" : "not capturable (host ops: " + String.join(", ", hostOps()) + ")") + "\n");
        for (Command c : commands) {
            sb.append("  ").append(switch (c) {
                case CopyIn u -> "copy in  arg " + u.arg() + " -> slot " + u.slot() + " " + where(u.slot()) + " (" + u.bytes() + " B)";
                case Launch l -> "launch   " + l.kernel() + " <<<" + l.grid() + ", " + l.block() + ">>>";
                case Gemm g -> "gemm     " + g.what() + " (batch " + g.call().spec().batch() + ") slots " + g.call().a() + " "
                        + g.call().b() + " -> " + g.call().c() + " " + where(g.call().c());
                case Zero z -> "zero     slot " + z.slot() + " (" + z.bytes() + " B)";
                case Host h -> "host     " + h.eqn().primitive().name();
                case AllReduce r -> "nccl     all-reduce (" + r.op() + ") of " + r.count() + " " + r.dtype().name().toLowerCase() + " slot " + r.in()
                        + " -> " + r.out() + " " + where(r.out());
                case CopyOut d -> "copy out slot " + d.slot() + " " + where(d.slot()) + " -> out " + d.out() + " (" + d.bytes() + " B)";
            }).append('\n');
        }
        return sb.toString();
    }

    private String where(int slot) {
        return switch (bindings[slot]) {
            case InArena a -> "@" + a.offset();
            case InputBuffer i -> "(arg " + i.arg() + "'s buffer)";
            case OutputBuffer o -> o.donor() >= 0 ? "(donated arg " + o.donor() + "'s buffer)" : "(out " + o.out() + "'s buffer)";
            case AliasOf a -> "(alias of slot " + a.base() + ")";
        };
    }
}
