package io.jax4j.xla.internal;

import io.jax4j.core.ArrayImpl;
import io.jax4j.ir.Atom;
import io.jax4j.ir.Eqn;
import io.jax4j.ir.Jaxpr;
import io.jax4j.ir.Literal;
import io.jax4j.ir.Var;
import io.jax4j.xla.internal.KernelPlan.Alias;
import io.jax4j.xla.internal.KernelPlan.Fused;
import io.jax4j.xla.internal.KernelPlan.Gemm;
import io.jax4j.xla.internal.KernelPlan.Host;
import io.jax4j.xla.internal.KernelPlan.Step;
import io.jax4j.xla.internal.KernelPlan.Native;
import io.jax4j.xla.internal.KernelPlan.Conv;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where every buffer of an executable lives. Inputs and host-op results are the caller's and the
 * reference implementation's arrays; outputs are fresh arrays per call (or a donated input's buffer);
 * intermediates live in scratch blocks that an executable allocates once and reuses on every call.
 * Scratch blocks are shared by liveness: a block is free again after the last step that reads its
 * value, and a later value of at most its size takes it (best fit). Values of one step never share.
 */
public final class MemoryPlan {
    public enum Kind { INPUT, OUTPUT, SCRATCH, HOST, ALIAS }

    /** {@code ref}: the argument index (INPUT), block index (SCRATCH), base slot (ALIAS), else -1. */
    public record Slot(int index, Var var, Kind kind, int ref) {}

    /** How output {@code k} is produced: from a slot, a copy of an input, a literal, or a duplicate. */
    public record Out(Kind kind, int slot, int arg, ArrayImpl literal, int duplicateOf) {}

    public final List<Slot> slots = new ArrayList<>();
    public final Map<Var, Integer> slotOf = new HashMap<>();
    public final List<Long> blockBytes = new ArrayList<>();
    public final List<Out> outs = new ArrayList<>();
    /** Output slot -> donated argument whose buffer it takes. */
    public final Map<Integer, Integer> donation = new HashMap<>();
    final Map<Var, Integer> defStep = new HashMap<>();
    final Map<Var, Integer> lastUse = new HashMap<>();

    public MemoryPlan(KernelPlan plan) {
        Jaxpr j = plan.jaxpr();
        for (int i = 0; i < j.invars().size(); i++) add(j.invars().get(i), Kind.INPUT, i);
        Set<Var> outputVars = new java.util.HashSet<>();
        for (Atom a : j.outvars()) if (a instanceof Var v) outputVars.add(v);
        List<Step> steps = plan.steps();
        for (int s = 0; s < steps.size(); s++) {
            for (Var v : defined(steps.get(s))) defStep.put(v, s);
            for (Var v : read(steps.get(s))) lastUse.merge(v, s, Math::max);
        }
        for (int s = steps.size() - 1; s >= 0; s--) {
            if (steps.get(s) instanceof Alias a) lastUse.merge(a.base(), lastUse.getOrDefault(a.out(), s), Math::max);
        }
        List<long[]> free = new ArrayList<>();  // {block, bytes}
        for (int s = 0; s < steps.size(); s++) {
            Step st = steps.get(s);
            for (Var v : defined(st)) {
                if (st instanceof Host) add(v, Kind.HOST, -1);
                else if (st instanceof Alias a) add(v, Kind.ALIAS, slotOf.get(a.base()));
                else if (outputVars.contains(v)) add(v, Kind.OUTPUT, -1);
                else add(v, Kind.SCRATCH, takeBlock(free, v.aval().size() * v.aval().dtype().byteSize()));
            }
            for (Var v : defined(st)) release(v, s, free);
            for (Var v : read(st)) release(v, s, free);
        }
        planOutputs(j);
    }

    private void release(Var v, int step, List<long[]> free) {
        Integer slot = slotOf.get(v);
        if (slot == null || slots.get(slot).kind() != Kind.SCRATCH) return;
        if (lastUse.getOrDefault(v, defStep.getOrDefault(v, step)) != step) return;
        int block = slots.get(slot).ref();
        if (free.stream().noneMatch(f -> f[0] == block)) free.add(new long[]{block, blockBytes.get(block)});
    }

