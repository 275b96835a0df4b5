package io.jax4j.prims;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Lax;
import io.jax4j.core.Primitive;

import java.util.Arrays;
import java.util.List;

import static io.jax4j.prims.Defs.Accepts.ANY;
import static io.jax4j.prims.Defs.Accepts.FLOAT;
import static io.jax4j.prims.Defs.Accepts.INT;
import static io.jax4j.prims.Defs.Accepts.INT_OR_BOOL;
import static io.jax4j.prims.Defs.Accepts.NUMBER;
import static io.jax4j.prims.Defs.binop;
import static io.jax4j.prims.Defs.defJvp;
import static io.jax4j.prims.Defs.defLinear;
import static io.jax4j.prims.Defs.unop;

/**
 * Elementwise primitives: one block each, holding shape/dtype rule, reference impl, JVP, transpose
 * (when linear) and batching (through the {@link Defs} factories). Derivatives are written as the
 * algebra they implement: "d tanh x = (1 - tanh² x) dx".
 */
public final class Elementwise {
    private Elementwise() {}

    // -------- unary, linear
    /** d(-x) = -dx; transpose: ct -> -ct. */
    public static final Primitive NEG = defLinear(unop("neg", NUMBER, v -> -v, v -> -v),
            (p, ct, ops) -> List.of(Lax.neg(ct.getFirst())));

    /** The identity with a zero derivative: JAX's stop_gradient. */
    public static final Primitive STOP_GRADIENT = unop("stop_gradient", ANY, v -> v, v -> v).zeroJvp();

    // -------- unary, piecewise constant: zero derivative
    public static final Primitive SIGN = unop("sign", NUMBER, Math::signum, Long::signum).zeroJvp();
    public static final Primitive FLOOR = unop("floor", FLOAT, Math::floor, null).zeroJvp();
    public static final Primitive CEIL = unop("ceil", FLOAT, Math::ceil, null).zeroJvp();
    /** Rounds half away from zero (lax.round's default ROUND_AWAY_FROM_ZERO). */
    public static final Primitive ROUND = unop("round", FLOAT, v -> Math.signum(v) * Math.floor(Math.abs(v) + 0.5), null).zeroJvp();
    public static final Primitive IS_FINITE = boolOut(unop("is_finite", FLOAT, v -> Double.isFinite(v) ? 1 : 0, null)).zeroJvp();
    /** Logical not on bool, bitwise not on integers. */
    public static final Primitive NOT = unop("not", INT_OR_BOOL, v -> v == 0 ? 1 : 0, v -> ~v)
            .impl((p, in) -> List.of(Defs.map1(in.getFirst(), in.getFirst().aval(), null,
                    in.getFirst().dtype() == DType.BOOL ? v -> v == 0 ? 1 : 0 : v -> ~v)))
            .zeroJvp();

    // -------- unary, smooth
    /** d|x| = sign(x) dx. */
    public static final Primitive ABS = defJvp(unop("abs", NUMBER, Math::abs, Math::abs),
            (g, ans, x) -> Lax.mul(g, Lax.sign(x.getFirst())));
    /** d exp x = exp x dx. */
    public static final Primitive EXP = defJvp(unop("exp", FLOAT, Math::exp, null), (g, ans, x) -> Lax.mul(g, ans));
    /** d log x = dx / x. */
    public static final Primitive LOG = defJvp(unop("log", FLOAT, Math::log, null), (g, ans, x) -> Lax.div(g, x.getFirst()));
    /** d expm1 x = (expm1 x + 1) dx. */
    public static final Primitive EXPM1 = defJvp(unop("expm1", FLOAT, Math::expm1, null),
            (g, ans, x) -> Lax.mul(g, Lax.addScalar(ans, 1)));
    /** d log1p x = dx / (1 + x). */
    public static final Primitive LOG1P = defJvp(unop("log1p", FLOAT, Math::log1p, null),
            (g, ans, x) -> Lax.div(g, Lax.addScalar(x.getFirst(), 1)));
    /** d tanh x = (1 + tanh x)(1 - tanh x) dx. */
    public static final Primitive TANH = defJvp(unop("tanh", FLOAT, Math::tanh, null),
            (g, ans, x) -> Lax.mul(Lax.add(g, Lax.mul(g, ans)), Lax.rsubScalar(1, ans)));
    /** d σ(x) = σ(x)(1 - σ(x)) dx. */
    public static final Primitive LOGISTIC = defJvp(unop("logistic", FLOAT, Elementwise::sigmoid, null),
            (g, ans, x) -> Lax.mul(g, Lax.mul(ans, Lax.rsubScalar(1, ans))));
    /** d sin x = cos x dx. */
    public static final Primitive SIN = defJvp(unop("sin", FLOAT, Math::sin, null), (g, ans, x) -> Lax.mul(g, Lax.cos(x.getFirst())));
    /** d cos x = -sin x dx. */
    public static final Primitive COS = defJvp(unop("cos", FLOAT, Math::cos, null),
            (g, ans, x) -> Lax.neg(Lax.mul(g, Lax.sin(x.getFirst()))));
    /** d sqrt x = dx / (2 sqrt x). */
    public static final Primitive SQRT = defJvp(unop("sqrt", FLOAT, Math::sqrt, null),
            (g, ans, x) -> Lax.mul(g, Lax.div(Lax.scalarLike(ans, 0.5), ans)));
    /** d x^(-1/2) = -1/2 x^(-1/2) / x dx. */
    public static final Primitive RSQRT = defJvp(unop("rsqrt", FLOAT, v -> 1 / Math.sqrt(v), null),
            (g, ans, x) -> Lax.mul(g, Lax.mul(Lax.scalarLike(ans, -0.5), Lax.div(ans, x.getFirst()))));
    /** d erf x = 2/√π exp(-x²) dx. */
    public static final Primitive ERF = defJvp(unop("erf", FLOAT, SpecialFunctions::erf, null),
            (g, ans, x) -> Lax.mul(g, Lax.mul(Lax.scalarLike(ans, 2 / Math.sqrt(Math.PI)),
                    Lax.exp(Lax.neg(Lax.mul(x.getFirst(), x.getFirst()))))));
    /** d x² = 2x dx. */
    public static final Primitive SQUARE = defJvp(unop("square", NUMBER, v -> v * v, v -> v * v),
            (g, ans, x) -> Lax.mul(g, Lax.mul(Lax.scalarLike(x.getFirst(), 2), x.getFirst())));

