package io.jax4j;

import io.jax4j.core.ArrayImpl;
import io.jax4j.core.Jax4jException;
import io.jax4j.core.SourceInfo;
import io.jax4j.core.StagingTrace;
import io.jax4j.core.Trace;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * {@code jax.random}: JAX's threefry2x32 PRNG, bit for bit as JAX 0.11 computes it with
 * {@code jax_threefry_partitionable=True} (the default).
 *
 * <p>A key is a {@code u32[2]} array (the {@code PRNGKey} form), a value like any other: the same
 * key gives the same numbers, and a new stream comes from {@link #split} or {@link #foldIn}. Every
 * function is a composition of primitives ({@code threefry2x32}, shifts, bitcasts, {@code erf_inv},
 * sort), written as jax/_src/prng.py and jax/_src/random.py write it, so it traces under jit and
 * vmap; only shapes (and the seed of {@link #key}) must be concrete. Under vmap, each example sees
 * one {@code u32[2]} key: map a function over {@code split(key, n)} to draw per-example numbers.
 *
 * <p>The partitionable scheme: the counter of the element at row-major index i of the output is
 * the 64-bit i as a (hi, lo) pair, and its bits are the xor of the two threefry output words.
 * {@code split(key, n)} is the pair of words for counters 0..n-1; {@code foldIn(key, d)} the pair
 * for counter (0, d).
 */
public final class Random {
    private Random() {}

    // ---------------------------------------------------------------- keys

    /**
     * {@code jax.random.PRNGKey(seed)}: {@code [seed >>> 32, seed & 0xFFFFFFFF]} as JAX computes it
     * without x64, where the seed is first taken as an int32: the key is {@code [0, low 32 bits]}.
     */
    public static Array key(long seed) {
        return u32(new long[]{0, seed & 0xFFFFFFFFL}, 2);
    }

    /** Two new keys from one: {@code u32[2,2]}. */
    public static Array split(Array key) { return split(key, 2); }

    /** {@code num} new keys, {@code u32[num,2]}: threefry of the counters (0, i), {@code i < num}. */
    public static Array split(Array key, int num) {
        checkKey("split", key);
        if (num < 0) throw new Jax4jException("Random.split: num must be non-negative, got " + num);
        consume("split", key);
        return splitShape(key, num);
    }

    /**
     * {@code jax.random.clone(key)}: the same key as a new value, which the key-reuse check counts
     * apart from {@code key} (Flax's lifted transforms split a clone of a stream's key).
     */
    public static Array clone(Array key) {
        checkKey("clone", key);
        return Lax.bitwiseOr(key, u32(new long[]{0, 0}, 2));
    }

    /** A new key that depends on {@code key} and the 32-bit {@code data}: threefry of the counter (0, data). */
    public static Array foldIn(Array key, int data) {
        return foldIn(key, u32(new long[]{Integer.toUnsignedLong(data)}));
    }

    /** {@link #foldIn(Array, int)} with a (possibly traced) integer scalar, e.g. the train step. */
    public static Array foldIn(Array key, Array data) {
        checkKey("foldIn", key);
        if (data.ndim() != 0 || !(data.dtype().isInteger() || data.dtype() == DType.BOOL)) {
            throw new Jax4jException("Random.foldIn: data must be an integer scalar, got " + data.aval().str()
                    + " (use Jax.vmap to fold in a batch of values)");
        }
        consume("foldIn", key);
        Array d = Lax.convertElementType(data, DType.U32);
        List<Array> w = Lax.threefry2x32(part(key, 0), part(key, 1), u32(new long[]{0}), d);
        return stackLast(w.get(0), w.get(1));
    }

    // ---------------------------------------------------------------- raw bits

    /** {@code jax.random.bits(key, shape, uint32)}: uniformly random u32 words. */
    public static Array bits(Array key, int... shape) {
        checkKey("bits", key);
        checkShape("bits", shape);
        consume("bits", key);
        return bits32(key, shape);
    }

    // ---------------------------------------------------------------- uniform

    /** Uniform f32 in [0, 1). */
    public static Array uniform(Array key, int... shape) { return uniform(key, shape, DType.F32, 0, 1); }

    /** Uniform in [minval, maxval) of a float dtype. */
    public static Array uniform(Array key, int[] shape, DType dtype, double minval, double maxval) {
        return uniform(key, shape, dtype, Lax.scalar(minval, floatDtype("uniform", dtype)), Lax.scalar(maxval, dtype));
    }

    /** Uniform in [minval, maxval) with array bounds broadcast to {@code shape}. */
    public static Array uniform(Array key, int[] shape, DType dtype, Array minval, Array maxval) {
        checkKey("uniform", key);
        checkShape("uniform", shape);
        floatDtype("uniform", dtype);
        consume("uniform", key);
        return uniformImpl(key, shape, dtype, minval, maxval);
    }

    /**
     * JAX's {@code _uniform}: random mantissa bits under the exponent of 1.0 give a float in [1, 2);
     * minus 1, scaled, shifted, and clamped below by minval.
     */
    static Array uniformImpl(Array key, int[] shape, DType dtype, Array minval, Array maxval) {
        minval = Lax.convertElementType(minval, dtype);
        maxval = Lax.convertElementType(maxval, dtype);
        Array floats = unitFloats(key, shape, dtype);
        Array scaled = fusedMultiplyAdd(floats, Np.subtract(maxval, minval), minval);
        return Np.broadcastTo(Np.maximum(minval, scaled), shape);
    }

    /**
     * {@code a·b + c} rounded once, as XLA computes it: its CPU and GPU compilers contract the
     * multiply and add of {@code floats * (maxval - minval) + minval} into one FMA. Evaluated in the
     * next wider float type, where the product of two narrower floats is exact and the sum of
     * uniform-sized operands is too, then rounded back. (f64 has no wider type: plain mul and add.)
     */
    private static Array fusedMultiplyAdd(Array a, Array b, Array c) {
        DType dt = a.dtype();
        DType wide = dt == DType.F64 ? null : dt == DType.F32 ? DType.F64 : DType.F32;
        if (wide == null) return Np.add(Np.multiply(a, b), c);
        Array r = Np.add(Np.multiply(Lax.convertElementType(a, wide), Lax.convertElementType(b, wide)), Lax.convertElementType(c, wide));
        return Lax.convertElementType(r, dt);
    }

    /** Floats in [0, 1): (bits >> (nbits - nmant)) | bits(1.0), viewed as a float, minus 1. */
    private static Array unitFloats(Array key, int[] shape, DType dtype) {
        return switch (dtype) {
            case F32 -> {
                Array b = Lax.shiftRightLogical(bits32(key, shape), u32(new long[]{32 - 23}));
                Array one = Lax.bitcastConvertType(Lax.bitwiseOr(b, u32(new long[]{0x3F800000L})), DType.F32);
                yield Lax.sub(one, Lax.scalar(1, DType.F32));
            }
            case F64 -> {
                // 64 random bits as (hi, lo) words; bits >> 12 | bits(1.0) word by word; low word first for the bitcast
                List<Array> w = threefryShape(key, shape);
                Array hi = Lax.bitwiseOr(Lax.shiftRightLogical(w.get(0), u32(new long[]{12})), u32(new long[]{0x3FF00000L}));
                Array lo = Lax.bitwiseOr(Lax.shiftRightLogical(w.get(1), u32(new long[]{12})),
                        Lax.shiftLeft(w.get(0), u32(new long[]{20})));
                Array one = Lax.bitcastConvertType(stackLast(lo, hi), DType.F64);
                yield Lax.sub(one, Lax.scalar(1, DType.F64));
            }
            case F16, BF16 -> {
                // u16/u8 bits as JAX draws them (the low 16 or 8 bits of the xor); the mantissa field
                // m of (1 + m·2^-nmant) - 1 is exact in the dtype, so it is computed arithmetically.
                int rngBits = dtype == DType.F16 ? 16 : 8, nmant = dtype == DType.F16 ? 10 : 7;
                Array low = Lax.bitwiseAnd(bits32(key, shape), u32(new long[]{(1L << rngBits) - 1}));
                Array m = Lax.shiftRightLogical(low, u32(new long[]{rngBits - nmant}));
                yield Lax.mul(Lax.convertElementType(m, dtype), Lax.scalar(Math.scalb(1.0, -nmant), dtype));
            }
            default -> throw new Jax4jException("Random.uniform: dtype must be a float dtype, got " + dtype);
        };
    }

    // ---------------------------------------------------------------- normal family

    /** Standard normal f32. */
    public static Array normal(Array key, int... shape) { return normal(key, shape, DType.F32); }

    /** Standard normal: √2 · erf⁻¹(u), u uniform in (-1, 1) (JAX's {@code _normal_real}). */
    public static Array normal(Array key, int[] shape, DType dtype) {
        checkKey("normal", key);
        checkShape("normal", shape);
        floatDtype("normal", dtype);
        consume("normal", key);
        return normalImpl(key, shape, dtype);
    }

    static Array normalImpl(Array key, int[] shape, DType dtype) {
        Array lo = Lax.scalar(nextAfter(-1, 0, dtype), dtype);
        Array u = uniformImpl(key, shape, dtype, lo, Lax.scalar(1, dtype));
        return Lax.mul(Lax.scalar(Math.sqrt(2), dtype), Lax.erfInv(u));
    }

    /** Standard normal f32 truncated to (lower, upper). */
    public static Array truncatedNormal(Array key, double lower, double upper, int... shape) {
        return truncatedNormal(key, Lax.scalar(lower, DType.F32), Lax.scalar(upper, DType.F32), shape, DType.F32);
    }

    public static Array truncatedNormal(Array key, double lower, double upper, int[] shape, DType dtype) {
        floatDtype("truncatedNormal", dtype);
        return truncatedNormal(key, Lax.scalar(lower, dtype), Lax.scalar(upper, dtype), shape, dtype);
    }

    /**
     * JAX's {@code _truncated_normal}: u uniform in [erf(lower/√2), erf(upper/√2)), out √2·erf⁻¹(u),
     * clipped into the open interval (nextafter(lower, +inf), nextafter(upper, -inf)).
     */
    public static Array truncatedNormal(Array key, Array lower, Array upper, int[] shape, DType dtype) {
        checkKey("truncatedNormal", key);
        checkShape("truncatedNormal", shape);
        floatDtype("truncatedNormal", dtype);
        consume("truncatedNormal", key);
        return truncatedNormalImpl(key, lower, upper, shape, dtype);
    }

    static Array truncatedNormalImpl(Array key, Array lower, Array upper, int[] shape, DType dtype) {
        Array sqrt2 = Lax.scalar(Math.sqrt(2), dtype);
        lower = Lax.convertElementType(lower, dtype);
        upper = Lax.convertElementType(upper, dtype);
        Array a = Lax.erf(Np.divide(lower, sqrt2));
        Array b = Lax.erf(Np.divide(upper, sqrt2));
        Array u = uniformImpl(key, shape, dtype, a, b);
        Array out = Lax.mul(sqrt2, Lax.erfInv(u));
        return Np.clip(out, nextAfter(lower, +1), nextAfter(upper, -1));
    }

    // ---------------------------------------------------------------- discrete

    /** {@code uniform(key, shape, p.dtype) < p}: True with probability p (a float, checked in [0, 1]). */
    public static Array bernoulli(Array key, double p, int... shape) {
        checkProbability("bernoulli", p);
        return bernoulli(key, Lax.scalar(p, DType.F32), shape);
    }

    /** Bernoulli with an array of probabilities broadcast to {@code shape} (p's shape when no shape is given). */
    public static Array bernoulli(Array key, Array p, int... shape) {
        checkKey("bernoulli", key);
        if (!p.dtype().isFloating()) {
            throw new Jax4jException("Random.bernoulli: probability p must have a floating dtype, got " + p.aval().str());
        }
        if (p instanceof ArrayImpl c) for (double v : c.toDoubles()) checkProbability("bernoulli", v);
        int[] s = shape == null || (shape.length == 0 && p.ndim() > 0) ? p.shape() : shape;
        checkShape("bernoulli", s);
        if (!Arrays.equals(Np.broadcastShapes("Random.bernoulli", s, p.shape()), s)) {
            throw new Jax4jException("Random.bernoulli: p of shape " + p.aval().str() + " must broadcast to the shape argument "
                    + Arrays.toString(s));
        }
        consume("bernoulli", key);
        Array u = uniformImpl(key, s, p.dtype(), Lax.scalar(0, p.dtype()), Lax.scalar(1, p.dtype()));
        return Np.less(u, p);
    }

    /** Uniform int32 in [minval, maxval). */
    public static Array randint(Array key, int[] shape, int minval, int maxval) {
        if (maxval <= minval) {
            throw new Jax4jException("Random.randint: maxval must be greater than minval, got minval=" + minval
                    + " and maxval=" + maxval + " (the range [minval, maxval) is empty)");
        }
        return randint(key, shape, Array.scalar(minval), Array.scalar(maxval));
    }

    /**
     * JAX's {@code _randint}: two 32-bit draws from the two halves of split(key) combined as
     * (hi mod span)·(2^32 mod span) + (lo mod span), mod span, to reduce the modulo bias.
     */
    public static Array randint(Array key, int[] shape, Array minval, Array maxval) {
        checkKey("randint", key);
        checkShape("randint", shape);
        if (minval instanceof ArrayImpl lo && maxval instanceof ArrayImpl hi && lo.ndim() == 0 && hi.ndim() == 0
                && hi.getLong(0) <= lo.getLong(0)) {
            throw new Jax4jException("Random.randint: maxval must be greater than minval, got minval=" + lo.getLong(0)
                    + " and maxval=" + hi.getLong(0) + " (the range [minval, maxval) is empty)");
        }
        consume("randint", key);
        return randintImpl(key, shape, minval, maxval);
    }

    static Array randintImpl(Array key, int[] shape, Array minval, Array maxval) {
        minval = Np.broadcastTo(Lax.convertElementType(minval, DType.I32), shape);
        maxval = Np.broadcastTo(Lax.convertElementType(maxval, DType.I32), shape);
        Array higher = bits32(subkey(key, 0), shape), lower = bits32(subkey(key, 1), shape);
        Array span = Lax.convertElementType(Lax.sub(maxval, minval), DType.U32);
        span = Lax.select(Lax.le(maxval, minval), Lax.fullLike(span, 1), span);
        Array multiplier = Lax.rem(Lax.fullLike(span, 1 << 16), span);
        multiplier = Lax.rem(Lax.mul(multiplier, multiplier), span);
        Array offset = Lax.add(Lax.mul(Lax.rem(higher, span), multiplier), Lax.rem(lower, span));
        offset = Lax.rem(offset, span);
        return Lax.add(minval, Lax.convertElementType(offset, DType.I32));
    }

    // ---------------------------------------------------------------- permutations and choice

    /** A random permutation of 0..n-1 (int32). */
    public static Array permutation(Array key, int n) {
        checkKey("permutation", key);
        if (n < 0) throw new Jax4jException("Random.permutation: n must be non-negative, got " + n);
        consume("permutation", key);
        return shuffle(key, Array.arange(n), 0);
    }

    /** {@code x} permuted along axis 0. */
    public static Array permutation(Array key, Array x) { return permutation(key, x, 0); }

    /** {@code x} permuted along {@code axis} (one permutation for all the other indices, as JAX). */
    public static Array permutation(Array key, Array x, int axis) {
        checkKey("permutation", key);
        if (x.ndim() == 0) throw new Jax4jException("Random.permutation: x must be at least 1-dimensional, got " + x.aval().str()
                + " (use permutation(key, n) for a range)");
        int ax = Np.normalizeAxes("permutation", x, axis)[0];
        consume("permutation", key);
        if (x.ndim() == 1) return shuffle(key, x, ax);
        return take(x, shuffle(key, Array.arange(x.dim(ax)), 0), ax);
    }

    /**
     * JAX's {@code _shuffle}: sort by fresh random 32-bit keys, in ceil(3·ln(size)/ln(2^32-1))
     * rounds, so that ties in one round are broken by the next.
     */
    static Array shuffle(Array key, Array x, int axis) {
        long size = Math.max(1, x.size());
        int rounds = (int) Math.ceil(3 * Math.log(size) / Math.log(4294967295.0));
        for (int r = 0; r < rounds; r++) {
            Array sub = subkey(key, 1);
            key = subkey(key, 0);
            Array sortKeys = bits32(sub, x.shape());
            x = Lax.sortKeyVal(sortKeys, x, axis).get(1);
        }
        return x;
    }

    /** {@code choice(key, arange(n), shape, replace, p)}. */
    public static Array choice(Array key, int n, int[] shape, boolean replace, Array p) {
        if (n <= 0 && sizeOf(shape) > 0) throw new Jax4jException("Random.choice: n must be positive unless no samples are taken, got " + n);
        return choiceImpl(key, null, n, shape, replace, p, 0);
    }

    /** Samples of {@code a}'s slices along axis 0; {@code p} (optional) their probabilities. */
    public static Array choice(Array key, Array a, int[] shape, boolean replace, Array p) {
        if (a.ndim() == 0) throw new Jax4jException("Random.choice: a must be at least 1-dimensional, got " + a.aval().str()
                + " (use choice(key, n, ...) for a range)");
        return choiceImpl(key, a, a.dim(0), shape, replace, p, 0);
    }

    private static Array choiceImpl(Array key, Array arr, int n, int[] shape, boolean replace, Array p, int axis) {
        checkKey("choice", key);
        checkShape("choice", shape);
        int draws = sizeOf(shape);
        if (!replace && draws > n) {
            throw new Jax4jException("Random.choice: cannot take a larger sample (" + draws + ") than the population (" + n
                    + ") with replace=false");
        }
        if (p != null && (p.ndim() != 1 || p.dim(0) != n)) {
            throw new Jax4jException("Random.choice: p must be null or match the population: expected shape [" + n + "], got "
                    + p.aval().str());
        }
        consume("choice", key);
        Array ind;
        if (p == null && replace) {
            ind = randintImpl(key, new int[]{draws}, Array.scalar(0), Array.scalar(n));
        } else if (p == null) {
            Array perm = shuffle(key, Array.arange(n), 0);
            ind = take(perm, Array.arange(draws), 0);
        } else if (replace) {
            Array pf = p.dtype().isFloating() ? p : Lax.convertElementType(p, DType.F32);
            Array cum = cumsum(pf);
            Array total = Lax.reshape(take(cum, Lax.reshape(Array.scalar(n - 1), 1), 0));
            Array u = uniformImpl(key, new int[]{draws}, pf.dtype(), Lax.scalar(0, pf.dtype()), Lax.scalar(1, pf.dtype()));
            Array r = Np.multiply(total, Lax.rsubScalar(1, u));
            ind = searchsortedLeft(cum, r);
        } else {
            Array pf = p.dtype().isFloating() ? p : Lax.convertElementType(p, DType.F32);
            Array g = Np.subtract(Lax.neg(gumbelImpl(key, new int[]{n}, pf.dtype())), Np.log(pf));
            Array order = Lax.sortKeyVal(g, Array.arange(n), 0).get(1);
            ind = take(order, Array.arange(draws), 0);
        }
        if (arr == null) return Lax.reshape(ind, shape);
        Array picked = take(arr, ind, axis);
        int[] rest = Arrays.copyOfRange(arr.shape(), 1, arr.ndim());
        return Lax.reshape(picked, concat(shape, rest));
    }

    /** Gumbel(0, 1) samples: -log(-log(u)), u uniform in [tiny, 1). */
    public static Array gumbel(Array key, int[] shape, DType dtype) {
        checkKey("gumbel", key);
        checkShape("gumbel", shape);
        floatDtype("gumbel", dtype);
        consume("gumbel", key);
        return gumbelImpl(key, shape, dtype);
    }

    static Array gumbelImpl(Array key, int[] shape, DType dtype) {
        double tiny = dtype == DType.F64 ? Double.MIN_NORMAL : dtype == DType.F32 ? Float.MIN_NORMAL
                : dtype == DType.F16 ? Math.scalb(1.0, -14) : Math.scalb(1.0, -126);
        Array u = uniformImpl(key, shape, dtype, Lax.scalar(tiny, dtype), Lax.scalar(1, dtype));
        return Lax.neg(Lax.log(Lax.neg(Lax.log(u))));
    }

    /** Samples indices along {@code axis} with probabilities softmax(logits): argmax(gumbel + logits). */
    public static Array categorical(Array key, Array logits, int axis) {
        checkKey("categorical", key);
        if (!logits.dtype().isFloating()) {
            throw new Jax4jException("Random.categorical: logits must be floating, got " + logits.aval().str());
        }
        int ax = Np.normalizeAxes("categorical", logits, axis)[0];
        consume("categorical", key);
        Array g = gumbelImpl(key, logits.shape(), logits.dtype());
        return Np.argmax(Lax.add(g, logits), ax);
    }

    /** {@code categorical(key, logits, -1)}. */
    public static Array categorical(Array key, Array logits) { return categorical(key, logits, -1); }

    // ---------------------------------------------------------------- more distributions (jax.random's formulas)

    /** {@code split(key, num)} as a list of {@code u32[2]} keys, to unpack: {@code var ks = Random.splitKeys(key, 3)}. */
    public static List<Array> splitKeys(Array key, int num) {
        Array keys = split(key, num);
        List<Array> out = new java.util.ArrayList<>(num);
        for (int i = 0; i < num; i++) out.add(keys.get(i));
        return out;
    }

    /** Exponential(1) samples: {@code -log1p(-u)}, u uniform in [0, 1). */
    public static Array exponential(Array key, int[] shape, DType dtype) {
        start("exponential", key, shape, dtype);
        return exponentialImpl(key, shape, dtype);
    }

    /** float32 {@link #exponential(Array, int[], DType)}. */
    public static Array exponential(Array key, int... shape) { return exponential(key, shape, DType.F32); }

    private static Array exponentialImpl(Array key, int[] shape, DType dtype) {
        Array u = uniformImpl(key, shape, dtype, Lax.scalar(0, dtype), Lax.scalar(1, dtype));
        return Lax.neg(Lax.log1p(Lax.neg(u)));
    }

    /** Laplace(0, 1) samples: {@code sign(u) log1p(-|u|)}, u uniform in [-1 + epsneg, 1). */
    public static Array laplace(Array key, int[] shape, DType dtype) {
        start("laplace", key, shape, dtype);
        Array u = uniformImpl(key, shape, dtype, Lax.scalar(-1 + epsneg(dtype), dtype), Lax.scalar(1, dtype));
        return Lax.mul(Lax.sign(u), Lax.log1p(Lax.neg(Lax.abs(u))));
    }

    /** float32 {@link #laplace(Array, int[], DType)}. */
    public static Array laplace(Array key, int... shape) { return laplace(key, shape, DType.F32); }

    /** Logistic(0, 1) samples: {@code log(u) - log1p(-u)}, u uniform in [tiny, 1). */
    public static Array logistic(Array key, int[] shape, DType dtype) {
        start("logistic", key, shape, dtype);
        Array u = uniformImpl(key, shape, dtype, Lax.scalar(tiny(dtype), dtype), Lax.scalar(1, dtype));
        return Lax.sub(Lax.log(u), Lax.log1p(Lax.neg(u)));
    }

    /** float32 {@link #logistic(Array, int[], DType)}. */
    public static Array logistic(Array key, int... shape) { return logistic(key, shape, DType.F32); }

    /**
     * Cauchy(0, 1) samples: {@code tan(π (u - 0.5))}, u uniform in [eps, 1). The tangent is sin/cos here
     * (no tan primitive yet), which may differ from XLA's tan in the last bit.
     */
    public static Array cauchy(Array key, int[] shape, DType dtype) {
        start("cauchy", key, shape, dtype);
        double eps = dtype == DType.F64 ? Math.ulp(1.0) : dtype == DType.F32 ? Math.ulp(1.0f) : dtype == DType.F16 ? Math.scalb(1.0, -10) : Math.scalb(1.0, -7);
        Array u = uniformImpl(key, shape, dtype, Lax.scalar(eps, dtype), Lax.scalar(1, dtype));
        Array angle = Lax.mul(Lax.fullLike(u, Math.PI), Lax.sub(u, Lax.fullLike(u, 0.5)));
        return Lax.div(Lax.sin(angle), Lax.cos(angle));
    }

    /** float32 {@link #cauchy(Array, int[], DType)}. */
    public static Array cauchy(Array key, int... shape) { return cauchy(key, shape, DType.F32); }

    /** Rademacher samples, -1 or 1 with equal probability: {@code 2 bernoulli(0.5) - 1} in {@code dtype}. */
    public static Array rademacher(Array key, int[] shape, DType dtype) {
        checkKey("rademacher", key);
        checkShape("rademacher", shape);
        if (dtype == DType.BOOL) throw new Jax4jException("Random.rademacher: dtype must be numeric, got bool");
        consume("rademacher", key);
        Array u = uniformImpl(key, shape, DType.F32, Lax.scalar(0, DType.F32), Lax.scalar(1, DType.F32));
        Array b = Lax.convertElementType(Lax.lt(u, Lax.fullLike(u, 0.5)), dtype);
        return Lax.sub(Lax.mul(Lax.fullLike(b, 2), b), Lax.fullLike(b, 1));
    }

    /** int32 {@link #rademacher(Array, int[], DType)}. */
    public static Array rademacher(Array key, int... shape) { return rademacher(key, shape, DType.I32); }

    /** Pareto(b) samples on [1, inf): {@code exp(e / b)}, e exponential. */
    public static Array pareto(Array key, Array b, int[] shape, DType dtype) {
        int[] s = shape == null ? b.shape() : shape;
        start("pareto", key, s, dtype);
        Array e = exponentialImpl(key, s, dtype);
        return Np.exp(Np.divide(e, Lax.convertElementType(b, dtype)));
    }

    /** Weibull samples: {@code (-log1p(-u))^(1/concentration) * scale}. */
    public static Array weibullMin(Array key, Array scale, Array concentration, int[] shape, DType dtype) {
        start("weibullMin", key, shape, dtype);
        Array u = uniformImpl(key, shape, dtype, Lax.scalar(0, dtype), Lax.scalar(1, dtype));
        Array c = Lax.convertElementType(concentration, dtype);
        return Np.multiply(Np.power(Lax.neg(Lax.log1p(Lax.neg(u))), Np.divide(Lax.fullLike(c, 1), c)), Lax.convertElementType(scale, dtype));
    }

    /** One-sided Maxwell samples: the length of a standard normal 3-vector. */
    public static Array maxwell(Array key, int[] shape, DType dtype) {
        start("maxwell", key, shape, dtype);
        Array n = normalImpl(key, concat(shape, new int[]{3}), dtype);
        return Linalg.norm(n, null, -1);
    }

    /** float32 {@link #maxwell(Array, int[], DType)}. */
    public static Array maxwell(Array key, int... shape) { return maxwell(key, shape, DType.F32); }

    /** Double-sided Maxwell samples: a Maxwell sample with a random sign, times scale plus loc. */
    public static Array doubleSidedMaxwell(Array key, Array loc, Array scale, int[] shape, DType dtype) {
        checkKey("doubleSidedMaxwell", key);
        int[] params = Np.broadcastShapes("Random.doubleSidedMaxwell", loc, scale);
        int[] s = concat(shape, params);
        List<Array> ks = List.of(subkey(key, 0), subkey(key, 1));
        consume("doubleSidedMaxwell", key);
        Array m = maxwell(ks.get(0), s, dtype);
        Array sign = rademacher(ks.get(1), s, dtype);
        return Np.add(Np.multiply(Np.multiply(sign, m), Lax.convertElementType(scale, dtype)), Lax.convertElementType(loc, dtype));
    }

    /**
     * Multivariate normal samples {@code mean + L z} with {@code L = cholesky(cov)} (JAX's default
     * method) and z standard normal of shape {@code shape + [n]} ({@code shape} null: the broadcast
     * of mean's and cov's batch shapes).
     */
    public static Array multivariateNormal(Array key, Array mean, Array cov, int[] shape, DType dtype) {
        checkKey("multivariateNormal", key);
        floatDtype("multivariateNormal", dtype);
        if (mean.ndim() < 1 || cov.ndim() < 2 || cov.dim(-1) != mean.dim(-1) || cov.dim(-2) != mean.dim(-1)) {
            throw new Jax4jException("Random.multivariateNormal: needs mean (..., n) and cov (..., n, n), got " + mean.aval().str()
                    + " and " + cov.aval().str());
        }
        int n = mean.dim(-1);
        int[] batch = Np.broadcastShapes("Random.multivariateNormal", Arrays.copyOf(mean.shape(), mean.ndim() - 1),
                Arrays.copyOf(cov.shape(), cov.ndim() - 2));
        int[] s = shape == null ? batch : shape;
        checkShape("multivariateNormal", s);
        consume("multivariateNormal", key);
        Array factor = Linalg.cholesky(Lax.convertElementType(cov, dtype));
        Array z = normalImpl(key, concat(s, new int[]{n}), dtype);
        Array lz = Np.squeeze(Np.matmul(factor, Np.expandDims(z, -1)), -1);
        return Np.add(Lax.convertElementType(mean, dtype), lz);
    }

    /**
     * Standard Gamma(a) samples of {@code shape} (null: a's shape), {@code a} broadcast to it; JAX's
     * Marsaglia–Tsang rejection per element (see {@link io.jax4j.prims.RandomPrimitives#RANDOM_GAMMA}).
     * Differentiable in {@code a} as in JAX: the samples move with a at a fixed quantile (implicit
     * reparameterization, {@link io.jax4j.prims.RandomPrimitives#RANDOM_GAMMA_GRAD}).
     */
    public static Array gamma(Array key, Array a, int[] shape, DType dtype) { return gammaOf("gamma", key, a, shape, dtype, false); }

    /** float32 Gamma(a) samples of a's shape. */
    public static Array gamma(Array key, Array a) { return gamma(key, a, null, DType.F32); }

    /** log of Gamma(a) samples, accurate where a is small (JAX's {@code loggamma}). */
    public static Array loggamma(Array key, Array a, int[] shape, DType dtype) { return gammaOf("loggamma", key, a, shape, dtype, true); }

    private static Array gammaOf(String fn, Array key, Array a, int[] shape, DType dtype, boolean logSpace) {
        checkKey(fn, key);
        floatDtype(fn, dtype);
        int[] s = shape == null ? a.shape() : shape;
        checkShape(fn, s);
        if (!Arrays.equals(Np.broadcastShapes("Random." + fn, s, a.shape()), s)) {
            throw new Jax4jException("Random." + fn + ": a of shape " + a.aval().str() + " must broadcast to the shape argument " + Arrays.toString(s));
        }
        consume(fn, key);
        Array alpha = Np.broadcastTo(Lax.convertElementType(a, dtype), s);
        return io.jax4j.prims.RandomPrimitives.RANDOM_GAMMA.bind1(new io.jax4j.prims.RandomPrimitives.GammaParams(logSpace), key, alpha);
    }

    /** Beta(a, b) samples: {@code Ga / (Ga + Gb)}, computed from log-gammas without losing precision. */
    public static Array beta(Array key, Array a, Array b, int[] shape, DType dtype) {
        checkKey("beta", key);
        int[] s = shape == null ? Np.broadcastShapes("Random.beta", a, b) : shape;
        Array ka = subkey(key, 0), kb = subkey(key, 1);
        consume("beta", key);
        Array logA = loggamma(ka, Np.broadcastTo(Lax.convertElementType(a, dtype), s), s, dtype);
        Array logB = loggamma(kb, Np.broadcastTo(Lax.convertElementType(b, dtype), s), s, dtype);
        Array logMax = Lax.max(logA, logB);
        Array ga = Lax.exp(Lax.sub(logA, logMax)), gb = Lax.exp(Lax.sub(logB, logMax));
        return Lax.div(ga, Lax.add(ga, gb));
    }

    /** Dirichlet(alpha) samples over alpha's last axis: the softmax of log-gamma samples. */
    public static Array dirichlet(Array key, Array alpha, int[] shape, DType dtype) {
        if (alpha.ndim() < 1) throw new Jax4jException("Random.dirichlet: alpha must have at least one axis, got " + alpha.aval().str());
        int[] batch = shape == null ? Arrays.copyOf(alpha.shape(), alpha.ndim() - 1) : shape;
        int[] s = concat(batch, new int[]{alpha.dim(-1)});
        return Nn.softmax(loggamma(key, Np.broadcastTo(Lax.convertElementType(alpha, dtype), s), s, dtype), -1);
    }

    /** Student's t(df) samples: {@code n sqrt((df / 2) / g)}, n normal, g Gamma(df / 2). */
    public static Array t(Array key, Array df, int[] shape, DType dtype) {
        checkKey("t", key);
        int[] s = shape == null ? df.shape() : shape;
        Array kn = subkey(key, 0), kg = subkey(key, 1);
        consume("t", key);
        Array n = normalImpl(kn, s, dtype);
        Array halfDf = Np.divide(Lax.convertElementType(df, dtype), Lax.scalar(2, dtype));
        Array g = gamma(kg, Np.broadcastTo(halfDf, s), s, dtype);
        return Np.multiply(n, Np.sqrt(Np.divide(halfDf, g)));
    }

    /**
     * Wald (inverse Gaussian, λ = 1) samples of the given {@code mean} broadcast to {@code shape} (null:
     * mean's shape), as JAX draws them: y = v² of a normal v, x = μ + μ²y/2 - (μ/2)√(4μy + μ²y²), then
     * x where a uniform z ≤ μ/(μ + x), else μ²/x.
     */
    public static Array wald(Array key, Array mean, int[] shape, DType dtype) {
        checkKey("wald", key);
        floatDtype("wald", dtype);
        int[] s = shape == null ? mean.shape() : shape;
        checkShape("wald", s);
        Array k1 = subkey(key, 0), k2 = subkey(key, 1);
        consume("wald", key);
        Array mu = Np.broadcastTo(Lax.convertElementType(mean, dtype), s);
        Array v = normalImpl(k1, s, dtype);
        Array z = uniformImpl(k2, s, dtype, Lax.scalar(0, dtype), Lax.scalar(1, dtype));
        Array y = Lax.mul(v, v), ySq = Lax.mul(y, y), muSq = Lax.mul(mu, mu);
        Array four = Lax.fullLike(mu, 4), two = Lax.fullLike(mu, 2);
        Array sqrtTerm = Lax.sqrt(Lax.add(Lax.mul(Lax.mul(four, mu), y), Lax.mul(muSq, ySq)));
        Array x = Lax.sub(Lax.add(mu, Lax.div(Lax.mul(muSq, y), two)), Lax.mul(Lax.div(mu, two), sqrtTerm));
        return Lax.select(Lax.le(z, Lax.div(mu, Lax.add(mu, x))), x, Lax.div(muSq, x));
    }

    /** float32 {@link #wald(Array, Array, int[], DType)} of mean's shape. */
    public static Array wald(Array key, Array mean) { return wald(key, mean, null, DType.F32); }

    /**
     * Samples uniform in the unit Lp ball of dimension {@code d}, of shape {@code [...shape, d]}, as JAX
     * draws them (Barthe et al.): g generalized-normal(p) of shape [...shape, d], e exponential of
     * shape, g / (Σ|g|^p + e)^(1/p).
     */
    public static Array ball(Array key, int d, double p, int[] shape, DType dtype) {
        checkKey("ball", key);
        floatDtype("ball", dtype);
        checkShape("ball", shape);
        if (d < 0) throw new Jax4jException("Random.ball: d must be a nonnegative int, got " + d);
        Array k1 = subkey(key, 0), k2 = subkey(key, 1);
        consume("ball", key);
        Array g = generalizedNormal(k1, p, concat(shape, new int[]{d}), dtype);
        Array e = exponential(k2, shape, dtype);
        Array sum = Np.add(Np.sum(Np.power(Np.abs(g), Array.weak(p)), -1), e);
        return Np.divide(g, Np.expandDims(Np.power(sum, Array.weak(1 / p)), -1));
    }

    /** float32 {@link #ball(Array, int, double, int[], DType)} in the L2 ball. */
    public static Array ball(Array key, int d, int... shape) { return ball(key, d, 2, shape, DType.F32); }

    /** Chi-square(df) samples: {@code 2 exp(loggamma(df / 2))}. */
    public static Array chisquare(Array key, Array df, int[] shape, DType dtype) {
        int[] s = shape == null ? df.shape() : shape;
        Array halfDf = Np.divide(Lax.convertElementType(df, dtype), Lax.scalar(2, dtype));
        return Lax.mul(Lax.exp(loggamma(key, Np.broadcastTo(halfDf, s), s, dtype)), Lax.scalar(2, dtype));
    }

    /**
     * Haar-random orthogonal {@code n × n} matrices of batch shape {@code shape}: the Q of a normal
     * matrix's QR, its columns' signs fixed by R's diagonal (JAX's {@code orthogonal}).
     */
    public static Array orthogonal(Array key, int n, int[] shape, DType dtype) {
        start("orthogonal", key, shape, dtype);
        Array z = normalImpl(key, concat(shape, new int[]{n, n}), dtype);
        Linalg.QrResult qr = Linalg.qr(z);
        Array d = io.jax4j.prims.Decompositions.diagonalOf(qr.r());
        return Np.multiply(qr.q(), Np.expandDims(Np.sign(d), -2));
    }

    /**
     * Poisson(lam) samples, int32, of {@code shape} (null: lam's shape): Knuth's multiplication of
     * uniforms below lam = 10, Hörmann's transformed rejection above, as JAX's exact method runs them
     * (both loops on the same key, each until every element is done; lam = 0 gives 0). The loops are
     * {@code Lax.whileLoop}s (the autodiff module provides them).
     */
    public static Array poisson(Array key, Array lam, int[] shape) {
        checkKey("poisson", key);
        int[] s = shape == null ? lam.shape() : shape;
        checkShape("poisson", s);
        if (!Arrays.equals(Np.broadcastShapes("Random.poisson", s, lam.shape()), s)) {
            throw new Jax4jException("Random.poisson: lam of shape " + lam.aval().str() + " must broadcast to the shape argument " + Arrays.toString(s));
        }
        consume("poisson", key);
        Array l = Np.broadcastTo(Lax.convertElementType(lam, DType.F32), s);
        Array useKnuth = Lax.bitwiseOr(Lax.ne(l, l), Lax.lt(l, Lax.fullLike(l, 10)));
        Array lamKnuth = Lax.select(useKnuth, l, Lax.zerosLike(l));
        Array lamRejection = Lax.select(useKnuth, Lax.fullLike(l, 1e5), l);
        Array result = Lax.select(useKnuth, poissonKnuth(key, lamKnuth, s), poissonRejection(key, lamRejection, s));
        return Lax.select(Lax.eq(l, Lax.zerosLike(l)), Lax.zerosLike(result), result);
    }

    /** {@code poisson(key, lam)} of lam's shape. */
    public static Array poisson(Array key, Array lam) { return poisson(key, lam, null); }

    private static Array poissonKnuth(Array key, Array lam, int[] shape) {
        Array negLam = Lax.neg(lam);
        List<Array> init = List.of(Array.scalar(0), Lax.zerosLike(Lax.convertElementType(lam, DType.I32)), key, Lax.zerosLike(lam));
        List<Array> out = Lax.whileLoop(
                (List<Array> c) -> Np.any(Lax.gt(c.get(3), negLam)),
                (List<Array> c) -> {
                    Array keys = splitShape(c.get(2), 2);
                    Array k = Lax.select(Lax.gt(c.get(3), negLam), Lax.add(c.get(1), Lax.fullLike(c.get(1), 1)), c.get(1));
                    Array u = uniformImpl(keys.get(1), shape, DType.F32, Lax.scalar(0, DType.F32), Lax.scalar(1, DType.F32));
                    return List.of(Lax.add(c.get(0), Array.scalar(1)), k, keys.get(0), Lax.add(c.get(3), Lax.log(u)));
                }, init);
        return Lax.sub(out.get(1), Lax.fullLike(out.get(1), 1));
    }

    private static Array poissonRejection(Array key, Array lam, int[] shape) {
        Array logLam = Lax.log(lam);
        Array b = Lax.add(Lax.fullLike(lam, 0.931), Lax.mul(Lax.fullLike(lam, 2.53), Lax.sqrt(lam)));
        Array a = Lax.add(Lax.fullLike(lam, -0.059), Lax.mul(Lax.fullLike(lam, 0.02483), b));
        Array invAlpha = Lax.add(Lax.fullLike(lam, 1.1239), Lax.div(Lax.fullLike(lam, 1.1328), Lax.sub(b, Lax.fullLike(lam, 3.4))));
        Array vR = Lax.sub(Lax.fullLike(lam, 0.9277), Lax.div(Lax.fullLike(lam, 3.6224), Lax.sub(b, Lax.fullLike(lam, 2))));
        Array bools = Lax.ne(lam, lam);
        List<Array> init = List.of(Array.scalar(0), Lax.fullLike(lam, -1), Lax.bitwiseAnd(bools, Lax.not(bools)), key);
        List<Array> out = Lax.whileLoop(
                (List<Array> c) -> Np.any(Lax.not(c.get(2))),
                (List<Array> c) -> {
                    Array keys = splitShape(c.get(3), 3);
                    Array u = Lax.sub(uniformImpl(keys.get(1), shape, DType.F32, Lax.scalar(0, DType.F32), Lax.scalar(1, DType.F32)),
                            Lax.fullLike(lam, 0.5));
                    Array v = uniformImpl(keys.get(2), shape, DType.F32, Lax.scalar(0, DType.F32), Lax.scalar(1, DType.F32));
                    Array uShifted = Lax.sub(Lax.fullLike(lam, 0.5), Lax.abs(u));
                    Array k = Lax.floor(Lax.add(Lax.add(Lax.mul(Lax.add(Lax.div(Lax.mul(Lax.fullLike(lam, 2), a), uShifted), b), u), lam),
                            Lax.fullLike(lam, 0.43)));
                    Array s = Lax.log(Lax.div(Lax.mul(v, invAlpha), Lax.add(Lax.div(a, Lax.mul(uShifted, uShifted)), b)));
                    Array t = Lax.sub(Lax.add(Lax.neg(lam), Lax.mul(k, logLam)), Special.gammaln(Lax.add(k, Lax.fullLike(k, 1))));
                    Array accept1 = Lax.bitwiseAnd(Lax.ge(uShifted, Lax.fullLike(lam, 0.07)), Lax.le(v, vR));
                    Array reject = Lax.bitwiseOr(Lax.lt(k, Lax.zerosLike(k)),
                            Lax.bitwiseAnd(Lax.lt(uShifted, Lax.fullLike(lam, 0.013)), Lax.gt(v, uShifted)));
                    Array accept = Lax.bitwiseOr(accept1, Lax.bitwiseAnd(Lax.not(reject), Lax.le(s, t)));
                    return List.of(Lax.add(c.get(0), Array.scalar(1)), Lax.select(accept, k, c.get(1)), Lax.bitwiseOr(c.get(2), accept), keys.get(0));
                }, init);
        return Lax.convertElementType(out.get(1), DType.I32);
    }

    /** F(dfnum, dfden) samples: {@code (chi2(dfnum) / dfnum) / (chi2(dfden) / dfden)}, the denominator's key first as JAX splits. */
    public static Array f(Array key, Array dfnum, Array dfden, int[] shape, DType dtype) {
        checkKey("f", key);
        int[] s = shape == null ? Np.broadcastShapes("Random.f", dfden, dfnum) : shape;
        Array keyDfd = subkey(key, 0), keyDfn = subkey(key, 1);
        consume("f", key);
        Array num = Np.divide(chisquare(keyDfn, dfnum, s, dtype), Lax.convertElementType(dfnum, dtype));
        Array den = Np.divide(chisquare(keyDfd, dfden, s, dtype), Lax.convertElementType(dfden, dtype));
        return Np.divide(num, den);
    }

    /** Generalized normal samples of shape parameter p: {@code r · g^(1/p)}, g Gamma(1/p), r a random sign (p = 2: a normal's scale over √2). */
    public static Array generalizedNormal(Array key, double p, int[] shape, DType dtype) {
        checkKey("generalizedNormal", key);
        Array k0 = subkey(key, 0), k1 = subkey(key, 1);
        consume("generalizedNormal", key);
        Array g = gamma(k0, Lax.scalar(1 / p, dtype), shape, dtype);
        Array r = rademacher(k1, shape, dtype);
        return Np.multiply(r, Np.power(g, Array.weak(1 / p)));
    }

    private static void start(String fn, Array key, int[] shape, DType dtype) {
        checkKey(fn, key);
        checkShape(fn, shape);
        floatDtype(fn, dtype);
        consume(fn, key);
    }

    /** The distance from 1 to the next smaller float of the dtype. */
    private static double epsneg(DType dtype) {
        return switch (dtype) {
            case F64 -> Math.scalb(1.0, -53);
            case F16 -> Math.scalb(1.0, -11);
            case BF16 -> Math.scalb(1.0, -8);
            default -> Math.scalb(1.0, -24);
        };
    }

    /** The smallest normal float of the dtype. */
    private static double tiny(DType dtype) {
        return dtype == DType.F64 ? Double.MIN_NORMAL : dtype == DType.F32 ? Float.MIN_NORMAL
                : dtype == DType.F16 ? Math.scalb(1.0, -14) : Math.scalb(1.0, -126);
    }

    // ---------------------------------------------------------------- the key-reuse check

    private static volatile boolean checkReuse = "1".equals(System.getenv("JAX4J_CHECK_KEY_REUSE"));
    private static final Map<Array, Use> USES = new WeakHashMap<>();

    private record Use(Trace trace, String op, String site) {}

    /**
     * Turns the key-reuse check on or off (like {@code jax_debug_key_reuse}; also
     * {@code JAX4J_CHECK_KEY_REUSE=1}): inside one traced function, a key used twice for randomness
     * (sampling, split or foldIn) is an error naming both uses. A process-wide switch: set it at
     * start-up, before other threads trace; changing it while another thread traces affects that trace
     * from its next random call.
     */
    public static void checkKeyReuse(boolean enabled) { checkReuse = enabled; }

    public static boolean isCheckingKeyReuse() { return checkReuse; }

    private static void consume(String op, Array key) {
        if (!checkReuse) return;
        Trace staging = Trace.current();
        while (staging != null && !(staging instanceof StagingTrace)) staging = staging.parent();
        if (staging == null) return;
        String site = SourceInfo.userFrame();
        synchronized (USES) {
            Use prev = USES.get(key);
            if (prev != null && prev.trace() == staging) {
                throw new KeyReuseError("Random." + op + ": the PRNG key " + key.aval().str() + " was already used by Random."
                        + prev.op() + " at " + prev.site() + " and is used again at " + site + " in "
                        + staging.description() + ". A key must be used once: split it (Random.split) and use each subkey once.");
            }
            USES.put(key, new Use(staging, op, site));
        }
    }

    /** A PRNG key was used twice inside one traced function while {@link #checkKeyReuse} is on. */
    public static final class KeyReuseError extends Jax4jException {
        public KeyReuseError(String message) { super(message); }
    }

    // ---------------------------------------------------------------- building blocks

    /** The pair of threefry words for the partitionable counters of {@code shape} (iota as (hi, lo)). */
    private static List<Array> threefryShape(Array key, int[] shape) {
        int n = sizeOf(shape);
        long[] lo = new long[n];
        for (int i = 0; i < n; i++) lo[i] = i;
        Array hi = u32(new long[n], shape), los = u32(lo, shape);
        return Lax.threefry2x32(part(key, 0), part(key, 1), hi, los);
    }

    /** 32 random bits per element: the xor of the two threefry words. */
    static Array bits32(Array key, int[] shape) {
        List<Array> w = threefryShape(key, shape);
        return Lax.bitwiseXor(w.get(0), w.get(1));
    }

    /** {@code split(key, shape)}: the two words of each counter, stacked on a last axis of 2. */
    private static Array splitShape(Array key, int... shape) {
        List<Array> w = threefryShape(key, shape);
        return stackLast(w.get(0), w.get(1));
    }

    /** {@code split(key, num)[i]}, computed alone: the words of counter (0, i). */
    private static Array subkey(Array key, int i) {
        List<Array> w = Lax.threefry2x32(part(key, 0), part(key, 1), u32(new long[]{0}), u32(new long[]{i}));
        return stackLast(w.get(0), w.get(1));
    }

    /** {@code key[i]} as a u32 scalar (the masked maximum: no slicing primitive needed). */
    private static Array part(Array key, int i) {
        Array mask = ArrayImpl.ofLongs(ShapedArray.of(DType.BOOL, 2), new long[]{i == 0 ? 1 : 0, i == 1 ? 1 : 0});
        return Lax.reduceMax(Lax.select(mask, key, Lax.zerosLike(key)), 0);
    }

    /** {@code jnp.stack([a, b], axis=-1)} for two arrays of one shape. */
    private static Array stackLast(Array a, Array b) {
        int r = a.ndim();
        int[] out = concat(a.shape(), new int[]{2});
        int[] bd = new int[r];
        for (int i = 0; i < r; i++) bd[i] = i;
        Array second = ArrayImpl.ofLongs(ShapedArray.of(DType.BOOL, 2), new long[]{0, 1});
        Array mask = Lax.broadcastInDim(second, out, new int[]{r});
        return Lax.select(mask, Lax.broadcastInDim(b, out, bd), Lax.broadcastInDim(a, out, bd));
    }

    /** {@code jnp.take(x, ind, axis)} for 1-D int indices, as a one-hot contraction (exact: one term each). */
    static Array take(Array x, Array ind, int axis) {
        int n = x.dim(axis), m = ind.dim(0);
        Array iota = Lax.broadcastInDim(Array.arange(n), new int[]{m, n}, new int[]{1});
        Array idx = Lax.broadcastInDim(Lax.convertElementType(ind, DType.I32), new int[]{m, n}, new int[]{0});
        DType dt = x.dtype() == DType.BOOL ? DType.I32 : x.dtype();
        Array onehot = Lax.convertElementType(Lax.eq(idx, iota), dt);
        Array xv = Lax.convertElementType(x, dt);
        Array picked = Lax.dotGeneral(onehot, xv, new int[]{1}, new int[]{axis}, new int[0], new int[0]);
        picked = Np.moveaxis(picked, 0, axis);
        return x.dtype() == DType.BOOL ? Lax.ne(picked, Lax.zerosLike(picked)) : picked;
    }

    /** Inclusive cumulative sum of a vector (a triangular contraction; summed in double by the reference). */
    private static Array cumsum(Array p) {
        int n = p.dim(0);
        double[] tri = new double[n * n];
        for (int i = 0; i < n; i++) for (int j = i; j < n; j++) tri[i * n + j] = 1;
        Array upper = ArrayImpl.ofDoubles(ShapedArray.of(p.dtype(), n, n), tri);
        return Lax.dotGeneral(p, upper, new int[]{0}, new int[]{0}, new int[0], new int[0]);
    }

    /** {@code jnp.searchsorted(sorted, r, side='left')}: the number of entries below each r. */
    private static Array searchsortedLeft(Array sorted, Array r) {
        int n = sorted.dim(0), m = r.dim(0);
        Array s = Lax.broadcastInDim(sorted, new int[]{m, n}, new int[]{1});
        Array rr = Lax.broadcastInDim(r, new int[]{m, n}, new int[]{0});
        return Lax.reduceSum(Lax.convertElementType(Lax.lt(s, rr), DType.I32), 1);
    }

    /** {@code lax.nextafter(x, ±inf)}: the neighbouring float of x's dtype in direction {@code dir}. */
    private static Array nextAfter(Array x, int dir) {
        if (x instanceof ArrayImpl c) {
            double[] v = c.toDoubles();
            for (int i = 0; i < v.length; i++) v[i] = nextAfter(v[i], dir * Double.POSITIVE_INFINITY, x.dtype());
            return ArrayImpl.ofDoubles(x.aval().strong(), v);
        }
        if (x.dtype() != DType.F32) {
            throw new Jax4jException("Random.truncatedNormal: traced bounds of " + x.aval().str() + " are not supported; pass "
                    + "concrete bounds or float32 ones");
        }
        // on the bits (sign-magnitude): away from zero is +1, towards zero -1; from ±0 the smallest subnormal
        Array bitsOf = Lax.bitcastConvertType(x, DType.I32);
        Array towardsPositive = Lax.gt(x, Lax.zerosLike(x));
        Array step = Lax.select(dir > 0 ? towardsPositive : Lax.not(towardsPositive), Lax.fullLike(bitsOf, 1), Lax.fullLike(bitsOf, -1));
        Array moved = Lax.bitcastConvertType(Lax.add(bitsOf, step), DType.F32);
        Array fromZero = Lax.fullLike(x, dir > 0 ? Float.MIN_VALUE : -Float.MIN_VALUE);
        Array r = Lax.select(Lax.eq(x, Lax.zerosLike(x)), fromZero, moved);
        return Lax.select(Lax.ne(x, x), x, r);
    }

    /** Math.nextAfter in the precision of {@code dtype}. */
    private static double nextAfter(double x, double direction, DType dtype) {
        return switch (dtype) {
            case F64 -> Math.nextAfter(x, direction);
            case F32 -> Math.nextAfter((float) x, direction);
            case F16 -> {
                if (x == 0) yield Math.copySign(Math.scalb(1.0, -24), direction);
                short h = Float.floatToFloat16((float) x);
                int delta = (direction > x) == (x > 0) ? 1 : -1; // sign-magnitude bits
                yield Float.float16ToFloat((short) (h + delta));
            }
            default -> Math.nextAfter((float) x, direction); // bf16: a float32 neighbour, rounded on storage
        };
    }

    // ---------------------------------------------------------------- checks and small helpers

    private static void checkKey(String fn, Array key) {
        if (key.dtype() == DType.U32 && key.ndim() == 1 && key.dim(0) == 2) return;
        String hint = key.dtype() == DType.U32 && key.ndim() > 1 && key.dim(-1) == 2
                ? " (a batch of keys: map over it with Jax.vmap, or pick one key)"
                : " (make one with Random.key(seed), Random.split or Random.foldIn)";
        throw new Jax4jException("Random." + fn + ": expected a PRNG key of type u32[2], got " + key.aval().str() + hint);
    }

    private static void checkShape(String fn, int[] shape) {
        if (shape == null) throw new Jax4jException("Random." + fn + ": shape is null");
        for (int d : shape) {
            if (d < 0) {
                throw new Jax4jException("Random." + fn + ": shape " + Arrays.toString(shape)
                        + " has a negative dimension; a shape is a tuple of non-negative ints");
            }
        }
    }

    private static void checkProbability(String fn, double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new Jax4jException("Random." + fn + ": probability p must be in [0, 1], got " + p);
        }
    }

    private static DType floatDtype(String fn, DType dtype) {
        if (!dtype.isFloating()) {
            throw new Jax4jException("Random." + fn + ": dtype must be a float dtype (f32, f64, f16, bf16), got " + dtype);
        }
        return dtype;
    }

    private static int sizeOf(int[] shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return Math.toIntExact(n);
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static Array u32(long[] values, int... shape) {
        int[] s = shape.length == 0 && values.length == 1 ? new int[0] : shape;
        return ArrayImpl.ofLongs(ShapedArray.of(DType.U32, s), values);
    }
}