    private int takeBlock(List<long[]> free, long bytes) {
        long need = Math.max(bytes, 1);
        long[] best = null;
        for (long[] f : free) if (f[1] >= need && (best == null || f[1] < best[1])) best = f;
        if (best != null) {
            free.remove(best);
            return (int) best[0];
        }
        blockBytes.add(need);
        return blockBytes.size() - 1;
    }

    private void add(Var v, Kind kind, int ref) {
        if (slotOf.containsKey(v)) return;
        slotOf.put(v, slots.size());
        slots.add(new Slot(slots.size(), v, kind, ref));
    }

    private void planOutputs(Jaxpr j) {
        Map<Var, Integer> firstPos = new HashMap<>();
        for (int k = 0; k < j.outvars().size(); k++) {
            Atom a = j.outvars().get(k);
            if (a instanceof Literal l) {
                outs.add(new Out(Kind.OUTPUT, -1, -1, l.value(), -1));
                continue;
            }
            Var v = (Var) a;
            Integer first = firstPos.putIfAbsent(v, k);
            if (first != null) {
                outs.add(new Out(Kind.OUTPUT, -1, -1, null, first));
                continue;
            }
            Slot s = slots.get(slotOf.get(v));
            outs.add(new Out(s.kind(), s.index(), s.kind() == Kind.INPUT ? s.ref() : -1, null, -1));
        }
    }

    /**
     * Donation: output {@code o} may take donated input {@code i}'s buffer when they have one aval,
     * the input is not itself returned, and no step after the one writing {@code o} reads the input
     * (the writing step itself may, if it reads the input only at the element it writes).
     * Returns the steps that write in place, whose kernels must not declare the pair restrict.
     */
    public Map<Integer, List<Integer>> planDonation(KernelPlan plan, boolean[] donated, Map<Integer, Set<Integer>> shiftedReads) {
        Map<Integer, List<Integer>> inPlace = new HashMap<>();
        Jaxpr j = plan.jaxpr();
        Set<Integer> used = new java.util.HashSet<>();
        for (Out out : outs) {
            if (out.kind() != Kind.OUTPUT || out.slot() < 0) continue;
            Var o = slots.get(out.slot()).var();
            int s = defStep.get(o);
            Step step = plan.steps().get(s);
            boolean elementwise = step instanceof Fused f && f.reduce() == null;
            if (!elementwise && !(step instanceof Gemm)) continue;
            for (int i = 0; i < donated.length; i++) {
                Var in = j.invars().get(i);
                if (!donated[i] || used.contains(i) || !in.aval().equals(o.aval()) || j.outvars().contains(in)) continue;
                int lu = lastUse.getOrDefault(in, -1);
                int inSlot = slotOf.get(in);
                boolean ok = lu < s || (lu == s && elementwise && !shiftedReads.getOrDefault(s, Set.of()).contains(inSlot));
                if (!ok) continue;
                used.add(i);
                donation.put(out.slot(), i);
                if (lu == s) inPlace.computeIfAbsent(s, k -> new ArrayList<>()).addAll(List.of(inSlot, out.slot()));
                break;
            }
        }
        return inPlace;
    }

    static List<Var> defined(Step s) {
        return switch (s) {
            case Fused f -> f.roots();
            case Gemm g -> g.eqn().outvars().toJavaList();
            case Host h -> h.eqn().outvars().toJavaList();
            case Alias a -> List.of(a.out());
            case Native n -> n.eqn().outvars().toJavaList();
            case Conv c -> c.reusesCol() ? List.of(c.eqn().outvars().head()) : List.of(c.eqn().outvars().head(), c.col());
        };
    }

    static List<Var> read(Step s) {
        return switch (s) {
            case Fused f -> f.reads();
            case Gemm g -> vars(g.eqn());
            case Host h -> vars(h.eqn());
            case Alias a -> List.of(a.base());
            case Native n -> vars(n.eqn());
            case Conv c -> {
                List<Var> r = vars(c.eqn());
                if (c.reusesCol()) r.add(c.col());
                yield r;
            }
        };
    }

    private static List<Var> vars(Eqn e) {
        List<Var> out = new ArrayList<>();
        for (Atom a : e.inputs()) if (a instanceof Var v) out.add(v);
        return out;
    }

    /** Total scratch bytes (what an executable keeps allocated between calls). */
    public long scratchBytes() { return blockBytes.stream().mapToLong(Long::longValue).sum(); }
}