    // -------- binary, linear
    /** d(x + y) = dx + dy; transpose: ct -> (ct, ct). */
    public static final Primitive ADD = defLinear(binop("add", NUMBER, null, Double::sum, Long::sum),
            (p, ct, ops) -> List.of(Defs.unbroadcast(ops.get(0), ct.getFirst()), Defs.unbroadcast(ops.get(1), ct.getFirst())));
    /** d(x - y) = dx - dy; transpose: ct -> (ct, -ct). */
    public static final Primitive SUB = defLinear(binop("sub", NUMBER, null, (a, b) -> a - b, (a, b) -> a - b),
            (p, ct, ops) -> List.of(Defs.unbroadcast(ops.get(0), ct.getFirst()), Defs.unbroadcast(ops.get(1), Lax.neg(ct.getFirst()))));

    // -------- binary, bilinear or smooth
    /** d(xy) = dx y + x dy; transpose in the undefined operand. */
    public static final Primitive MUL = defJvp(binop("mul", NUMBER, null, (a, b) -> a * b, (a, b) -> a * b),
            (g, ans, xy) -> Lax.mul(g, xy.get(1)), (g, ans, xy) -> Lax.mul(xy.get(0), g))
            .transpose((p, ct, ops) -> {
                Array c = ct.getFirst();
                return Defs.isUndefined(ops.get(0))
                        ? Arrays.asList(Defs.unbroadcast(ops.get(0), Lax.mul(c, (Array) ops.get(1))), null)
                        : Arrays.asList(null, Defs.unbroadcast(ops.get(1), Lax.mul((Array) ops.get(0), c)));
            });
    /** d(x/y) = dx / y - x dy / y²; linear in x. */
    public static final Primitive DIV = defJvp(binop("div", NUMBER, null, (a, b) -> a / b, Elementwise::intDiv),
            (g, ans, xy) -> Lax.div(g, xy.get(1)),
            (g, ans, xy) -> Lax.div(Lax.mul(Lax.neg(g), xy.get(0)), Lax.mul(xy.get(1), xy.get(1))))
            .transpose((p, ct, ops) -> {
                if (!Defs.isUndefined(ops.get(0))) throw new IllegalStateException("div is linear only in its numerator");
                return Arrays.asList(Defs.unbroadcast(ops.get(0), Lax.div(ct.getFirst(), (Array) ops.get(1))), null);
            });
    /** C's fmod semantics, like XLA's rem: d rem(x, y) = dx - trunc(x/y) dy. */
    public static final Primitive REM = defJvp(binop("rem", NUMBER, null, (a, b) -> a % b, (a, b) -> b == 0 ? 0 : a % b),
            (g, ans, xy) -> g,
            (g, ans, xy) -> Lax.mul(Lax.neg(g), Lax.mul(Lax.sign(Lax.div(xy.get(0), xy.get(1))),
                    Lax.floor(Lax.abs(Lax.div(xy.get(0), xy.get(1)))))));
    /** d max(x, y): the larger operand's tangent, split half and half on ties (as JAX does). */
    public static final Primitive MAX = defJvp(binop("max", NUMBER, null, Elementwise::max, Math::max),
            (g, ans, xy) -> Lax.mul(g, balancedEq(xy.get(0), ans, xy.get(1))),
            (g, ans, xy) -> Lax.mul(g, balancedEq(xy.get(1), ans, xy.get(0))));
    public static final Primitive MIN = defJvp(binop("min", NUMBER, null, Elementwise::min, Math::min),
            (g, ans, xy) -> Lax.mul(g, balancedEq(xy.get(0), ans, xy.get(1))),
            (g, ans, xy) -> Lax.mul(g, balancedEq(xy.get(1), ans, xy.get(0))));
    /** d x^y = y x^(y-1) dx + log(x) x^y dy (with 0 where x = 0). */
    public static final Primitive POW = defJvp(binop("pow", FLOAT, null, Math::pow, null),
            (g, ans, xy) -> Lax.mul(g, Lax.mul(xy.get(1), Lax.pow(xy.get(0), Lax.subScalar(xy.get(1), 1)))),
            (g, ans, xy) -> {
                Array x = xy.get(0);
                Array safeLog = Lax.select(Lax.eq(x, Lax.zerosLike(x)), Lax.zerosLike(x), Lax.log(x));
                return Lax.mul(g, Lax.mul(safeLog, ans));
            });
    /** d atan2(x, y) = (y dx - x dy) / (x² + y²). */
    public static final Primitive ATAN2 = defJvp(binop("atan2", FLOAT, null, Math::atan2, null),
            (g, ans, xy) -> Lax.mul(g, Lax.div(xy.get(1), sumSquares(xy))),
            (g, ans, xy) -> Lax.mul(g, Lax.div(Lax.neg(xy.get(0)), sumSquares(xy))));

