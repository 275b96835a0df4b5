package io.jax4j.xla.internal;

import io.jax4j.xla.internal.KernelIR.Instr;
import io.jax4j.xla.internal.KernelIR.Load;

import java.util.List;

/**
 * Contiguous runs of a nested kernel's gathered loads. With {@code i = o·R + j} and 0 ≤ j < R, an
 * index expression of {@code i} is classified as constant over the run, as {@code base + j} with a
 * base that is a multiple of R ("aligned": {@code i} itself, or {@code i mod c} for c a multiple of R),
 * or as {@code base + c·j} (a product or sum of those, only at the top). {@code i ÷ a} is constant
 * when a is a multiple of R; anything else (a division or remainder that cuts a run) disqualifies R.
 */
final class Runs {
    private Runs() {}

    private static final int MIN_RUN = 8;

    /** Classification: constant (c = 0, aligned false), aligned base + j (c = 1, aligned), or base + c·j. */
    private record Affine(long c, boolean aligned) {
        static final Affine CONSTANT = new Affine(0, false);
        static final Affine UNIT = new Affine(1, true);
    }

    /**
     * The longest run R (a divisor of {@code inner}, at least 8) over which every load is affine in j,
     * where at least one load gathers (its index divides or takes a remainder); 0 where there is none
     * (the plain loop renders then: contiguous kernels stay as they are).
     */
    static long length(List<Instr> body, long inner) {
        boolean gathers = false;
        for (Instr in : body) if (in instanceof Load l && hasDivMod(l.index())) gathers = true;
        if (!gathers) return 0;
        for (long r = inner; r >= MIN_RUN; r = r % 2 == 0 ? r / 2 : 0) {
            if (inner % r != 0) continue;
            boolean ok = true;
            for (Instr in : body) if (in instanceof Load l && classify(l.index(), r) == null) ok = false;
            if (ok) return r;
        }
        return 0;
    }

    /** j's coefficient in {@code e} over runs of {@code r} (0: constant over the run). */
    static long coefficient(Ix e, long r) { return classify(e, r).c(); }

    /** {@code e} with the loop symbol {@code i} replaced by {@code at}. */
    static Ix substitute(Ix e, Ix at) {
        return switch (e) {
            case Ix.Sym s -> s.name().equals("i") ? at : s;
            case Ix.Num n -> n;
            case Ix.Add a -> Ix.add(substitute(a.a(), at), substitute(a.b(), at));
            case Ix.Mul m -> Ix.mul(substitute(m.a(), at), m.c());
            case Ix.Div d -> Ix.div(substitute(d.a(), at), d.c());
            case Ix.Mod m -> Ix.mod(substitute(m.a(), at), m.c());
        };
    }

    private static boolean hasDivMod(Ix e) {
        return switch (e) {
            case Ix.Sym s -> false;
            case Ix.Num n -> false;
            case Ix.Add a -> hasDivMod(a.a()) || hasDivMod(a.b());
            case Ix.Mul m -> hasDivMod(m.a());
            case Ix.Div d -> true;
            case Ix.Mod m -> true;
        };
    }

    /** null where {@code e} is not affine in j over runs of {@code r}. */
    private static Affine classify(Ix e, long r) {
        return switch (e) {
            case Ix.Sym s -> s.name().equals("i") ? Affine.UNIT : null;
            case Ix.Num n -> Affine.CONSTANT;
            case Ix.Div d -> {
                Affine a = classify(d.a(), r);
                if (a == null) yield null;
                if (a.c() == 0) yield Affine.CONSTANT;
                yield a.aligned() && d.c() % r == 0 ? Affine.CONSTANT : null;
            }
            case Ix.Mod m -> {
                Affine a = classify(m.a(), r);
                if (a == null) yield null;
                if (a.c() == 0) yield Affine.CONSTANT;
                yield a.aligned() && m.c() % r == 0 ? Affine.UNIT : null;
            }
            case Ix.Mul m -> {
                Affine a = classify(m.a(), r);
                yield a == null ? null : a.c() == 0 ? Affine.CONSTANT : new Affine(a.c() * m.c(), false);
            }
            case Ix.Add s -> {
                Affine a = classify(s.a(), r), b = classify(s.b(), r);
                if (a == null || b == null) yield null;
                if (a.c() == 0 && b.c() == 0) yield Affine.CONSTANT;
                yield new Affine(a.c() + b.c(), false);
            }
        };
    }
}
