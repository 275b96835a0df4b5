package io.jax4j.xla.internal;

import io.jax4j.core.Debug;
import io.jax4j.ir.Jaxpr;
import io.jax4j.xla.Pass;
import io.jax4j.xla.Passes;
import io.jax4j.xla.internal.KernelIR.Kernel;
import io.jax4j.xla.internal.KernelIR.Param;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The device-independent half of compilation: passes, BLAS canonicalisation, fusion planning,
 * memory planning (with donation) and kernel IR, rendered to source by one {@link Dialect}.
 */
public final class Lowering {
    private Lowering() {}

    /** Everything a backend needs to build an executable; {@code kernelOfStep} maps fused steps to kernels. */
    public record Program(String name, KernelPlan plan, MemoryPlan memory, Map<Integer, Kernel> kernelOfStep, String source) {
        public List<Kernel> kernels() { return List.copyOf(kernelOfStep.values()); }

        /** Whether the program has generated code to compile (fused or native kernels). */
        public boolean hasKernels() { return !kernelOfStep.isEmpty() || plan.nativeCount() > 0; }
    }

    public static Jaxpr passes(Jaxpr j) { return passes(j, true); }

    /** The passes; {@code directConvolutions}: whether grouped convolutions may split into direct ones (never on a GPU). */
    public static Jaxpr passes(Jaxpr j, boolean directConvolutions) {
        Pass split = directConvolutions ? ConvLayout.splitGroups() : x -> x;
        return Passes.standard().andThen(Passes.hoistScalars()).andThen(GemmSpec.foldOutputTranspose()).andThen(GemmSpec.canonicalise())
                .andThen(ConvLayout.canonicalise()).andThen(split).apply(j);
    }

    public static Program lower(Jaxpr jaxpr, boolean[] donated, String name, Dialect dialect) {
        Jaxpr j = passes(jaxpr, dialect.directConvolutions());
        FusionPlanner planner = new FusionPlanner(j, dialect.reductionOutputs(), dialect.directConvolutions());
        KernelPlan plan = planner.run();
        MemoryPlan memory = new MemoryPlan(plan);
        Map<Integer, Kernel> kernels = new java.util.TreeMap<>();
        Map<Integer, Set<Integer>> shifted = new HashMap<>();
        for (int s = 0; s < plan.steps().size(); s++) {
            if (!(plan.steps().get(s) instanceof KernelPlan.Fused f)) continue;
            KernelBuilder kb = new KernelBuilder(planner, memory.slotOf::get);
            kernels.put(s, kb.build(f));
            shifted.put(s, kb.shiftedReads);
        }
        Map<Integer, List<Integer>> inPlace = memory.planDonation(plan, donated == null ? new boolean[j.invars().size()] : donated, shifted);
        for (var e : inPlace.entrySet()) {
            Kernel k = kernels.get(e.getKey());
            List<Param> ps = new ArrayList<>();
            for (Param p : k.params()) ps.add(e.getValue().contains(p.slot()) ? p.withAliased(true) : p);
            kernels.put(e.getKey(), k.withParams(ps));
        }
        String source = new CStyleRenderer(dialect).render(List.copyOf(kernels.values()), Math.max(1, memory.slots.size()))
                + dedicatedKernels(plan, memory, dialect);
        if (Debug.LEVEL >= 3) {
            System.err.println("[jax4j] lowering " + name + ": " + plan + "  scratch: " + memory.blockBytes.size()
                    + " blocks, " + memory.scratchBytes() + " bytes; donated outputs: " + memory.donation);
        }
        return new Program(name, plan, memory, kernels, source);
    }

    /**
     * The source of the plan's dedicated kernels in {@code dialect}: pooling windows, their gradients
     * and threefry ({@link NativeKernels}), and the convolutions' gathers ({@link ConvSpec}).
     */
    public static String dedicatedKernels(KernelPlan plan, MemoryPlan memory, Dialect dialect) {
        StringBuilder source = new StringBuilder();
        for (KernelPlan.Step st : plan.steps()) {
            if (st instanceof KernelPlan.Native n) {
                source.append('\n').append(NativeKernels.render(n.eqn(), n.name(), memory.slotOf::get, dialect));
            } else if (st instanceof KernelPlan.Conv c && !c.reusesCol()) {
                var in = c.eqn().inputs();
                // a literal kernel or input has no slot; the im2col methods never read the kernel in C
                int wSlot = in.get(1) instanceof io.jax4j.ir.Var w ? memory.slotOf.get(w) : -1;
                source.append('\n').append(ConvSpec.kernels(c.eqn(), c.spec(), c.name(), dialect.type(c.col().aval().dtype()),
                        memory.slotOf.get((io.jax4j.ir.Var) in.get(0)), wSlot, memory.slotOf.get(c.col()), memory.slotOf.get(c.eqn().outvars().head()), dialect));
            }
        }
        return source.toString();
    }
}
