package io.jax4j.xla.internal;

/**
 * Integer index expressions of the kernel IR: loop symbols, constants, +, ×, ÷ and mod by
 * constants. The factories fold the trivial cases (x+0, x×1, x÷1, x mod 1) so that the common
 * contiguous access renders as a plain {@code x[i]}. Rendered in C syntax, which the C and CUDA
 * dialects share.
 */
public sealed interface Ix {
    record Sym(String name) implements Ix {}

    record Num(long value) implements Ix {}

    record Add(Ix a, Ix b) implements Ix {}

    record Mul(Ix a, long c) implements Ix {}

    record Div(Ix a, long c) implements Ix {}

    record Mod(Ix a, long c) implements Ix {}

    static Ix sym(String name) { return new Sym(name); }

    static Ix num(long v) { return new Num(v); }

    static Ix add(Ix a, Ix b) {
        if (a instanceof Num x && x.value == 0) return b;
        if (b instanceof Num y && y.value == 0) return a;
        if (a instanceof Num x && b instanceof Num y) return num(x.value + y.value);
        return new Add(a, b);
    }

    static Ix mul(Ix a, long c) {
        if (c == 0) return num(0);
        if (c == 1) return a;
        if (a instanceof Num x) return num(x.value * c);
        return new Mul(a, c);
    }

    static Ix div(Ix a, long c) {
        if (c == 1) return a;
        if (a instanceof Num x) return num(x.value / c);
        return new Div(a, c);
    }

    static Ix mod(Ix a, long c) {
        if (c == 1) return num(0);
        if (a instanceof Num x) return num(x.value % c);
        return new Mod(a, c);
    }

    /** C syntax, fully parenthesised where needed. */
    default String render() {
        return switch (this) {
            case Sym s -> s.name();
            case Num n -> Long.toString(n.value()) + (Math.abs(n.value()) > Integer.MAX_VALUE ? "L" : "");
            case Add s -> s.a().render() + " + " + s.b().render();
            case Mul m -> paren(m.a()) + " * " + m.c();
            case Div d -> paren(d.a()) + " / " + d.c();
            case Mod m -> paren(m.a()) + " % " + m.c();
        };
    }

    private static String paren(Ix x) {
        return x instanceof Sym || x instanceof Num ? x.render() : "(" + x.render() + ")";
    }
}