    // -------- bitwise and shifts (integers; no derivative)
    public static final Primitive AND = binop("and", INT_OR_BOOL, null, (a, b) -> (long) a & (long) b, (a, b) -> a & b).zeroJvp();
    public static final Primitive OR = binop("or", INT_OR_BOOL, null, (a, b) -> (long) a | (long) b, (a, b) -> a | b).zeroJvp();
    public static final Primitive XOR = binop("xor", INT_OR_BOOL, null, (a, b) -> (long) a ^ (long) b, (a, b) -> a ^ b).zeroJvp();
    public static final Primitive SHIFT_LEFT = binop("shift_left", INT, null, null,
            (a, b) -> b < 0 || b >= 32 ? 0 : a << b).zeroJvp();
    /** Logical shift on the 32-bit pattern (u32 values are zero-extended longs here). */
    public static final Primitive SHIFT_RIGHT_LOGICAL = binop("shift_right_logical", INT, null, null,
            (a, b) -> b < 0 || b >= 32 ? 0 : ((a & 0xFFFFFFFFL) >>> b)).zeroJvp();
    public static final Primitive SHIFT_RIGHT_ARITHMETIC = binop("shift_right_arithmetic", INT, null, null,
            (a, b) -> ((int) a) >> Math.min(Math.max(b, 0), 31)).zeroJvp();

    // -------- comparisons (bool results, no derivative)
    public static final Primitive EQ = binop("eq", ANY, DType.BOOL, (a, b) -> a == b ? 1 : 0, (a, b) -> a == b ? 1 : 0).zeroJvp();
    public static final Primitive NE = binop("ne", ANY, DType.BOOL, (a, b) -> a != b ? 1 : 0, (a, b) -> a != b ? 1 : 0).zeroJvp();
    public static final Primitive LT = binop("lt", ANY, DType.BOOL, (a, b) -> a < b ? 1 : 0, (a, b) -> a < b ? 1 : 0).zeroJvp();
    public static final Primitive LE = binop("le", ANY, DType.BOOL, (a, b) -> a <= b ? 1 : 0, (a, b) -> a <= b ? 1 : 0).zeroJvp();
    public static final Primitive GT = binop("gt", ANY, DType.BOOL, (a, b) -> a > b ? 1 : 0, (a, b) -> a > b ? 1 : 0).zeroJvp();
    public static final Primitive GE = binop("ge", ANY, DType.BOOL, (a, b) -> a >= b ? 1 : 0, (a, b) -> a >= b ? 1 : 0).zeroJvp();

    // -------- helpers

    private static Primitive boolOut(Primitive p) {
        return p.abstractEval((params, in) -> List.of(in.getFirst().withDtype(DType.BOOL).strong()))
                .impl((params, in) -> List.of(Defs.map1(in.getFirst(), in.getFirst().aval().withDtype(DType.BOOL).strong(),
                        v -> Double.isFinite(v) ? 1 : 0, null)));
    }

    static double sigmoid(double v) { return v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)); }

    static double max(double a, double b) { return Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.max(a, b); }

    static double min(double a, double b) { return Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.min(a, b); }

    /** Integer division truncating toward zero, as XLA's; division by zero gives -1 (all ones). */
    static long intDiv(long a, long b) { return b == 0 ? -1 : a / b; }

    /** 1 where x is the result alone, 1/2 where x ties with the other operand, else 0 (JAX's rule). */
    private static Array balancedEq(Array x, Array ans, Array other) {
        Array one = Lax.fullLike(ans, 1), half = Lax.fullLike(ans, 0.5), zero = Lax.zerosLike(ans);
        Array xIsAns = Lax.select(Lax.eq(x, ans), one, zero);
        return Lax.mul(xIsAns, Lax.select(Lax.eq(other, ans), half, one));
    }

    private static Array sumSquares(List<Array> xy) {
        return Lax.add(Lax.mul(xy.get(0), xy.get(0)), Lax.mul(xy.get(1), xy.get(1)));
    }
}
