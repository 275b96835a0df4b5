package io.jax4j.xla;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Lax;
import io.jax4j.Np;
import io.jax4j.ShapedArray;
import io.jax4j.autodiff.Jax;
import io.jax4j.core.ArrayImpl;
import io.jax4j.core.ReferenceBackend;
import io.jax4j.ir.Jaxpr;
import io.jax4j.spi.Backends;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * Issue 15, property-based: random shapes, dtypes, axes and broadcasts for every primitive family, each
 * function run four ways that must agree: eagerly (the primitives' reference impls), by the reference
 * backend on its jaxpr, by {@code Jax.jit} on the default backend (the cpu backend, generated C and
 * OpenBLAS, where a C compiler runs), and under {@code Jax.vmap} over a batch against a loop of eager calls.
 *
 * <p>Tolerances are float ulps of the dtype: exact for integers, movement, comparisons, selects, max/min
 * and gathers; a few ulps of the result for elementwise arithmetic (transcendentals are within 2 ulps in
 * the kernels, see ExpTanhUlpTest); for sums, products of matrices and cumulative sums the classic bound
 * n·u·Σ|terms| (n terms summed in any order), computed by running the same function on |inputs|.
 * Inputs are finite except where the reference is IEEE on specials (movement, comparisons, select, max/min).
 *
 * <p>The properties run under QuickTheories (random generation with shrinking inside plain Jupiter tests):
 * {@link #TRIES} examples each, so that the class runs in about half a minute on two cores (each example
 * compiles new C: a new shape is a new kernel). A failure prints the smallest falsifying example and the
 * seed; {@code -DQT_SEED=<seed>} replays it.
 */
class PrimitivePropertiesTest {
    /** Examples per property ({@code -Djax4j.propertyExamples=<n>} for a longer run). */
    private static final int TRIES = Integer.getInteger("jax4j.propertyExamples", 30);

    // ---------------------------------------------------------------- generators

    /** Shapes of rank {@code minRank} to 4, dimensions 1 to 5 (shrinking towards fewer and smaller axes). */
    private static Gen<int[]> shapes(int minRank) {
        return lists().of(integers().between(1, 5)).ofSizeBetween(minRank, 4)
                .map(l -> l.stream().mapToInt(Integer::intValue).toArray()).describedAs(Arrays::toString);
    }

    private static final Gen<DType> NUMBERS = arbitrary().pick(DType.F32, DType.F64, DType.I32);
    private static final Gen<DType> FLOATS = arbitrary().pick(DType.F32, DType.F64);
    /** Everything else a case needs (axes, broadcast partners, indices, values) comes from a Random of this seed. */
    private static final Gen<Long> SEEDS = longs().all();

    // ---------------------------------------------------------------- elementwise

    enum Unary {
        NEG(Lax::neg, true), ABS(Lax::abs, true), SIGN(Lax::sign, true), SQUARE(Lax::square, true),
        FLOOR(Lax::floor, false), CEIL(Lax::ceil, false), ROUND(Lax::round, false), EXP(Lax::exp, false),
        LOG(Lax::log, false), EXPM1(Lax::expm1, false), LOG1P(Lax::log1p, false), TANH(Lax::tanh, false),
        LOGISTIC(Lax::logistic, false), SIN(Lax::sin, false), COS(Lax::cos, false), SQRT(Lax::sqrt, false),
        RSQRT(Lax::rsqrt, false), IS_FINITE(Lax::isFinite, false);

        final UnaryOperator<Array> op;
        final boolean integers;

        Unary(UnaryOperator<Array> op, boolean integers) {
            this.op = op;
            this.integers = integers;
        }
    }

    @Test
    void unaryElementwise() {
        qt().withExamples(TRIES).forAll(arbitrary().enumValues(Unary.class), NUMBERS, shapes(0), SEEDS).checkAssert((op, dtype, shape, seed) -> {
            DType t = dtype == DType.I32 && !op.integers ? DType.F32 : dtype;
            agree(op + " " + t.shortName() + Arrays.toString(shape), xs -> List.of(op.op.apply(xs.get(0))), seed, Tol.ulps(4), false,
                    ShapedArray.of(t, shape));
        });
    }

    enum Binary {
        ADD(Np::add), SUBTRACT(Np::subtract), MULTIPLY(Np::multiply), DIVIDE(Np::divide), MAXIMUM(Np::maximum),
        MINIMUM(Np::minimum), REMAINDER(Np::remainder), POWER(Np::power);

        final BinaryOperator<Array> op;

        Binary(BinaryOperator<Array> op) { this.op = op; }
    }

    /** NumPy broadcasting: the second operand drops some leading axes and has size 1 on some others; both orders. */
    @Test
    void binaryWithBroadcasting() {
        qt().withExamples(TRIES).forAll(arbitrary().enumValues(Binary.class), NUMBERS, shapes(0), SEEDS).checkAssert((op, dtype, shape, seed) -> {
            DType t = op == Binary.POWER && dtype == DType.I32 ? DType.F32 : dtype;
            int[] other = broadcastPartner(shape, new Random(seed));
            agree(op + " " + t.shortName() + Arrays.toString(shape) + " with " + Arrays.toString(other),
                    xs -> List.of(op.op.apply(xs.get(0), xs.get(1)), op.op.apply(xs.get(1), xs.get(0))), seed, Tol.ulps(4), false,
                    ShapedArray.of(t, shape), ShapedArray.of(t, other));
        });
    }

    enum Comparison {
        EQ(Np::equal), NE(Np::notEqual), LT(Np::less), LE(Np::lessEqual), GT(Np::greater), GE(Np::greaterEqual);

        final BinaryOperator<Array> op;

        Comparison(BinaryOperator<Array> op) { this.op = op; }
    }

    /** Comparisons of broadcast operands choosing between them (NaN, ±Inf and ±0 among the floats): exact. */
    @Test
    void comparisonsAndSelect() {
        qt().withExamples(TRIES).forAll(arbitrary().enumValues(Comparison.class), NUMBERS, shapes(0), SEEDS).checkAssert((cmp, dtype, shape, seed) -> {
            int[] other = broadcastPartner(shape, new Random(seed));
            agree(cmp + "/select " + dtype.shortName() + Arrays.toString(shape) + " with " + Arrays.toString(other), xs -> {
                Array x = xs.get(0), y = xs.get(1), c = cmp.op.apply(x, y);
                return List.of(c, Np.where(c, x, y), Np.where(Np.logicalNot(c), Np.negative(y), x));
            }, seed, Tol.EXACT, true, ShapedArray.of(dtype, shape), ShapedArray.of(dtype, other));
        });
    }

    // ---------------------------------------------------------------- reductions and cumulative ops

    enum Reduction { SUM, MAX, MIN }

    /** Reductions over a random non-empty set of axes, keepdims or not; max/min exact with specials. */
    @Test
    void reductionsOverRandomAxes() {
        qt().withExamples(TRIES).forAll(arbitrary().enumValues(Reduction.class), NUMBERS, shapes(1), SEEDS).checkAssert((r, dtype, shape, seed) -> {
            Random rnd = new Random(seed);
            int[] axes = randomAxes(shape.length, rnd);
            boolean keepdims = rnd.nextBoolean();
            int n = 1;
            for (int a : axes) n *= shape[a];
            Function<List<Array>, List<Array>> f = xs -> List.of(switch (r) {
                case SUM -> Np.sum(xs.get(0), axes, keepdims);
                case MAX -> Np.max(xs.get(0), axes, keepdims);
                case MIN -> Np.min(xs.get(0), axes, keepdims);
            });
            agree(r + " " + dtype.shortName() + Arrays.toString(shape) + " axes " + Arrays.toString(axes) + (keepdims ? " keepdims" : ""),
                    f, seed, r == Reduction.SUM ? Tol.sum(n) : Tol.EXACT, r != Reduction.SUM, ShapedArray.of(dtype, shape));
        });
    }

    enum Cumulative { CUMSUM, CUMPROD, CUMMAX, CUMMIN }

    /** Cumulative ops along a random axis, forward or reversed. */
    @Test
    void cumulativeOps() {
        qt().withExamples(TRIES).forAll(arbitrary().enumValues(Cumulative.class), NUMBERS, shapes(1), SEEDS).checkAssert((c, dtype, shape, seed) -> {
            Random rnd = new Random(seed);
            int axis = rnd.nextInt(shape.length);
            boolean reverse = rnd.nextBoolean();
            Function<List<Array>, List<Array>> f = xs -> List.of(switch (c) {
                case CUMSUM -> Lax.cumsum(xs.get(0), axis, reverse);
                case CUMPROD -> Lax.cumprod(xs.get(0), axis, reverse);
                case CUMMAX -> Lax.cummax(xs.get(0), axis, reverse);
                case CUMMIN -> Lax.cummin(xs.get(0), axis, reverse);
            });
            Tol tol = switch (c) {
                case CUMSUM -> Tol.sum(shape[axis]);
                case CUMPROD -> Tol.ulps(4 * shape[axis]);
                default -> Tol.EXACT;
            };
            agree(c + " " + dtype.shortName() + Arrays.toString(shape) + " axis " + axis + (reverse ? " reverse" : ""), f, seed, tol,
                    c == Cumulative.CUMMAX || c == Cumulative.CUMMIN, ShapedArray.of(dtype, shape));
        });
    }

    // ---------------------------------------------------------------- movement (exact, specials included)

    enum Movement { RESHAPE, TRANSPOSE, BROADCAST_IN_DIM, SLICE, PAD, CONCATENATE }

    /** Each movement op of random parameters, on an input and on a computed value (index arithmetic in a kernel). */
    @Test
    void movement() {
        qt().withExamples(TRIES).forAll(arbitrary().enumValues(Movement.class), NUMBERS, shapes(1), SEEDS).checkAssert((which, dtype, shape, seed) -> {
            Random rnd = new Random(seed);
            int rank = shape.length;
            String name;
            Function<Array, Array> move;
            switch (which) {
                case RESHAPE -> {                                  // to the reversed dimensions, with a 1 inserted
                    int[] to = new int[rank + 1];
                    for (int i = 0; i < rank; i++) to[i] = shape[rank - 1 - i];
                    to[rank] = 1;
                    name = "reshape to " + Arrays.toString(to);
                    move = x -> Lax.reshape(x, to);
                }
                case TRANSPOSE -> {
                    int[] perm = permutation(rank, rnd);
                    name = "transpose " + Arrays.toString(perm);
                    move = x -> Lax.transpose(x, perm);
                }
                case BROADCAST_IN_DIM -> {                         // a new axis of random size at a random place
                    int at = rnd.nextInt(rank + 1), size = 1 + rnd.nextInt(3);
                    int[] out = new int[rank + 1], dims = new int[rank];
                    for (int i = 0, j = 0; i <= rank; i++) {
                        if (i == at) {
                            out[i] = size;
                        } else {
                            dims[j] = i;
                            out[i] = shape[j++];
                        }
                    }
                    name = "broadcast_in_dim to " + Arrays.toString(out) + " dims " + Arrays.toString(dims);
                    move = x -> Lax.broadcastInDim(x, out, dims);
                }
                case SLICE -> {
                    int[] start = new int[rank], limit = new int[rank], strides = new int[rank];
                    for (int i = 0; i < rank; i++) {
                        start[i] = rnd.nextInt(shape[i]);
                        limit[i] = start[i] + 1 + rnd.nextInt(shape[i] - start[i]);
                        strides[i] = 1 + rnd.nextInt(3);
                    }
                    name = "slice " + Arrays.toString(start) + " to " + Arrays.toString(limit) + " by " + Arrays.toString(strides);
                    move = x -> Lax.slice(x, start, limit, strides);
                }
                case PAD -> {                                      // low/high may be negative (cropping), interior >= 0
                    int[][] config = new int[rank][];
                    for (int i = 0; i < rank; i++) {
                        int interior = rnd.nextInt(3);
                        int padded = shape[i] + (shape[i] - 1) * interior;
                        int lo = rnd.nextInt(4) - Math.min(1, padded - 1);
                        int hi = rnd.nextInt(4) - (padded + lo > 1 ? 1 : 0);
                        config[i] = new int[]{lo, hi, interior};
                    }
                    name = "pad " + Arrays.deepToString(config);
                    move = x -> Lax.pad(x, Lax.convertElementType(Array.weak(7), x.dtype()), config);
                }
                case CONCATENATE -> {
                    int axis = rnd.nextInt(rank);
                    name = "concatenate along " + axis;
                    move = x -> Lax.concatenate(List.of(x, Lax.neg(x), x), axis);
                }
                default -> throw new AssertionError(which);
            }
            agree(name + " of " + dtype.shortName() + Arrays.toString(shape),
                    xs -> List.of(move.apply(Lax.neg(xs.get(0))), move.apply(xs.get(0))), seed, Tol.EXACT, true, ShapedArray.of(dtype, shape));
        });
    }

    // ---------------------------------------------------------------- dot_general and gather

    /** Products of random sizes m, k, n (1 to 17), each side possibly transposed, with a batch axis (1 to 3) or not. */
    @Test
    void dotGeneral() {
        qt().withExamples(TRIES).forAll(FLOATS, lists().of(integers().between(1, 17)).ofSize(3), integers().between(0, 15), SEEDS)
                .checkAssert((dtype, mkn, layout, seed) -> {
                    int m = mkn.get(0), k = mkn.get(1), n = mkn.get(2), batch = layout % 4;
                    boolean lhsT = (layout & 4) != 0, rhsT = (layout & 8) != 0;
                    int b = batch == 0 ? 0 : 1;
                    ShapedArray lhs = batch == 0 ? ShapedArray.of(dtype, lhsT ? new int[]{k, m} : new int[]{m, k})
                            : ShapedArray.of(dtype, lhsT ? new int[]{batch, k, m} : new int[]{batch, m, k});
                    ShapedArray rhs = batch == 0 ? ShapedArray.of(dtype, rhsT ? new int[]{n, k} : new int[]{k, n})
                            : ShapedArray.of(dtype, rhsT ? new int[]{batch, n, k} : new int[]{batch, k, n});
                    int[] lc = {b + (lhsT ? 0 : 1)}, rc = {b + (rhsT ? 1 : 0)};
                    int[] bd = batch == 0 ? new int[0] : new int[]{0};
                    agree("dot_general " + lhs.str() + " x " + rhs.str() + " contracting " + lc[0] + "," + rc[0],
                            xs -> List.of(Lax.dotGeneral(xs.get(0), xs.get(1), lc, rc, bd, bd)), seed, Tol.sum(k), false, lhs, rhs);
                });
    }

    /** Np.take along a random axis with 1 to 6 indices in [-d-1, d]: negative ones wrap once, out-of-range ones fill. */
    @Test
    void gatherByTake() {
        qt().withExamples(TRIES).forAll(NUMBERS, shapes(1), integers().between(1, 6), SEEDS).checkAssert((dtype, shape, count, seed) -> {
            Random rnd = new Random(seed);
            int axis = rnd.nextInt(shape.length), d = shape[axis];
            int[] idx = new int[count];
            for (int i = 0; i < count; i++) idx[i] = rnd.nextInt(2 * d + 2) - d - 1;
            Array indices = Array.fromInts(idx, count);
            agree("take " + Arrays.toString(idx) + " along " + axis + " of " + dtype.shortName() + Arrays.toString(shape),
                    xs -> List.of(Np.take(xs.get(0), indices, axis)), seed, Tol.EXACT, true, ShapedArray.of(dtype, shape));
        });
    }

    // ---------------------------------------------------------------- the four ways

    /** How close two results must be. */
    record Tol(double ulps, int terms) {
        static final Tol EXACT = new Tol(0, 0);

        static Tol ulps(double n) { return new Tol(n, 0); }

        /** n·u·Σ|terms|: sums of {@code n} terms in any order (a few ulps of the result on top). */
        static Tol sum(int n) { return new Tol(4, Math.max(1, n)); }
    }

    /**
     * {@code f} on random inputs of {@code avals}: eager, the reference backend on its jaxpr, jit on the
     * default backend, and vmap over a batch of 1 to 3 against per-example eager calls.
     */
    private static void agree(String name, Function<List<Array>, List<Array>> f, long seed, Tol tol, boolean specials, ShapedArray... avals) {
        Random rnd = new Random(seed);
        List<Array> args = inputs(avals, rnd, specials);
        List<Array> eager = f.apply(args);
        List<Array> scale = tol.terms() > 0 ? f.apply(abs(args)) : eager;

        Jaxpr j = Traced.traceWithConstants(f, avals);                   // captured arrays (take's indices) lead
        List<ArrayImpl> impls = new ArrayList<>(Traced.constants(f, avals));
        for (Array a : args) impls.add((ArrayImpl) a);
        assertAll(name + " [reference backend]", eager, ReferenceBackend.INSTANCE.compile(j, new boolean[impls.size()], name).execute(impls), scale, tol);

        io.vavr.Function1<List<Array>, List<Array>> jitted = Jax.jit(f::apply);
        assertAll(name + " [jit on " + Backends.current().name() + "]", eager, jitted.apply(args), scale, tol);

        int batch = 1 + rnd.nextInt(3);
        List<List<Array>> examples = new ArrayList<>();
        for (int b = 0; b < batch; b++) examples.add(inputs(avals, rnd, specials));
        List<Array> stacked = new ArrayList<>();
        for (int i = 0; i < avals.length; i++) {
            List<Array> column = new ArrayList<>();
            for (List<Array> e : examples) column.add(e.get(i));
            stacked.add(Np.stack(column, 0));
        }
        io.vavr.Function1<List<Array>, List<Array>> vmapped = Jax.vmap(f::apply);
        List<Array> batched = vmapped.apply(stacked);
        for (int b = 0; b < batch; b++) {
            List<Array> one = f.apply(examples.get(b));
            List<Array> oneScale = tol.terms() > 0 ? f.apply(abs(examples.get(b))) : one;
            List<Array> slice = new ArrayList<>();
            for (Array out : batched) slice.add(example(out, b));
            assertAll(name + " [vmap, example " + b + " of " + batch + "]", one, slice, oneScale, tol);
        }
    }

    private static List<Array> inputs(ShapedArray[] avals, Random rnd, boolean specials) {
        List<Array> args = new ArrayList<>();
        for (ShapedArray a : avals) {
            ArrayImpl x = Traced.random(a, rnd, false);
            if (specials && a.dtype().isFloating()) x = withSpecials(x, rnd);
            args.add(x);
        }
        return args;
    }

    /** About one element in five replaced by NaN, ±Inf or ±0, at random places (so small arrays get them too). */
    private static ArrayImpl withSpecials(ArrayImpl x, Random rnd) {
        double[] v = x.toDoubleArray();
        double[] specials = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0};
        for (int i = 0; i < v.length; i++) if (rnd.nextInt(5) == 0) v[i] = specials[rnd.nextInt(specials.length)];
        return ArrayImpl.ofDoubles(x.aval(), v);
    }

    private static List<Array> abs(List<Array> xs) {
        List<Array> out = new ArrayList<>();
        for (Array x : xs) out.add(x.dtype().isFloating() ? Lax.abs(x) : x);
        return out;
    }

    private static Array example(Array out, int b) {
        int[] s = out.shape();
        int[] start = new int[s.length], limit = s.clone();
        start[0] = b;
        limit[0] = b + 1;
        return Lax.reshape(Lax.slice(out, start, limit), Arrays.copyOfRange(s, 1, s.length));
    }

    private static void assertAll(String what, List<Array> want, List<Array> got, List<Array> scale, Tol tol) {
        assertEquals(want.size(), got.size(), what + ": number of outputs");
        for (int k = 0; k < want.size(); k++) assertClose(what + " output " + k, want.get(k), got.get(k), scale.get(k), tol);
    }

    private static void assertClose(String what, Array want, Array got, Array scale, Tol tol) {
        assertEquals(want.aval().str(), got.aval().str(), what + ": aval");
        double[] w = want.toDoubleArray(), g = got.toDoubleArray(), s = scale.toDoubleArray();
        boolean f32 = want.dtype() == DType.F32;
        for (int i = 0; i < w.length; i++) {
            if (Double.isNaN(w[i]) ? Double.isNaN(g[i]) : w[i] == g[i]) continue;
            if (!want.dtype().isFloating() || tol.ulps() == 0 || Double.isNaN(g[i]) || Double.isInfinite(w[i])) {
                fail(what + ": element " + i + " is " + g[i] + ", expected " + w[i] + " (exactly)");
            }
            double mag = Math.max(Math.abs(w[i]), tol.terms() > 0 ? Math.abs(s[i]) : 0);
            double ulp = f32 ? Math.ulp((float) mag) : Math.ulp(mag);
            double allowed = ulp * (tol.ulps() + tol.terms());
            if (Math.abs(w[i] - g[i]) > allowed) {
                fail(what + ": element " + i + " is " + g[i] + ", expected " + w[i] + " within " + allowed + " ("
                        + (tol.terms() > 0 ? tol.terms() + " terms of scale " + s[i] + ", " : "") + tol.ulps() + " ulps)");
            }
        }
    }

    // ---------------------------------------------------------------- shape helpers

    /** A shape that broadcasts against {@code shape}: some leading axes dropped, some others of size 1. */
    private static int[] broadcastPartner(int[] shape, Random rnd) {
        int drop = rnd.nextInt(shape.length + 1);
        int[] other = Arrays.copyOfRange(shape, drop, shape.length);
        for (int i = 0; i < other.length; i++) if (rnd.nextInt(3) == 0) other[i] = 1;
        return other;
    }

    /** A random non-empty set of axes, ascending. */
    private static int[] randomAxes(int rank, Random rnd) {
        List<Integer> axes = new ArrayList<>();
        for (int i = 0; i < rank; i++) if (rnd.nextBoolean()) axes.add(i);
        if (axes.isEmpty()) axes.add(rnd.nextInt(rank));
        return axes.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int[] permutation(int rank, Random rnd) {
        List<Integer> p = new ArrayList<>();
        for (int i = 0; i < rank; i++) p.add(i);
        java.util.Collections.shuffle(p, rnd);
        return p.stream().mapToInt(Integer::intValue).toArray();
    }
}
