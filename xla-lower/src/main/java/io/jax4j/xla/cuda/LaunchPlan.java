package io.jax4j.xla.cuda;

import io.jax4j.DType;
import io.jax4j.ShapedArray;
import io.jax4j.ir.Eqn;
import io.jax4j.ir.Var;
import io.jax4j.prims.LinearAlgebra.DotParams;
import io.jax4j.xla.internal.CudaDialect;
import io.jax4j.xla.internal.GemmSpec;
import io.jax4j.xla.internal.KernelIR.Kernel;
import io.jax4j.xla.internal.KernelPlan;
import io.jax4j.xla.internal.Lowering.Program;
import io.jax4j.xla.internal.MemoryPlan;
import io.jax4j.xla.internal.MemoryPlan.Kind;

import java.util.ArrayList;
import java.util.List;

/**
 * A lowered program laid out for the device, as data (no device needed, so it is unit-tested): every
 * slot's offset in one device arena (inputs, outputs, scratch blocks shared by liveness, host-op
 * results; a reshape alias and a donated output share their base's offset), the slot table at the
 * arena's start, the pinned host staging offsets of inputs and outputs, and the command list one
 * call runs: uploads, kernel launches with their grid, GEMMs, host ops, downloads. A plan without
 * host ops is one CUDA graph ({@link #capturable}).
 */
public record LaunchPlan(List<Command> commands, long[] slotOffset, long arenaBytes, long stagingBytes, int slotCount) {
    /** Device allocations are aligned to this many bytes (cuBLAS and 16-byte vector loads need far less). */
    public static final long ALIGN = 256;

    public sealed interface Command permits Upload, Launch, Gemm, Zero, Host, Download {}

    /** Input {@code arg}: staging[{@code staging}] to the slot's device buffer. */
    public record Upload(int arg, int slot, long bytes, long staging) implements Command {}

    public record Launch(String kernel, int grid, int block) implements Command {}

    /** A dot_general on cuBLAS; a, b, c are arena offsets; strides are in elements. */
    public record GemmCall(GemmSpec spec, long a, long b, long c, boolean f32, long strideA, long strideB, long strideC) {}

    public record Gemm(GemmCall call, String what) implements Command {}

    /** Zero-fill (a GEMM with an empty contraction). */
    public record Zero(int slot, long bytes) implements Command {}

    /** A primitive with no kernel: its inputs come down, its reference implementation runs, its results go up. */
    public record Host(int step, Eqn eqn) implements Command {}

    /** Output {@code out}'s slot to staging[{@code staging}]. */
    public record Download(int out, int slot, long bytes, long staging) implements Command {}

    public boolean capturable() { return commands.stream().noneMatch(c -> c instanceof Host); }

    public long launches() { return commands.stream().filter(c -> c instanceof Launch).count(); }

    public static LaunchPlan of(Program p, int sms) {
        MemoryPlan mem = p.memory();
        KernelPlan plan = p.plan();
        int n = mem.slots.size();
        long[] off = new long[n];
        long cursor = align(8L * Math.max(1, n));  // the slot table
        long[] blockOff = new long[mem.blockBytes.size()];
        for (int b = 0; b < blockOff.length; b++) {
            blockOff[b] = cursor;
            cursor += align(mem.blockBytes.get(b));
        }
        for (MemoryPlan.Slot s : mem.slots) {
            switch (s.kind()) {
                case SCRATCH -> off[s.index()] = blockOff[s.ref()];
                case ALIAS -> off[s.index()] = off[s.ref()];
                case OUTPUT -> {
                    Integer donor = mem.donation.get(s.index());
                    if (donor != null) off[s.index()] = off[mem.slotOf.get(plan.jaxpr().invars().get(donor))];
                    else {
                        off[s.index()] = cursor;
                        cursor += align(bytes(s.var().aval()));
                    }
                }
                case INPUT, HOST -> {
                    off[s.index()] = cursor;
                    cursor += align(bytes(s.var().aval()));
                }
            }
        }
        List<Command> cmds = new ArrayList<>();
        long staging = 0;
        var invars = plan.jaxpr().invars();
        for (int i = 0; i < invars.size(); i++) {
            int slot = mem.slotOf.get(invars.get(i));
            long b = bytes(invars.get(i).aval());
            cmds.add(new Upload(i, slot, b, staging));
            staging += align(b);
        }
        List<KernelPlan.Step> steps = plan.steps();
        for (int s = 0; s < steps.size(); s++) {
            switch (steps.get(s)) {
                case KernelPlan.Fused f -> {
                    Kernel k = p.kernelOfStep().get(s);
                    CudaDialect.LaunchShape shape = CudaDialect.launchShape(k, sms);
                    cmds.add(new Launch(k.name(), shape.grid(), shape.block()));
                }
                case KernelPlan.Gemm g -> gemm(g.eqn(), mem, off, cmds);
                case KernelPlan.Host h -> cmds.add(new Host(s, h.eqn()));
                // the cpu backend's native kernels (pooling, threefry) and im2col convolutions have no
                // CUDA kernels yet: on the GPU they run as host ops (see docs/gpu.md)
                case KernelPlan.Native nat -> cmds.add(new Host(s, nat.eqn()));
                case KernelPlan.Conv c -> cmds.add(new Host(s, c.eqn()));
                case KernelPlan.Alias a -> { }
            }
        }
        for (int k = 0; k < mem.outs.size(); k++) {
            MemoryPlan.Out o = mem.outs.get(k);
            if (o.duplicateOf() >= 0 || o.literal() != null || o.kind() == Kind.INPUT) continue;
            long b = bytes(mem.slots.get(o.slot()).var().aval());
            cmds.add(new Download(k, o.slot(), b, staging));
            staging += align(b);
        }
        return new LaunchPlan(List.copyOf(cmds), off, Math.max(cursor, ALIGN), Math.max(staging, ALIGN), n);
    }

    private static void gemm(Eqn e, MemoryPlan mem, long[] off, List<Command> cmds) {
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
        cmds.add(new Gemm(new GemmCall(g, off[a], off[b], off[c], f32, (long) g.m() * g.k(), (long) g.k() * g.n(),
                (long) g.m() * g.n()), what));
    }

    static long bytes(ShapedArray a) { return a.size() * a.dtype().byteSize(); }

    static long align(long b) { return Math.max(ALIGN, (b + ALIGN - 1) / ALIGN * ALIGN); }

    /** One line per command, for debugging ({@code JAX4J_DEBUG=3}) and tests. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("launch plan: " + launches() + " launches, arena " + arenaBytes + " bytes, "
                + (capturable() ? "one CUDA graph" : "not capturable (host ops)") + "\n");
        for (Command c : commands) {
            sb.append("  ").append(switch (c) {
                case Upload u -> "upload   arg " + u.arg() + " -> slot " + u.slot() + " @" + slotOffset[u.slot()] + " (" + u.bytes() + " B)";
                case Launch l -> "launch   " + l.kernel() + " <<<" + l.grid() + ", " + l.block() + ">>>";
                case Gemm g -> "gemm     " + g.what() + " (batch " + g.call().spec().batch() + ")";
                case Zero z -> "zero     slot " + z.slot() + " (" + z.bytes() + " B)";
                case Host h -> "host     " + h.eqn().primitive().name();
                case Download d -> "download slot " + d.slot() + " @" + slotOffset[d.slot()] + " -> out " + d.out() + " (" + d.bytes() + " B)";
            }).append('\n');
        }
        return sb.toString();
    }
}
