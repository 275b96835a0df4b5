package io.jax4j.xla.internal;

import io.jax4j.ShapedArray;
import io.jax4j.ir.Eqn;
import io.jax4j.ir.Jaxpr;
import io.jax4j.ir.Var;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The result of fusion planning: the jaxpr (after the passes) cut into steps, run in order. A
 * {@link Fused} step is one generated loop kernel; {@link Gemm} one BLAS call (a loop of calls when
 * batched); {@link Host} a primitive run by its reference implementation; {@link Alias} a reshape of
 * a materialised buffer, which costs nothing. {@link #toString} prints one line per step.
 */
public record KernelPlan(Jaxpr jaxpr, List<Step> steps) {

    public sealed interface Step permits Fused, Gemm, Host, Alias, Native, Conv {}

    /**
     * A fused loop: computes and stores {@code roots} over {@code domain} (for a reduction, the
     * reduce's operand shape), inlining the equations {@code eqns}; {@code reduce} is its one
     * reduction or null.
     */
    public record Fused(String name, ShapedArray domain, List<Var> roots, Eqn reduce, List<Eqn> eqns, List<Var> reads) implements Step {}

    public record Gemm(Eqn eqn) implements Step {}

    public record Host(Eqn eqn) implements Step {}

    /** One primitive as a dedicated generated kernel ({@link NativeKernels}): pooling, its gradients, threefry. */
    public record Native(String name, Eqn eqn) implements Step {}

    /**
     * A convolution by {@code spec}: its generated kernels ({@code name}, see {@link ConvSpec}) with the
     * scratch value {@code col}, and its GEMMs; {@code reusesCol}: {@code col} holds the same columns,
     * gathered by an earlier convolution, and this one only runs its GEMM on them.
     */
    public record Conv(String name, Eqn eqn, Var col, ConvSpec spec, boolean reusesCol) implements Step {}

    public record Alias(Var out, Var base) implements Step {}

    public long kernelCount() { return steps.stream().filter(s -> s instanceof Fused).count(); }

    public long gemmCount() { return steps.stream().filter(s -> s instanceof Gemm).count(); }

    public long hostCount() { return steps.stream().filter(s -> s instanceof Host).count(); }

    public long nativeCount() { return steps.stream().filter(s -> s instanceof Native || s instanceof Conv).count(); }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("kernel plan: " + kernelCount() + " fused, " + gemmCount() + " gemm, "
                + hostCount() + " host, " + nativeCount() + " native\n");
        for (Step s : steps) {
            sb.append("  ").append(switch (s) {
                case Fused f -> "fused " + f.name() + " over " + f.domain().str() + ": "
                        + f.eqns().stream().map(e -> e.primitive().name()).collect(Collectors.joining(","))
                        + " reads " + names(f.reads()) + " writes " + names(f.roots());
                case Gemm g -> "gemm  dot_general " + g.eqn().inputs().map(a -> a.aval().str()).mkString(" x ")
                        + " -> " + g.eqn().outvars().head().aval().str();
                case Host h -> "host  " + h.eqn().primitive().name() + " -> "
                        + h.eqn().outvars().map(v -> v.aval().str()).mkString(",");
                case Alias a -> "alias " + a.out() + " = reshape " + a.base();
                case Native n -> "native " + n.name() + " " + n.eqn().primitive().name() + " "
                        + n.eqn().inputs().map(a -> a.aval().str()).mkString(",") + " -> " + n.eqn().outvars().map(v -> v.aval().str()).mkString(",");
                case Conv c -> "conv  " + c.name() + (c.reusesCol() ? " reused columns " : " im2col ") + c.col().aval().str() + " + gemm " + c.eqn().inputs().map(a -> a.aval().str()).mkString(" * ")
                        + " -> " + c.eqn().outvars().head().aval().str();
            }).append('\n');
        }
        return sb.toString();
    }

    private static String names(List<Var> vs) {
        return vs.stream().map(v -> "v" + v.id()).collect(Collectors.joining(",", "[", "]"));
    }
}
