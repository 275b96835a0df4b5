package io.jax4j.xla.internal;

import io.jax4j.DType;

import java.util.List;

/**
 * The kernel IR: one fused loop kernel as data, independent of the target language.
 *
 * <pre>
 * kernel  := name params loop body [reduce epilogue] stores
 * loop    := Flat(n)                    for i in [0, n)
 *          | Nested(outer, inner)       for o in [0, outer): for j in [0, inner): i = o*inner + j
 *          | Reduction(outer, inner)    for o in [0, outer): acc = id; for r in [0, inner): acc = acc ⊕ v
 *                                       (columns: the reduced axes lead, so r runs outside and o inside,
 *                                       over an array of accumulators: contiguous, vectorised loads)
 * body    := instr*                     SSA: each instruction defines %id once, in order
 * instr   := Load(id, dtype, param, Ix) | Const(id, dtype, value) | Compute(id, dtype, op, args, argDtypes)
 * stores  := Store(param, value)*       at the loop's output index (i, or o for a reduction)
 * </pre>
 *
 * Invariants: an instruction only names earlier ids; a reduction kernel's body runs in the inner
 * loop and only its accumulator is visible to the stores; parameters are numbered 0..n-1 and map to
 * executable slots.
 */
public final class KernelIR {
    private KernelIR() {}

    /** A kernel argument: buffer slot in the executable, element type, whether the kernel writes it. */
    public record Param(int slot, DType dtype, boolean output, boolean aliased) {
        public Param withAliased(boolean a) { return new Param(slot, dtype, output, a); }
    }

    public sealed interface Instr permits Load, Const, Compute, Acc {
        int id();

        DType dtype();
    }

    public record Load(int id, DType dtype, int param, Ix index) implements Instr {}

    /** A literal; integers are exact in a double up to 2^53, which covers i32 and u32. */
    public record Const(int id, DType dtype, double value) implements Instr {}

    /** {@code op} is a primitive name ({@code add}, {@code exp}, {@code convert_element_type}, {@code select_n}). */
    public record Compute(int id, DType dtype, String op, List<Integer> args, List<DType> argDtypes) implements Instr {}

    /** In a reduction's epilogue: the reduced value of the current output element. */
    public record Acc(int id, DType dtype) implements Instr {}

    /** {@code value} -1: the reduction's result; an id of the body or of the epilogue: that value. */
    public record Store(int param, int value) {}

    public sealed interface Loop permits Flat, Nested, Reduction {}

    public record Flat(long n) implements Loop {}

    public record Nested(long outer, long inner) implements Loop {}

    /** {@code op} is {@code add}, {@code max} or {@code min}; {@code value} is the body's id reduced. */
    public record Reduction(long outer, long inner, String op, int value, DType dtype, boolean columns) implements Loop {
        public Reduction(long outer, long inner, String op, int value, DType dtype) { this(outer, inner, op, value, dtype, false); }
    }

    /** {@code epilogue}: instructions after a reduction's loop, per output element (empty otherwise). */
    public record Kernel(String name, List<Param> params, Loop loop, List<Instr> body, List<Store> stores, List<Instr> epilogue) {
        public Kernel(String name, List<Param> params, Loop loop, List<Instr> body, List<Store> stores) {
            this(name, params, loop, body, stores, List.of());
        }

        public Kernel withParams(List<Param> p) { return new Kernel(name, p, loop, body, stores, epilogue); }
    }
}
