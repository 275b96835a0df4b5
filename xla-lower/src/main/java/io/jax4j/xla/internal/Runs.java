package io.jax4j.xla.internal;

import io.jax4j.xla.internal.KernelIR.Instr;
import io.jax4j.xla.internal.KernelIR.Load;

import java.util.List;

/**
 * Contiguous runs of a nested kernel's gathered loads. With {@code i = o·R + j} and 0 ≤ j < R, an
 * index expression of {@code i} is classified as {@code base + c·j} over the run, noting whether the
 * base is a known multiple of R ("aligned": {@code i} itself, {@code i mod m} for m a multiple of R,
 * sums of aligned terms such as a slice's start that is a multiple of R). A quotient or remainder by
 * a multiple of R of an aligned {@code base + j} keeps the run whole (constant, or aligned again);
 * any other division or remainder of a term that moves with j disqualifies R.
 */
final class Runs {
    private Runs() {}

    private static final int MIN_RUN = 8;

    /**
     * Classification over a run: {@code base + c·j}; {@code aligned}: the base is a known multiple of R
     * (for c = 0 the constant itself, for c = 1 the run's first index), which a remainder or quotient
     * by a multiple of R needs to keep the run whole.
     */
    private record Affine(long c, boolean aligned) {
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
            for (Instr in : body) if (in instanceof Load l && classify(l.index(), r, inner) == null) ok = false;
            if (ok) return r;
        }
        return 0;
    }

    /** j's coefficient in {@code e} over runs of {@code r} (0: constant over the run). */
    static long coefficient(Ix e, long r, long inner) { return classify(e, r, inner).c(); }

    /**
     * {@code e} at the first element of a run: the flat index {@code i} replaced by {@code at}, the
     * inner index {@code j} by 0 (the outer index {@code o} is the run's, as runs are whole rows then).
     */
    static Ix substitute(Ix e, Ix at) {
        return switch (e) {
            case Ix.Sym s -> s.name().equals("i") ? at : s.name().equals("j") ? Ix.num(0) : s;
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

    /**
     * null where {@code e} is not affine in j over runs of {@code r}. The loop's own axis symbols
     * ({@code o}, {@code j} of a nested loop's axis views) only classify when a run is a whole row
     * (r = inner): {@code j} is then the run's offset, {@code o} constant over it.
     */
    private static Affine classify(Ix e, long r, long inner) {
        return switch (e) {
            case Ix.Sym s -> switch (s.name()) {
                case "i" -> Affine.UNIT;
                case "j" -> r == inner ? Affine.UNIT : null;
                case "o" -> r == inner ? new Affine(0, false) : null;
                default -> null;
            };
            case Ix.Num n -> new Affine(0, n.value() % r == 0);
            case Ix.Div d -> {
                Affine a = classify(d.a(), r, inner);
                if (a == null) yield null;
                if (a.c() == 0) yield new Affine(0, false);
                yield a.c() == 1 && a.aligned() && d.c() % r == 0 ? new Affine(0, false) : null;
            }
            case Ix.Mod m -> {
                Affine a = classify(m.a(), r, inner);
                if (a == null) yield null;
                if (a.c() == 0) yield new Affine(0, false);
                yield a.c() == 1 && a.aligned() && m.c() % r == 0 ? Affine.UNIT : null;
            }
            case Ix.Mul m -> {
                Affine a = classify(m.a(), r, inner);
                if (a == null) yield null;
                yield new Affine(a.c() * m.c(), a.aligned() || m.c() % r == 0);
            }
            case Ix.Add s -> {
                Affine a = classify(s.a(), r, inner), b = classify(s.b(), r, inner);
                if (a == null || b == null) yield null;
                yield new Affine(a.c() + b.c(), a.aligned() && b.aligned());
            }
        };
    }
}
