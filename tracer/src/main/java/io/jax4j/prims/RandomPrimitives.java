package io.jax4j.prims;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Lax;
import io.jax4j.Shape;
import io.jax4j.ShapedArray;
import io.jax4j.core.ArrayImpl;
import io.jax4j.core.Batching;
import io.jax4j.core.Jax4jException;
import io.jax4j.core.Params;
import io.jax4j.core.Primitive;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The primitives under JAX's PRNG: the {@code threefry2x32} block cipher, {@code erf_inv} (the
 * inverse error function that turns uniforms into normals) and {@code bitcast_convert_type} (the
 * bit-level view that turns random mantissa bits into floats). Everything else in
 * {@link io.jax4j.Random} is a composition of existing primitives, as in jax/_src/prng.py and
 * jax/_src/random.py.
 *
 * <p>The reference implementations are bit-exact with XLA on the CPU: threefry is exact 32-bit
 * integer arithmetic; erf_inv in float32 evaluates the same polynomial as XLA's {@code ErfInv32}, in
 * float32 arithmetic, so that {@code Random.normal} reproduces JAX's numbers.
 */
public final class RandomPrimitives {
    private RandomPrimitives() {}

    // ---------------------------------------------------------------- threefry2x32
    /**
     * Threefry-2x32 with 20 rounds, keyed by (key0, key1), applied elementwise to the counter pairs
     * (x0, x1); u32 operands broadcast (rank 0, or one common shape). Not differentiable.
     */
    public static final Primitive THREEFRY2X32 = new Primitive("threefry2x32")
            .withProperties(Primitive.Property.ELEMENTWISE)
            .abstractEval((p, in) -> {
                ShapedArray out = threefryAval(in);
                return List.of(out, out);
            })
            .impl((p, in) -> threefryImpl(in))
            .zeroJvp()
            .batch(RandomPrimitives::threefryBatch);

    private static ShapedArray threefryAval(List<ShapedArray> in) {
        if (in.size() != 4) throw new Jax4jException("threefry2x32 takes 4 operands (key0, key1, x0, x1), got " + in.size());
        Shape shape = Shape.scalar();
        for (ShapedArray a : in) {
            if (a.dtype() != DType.U32) {
                throw new Jax4jException("threefry2x32 requires uint32 operands, got "
                        + in.stream().map(ShapedArray::str).toList() + " (convert with Lax.convertElementType(x, DType.U32))");
            }
            if (a.ndim() == 0) continue;
            if (shape.ndim() > 0 && !shape.equals(a.shape())) {
                throw new Jax4jException("threefry2x32 requires operands of one shape (or rank 0), got "
                        + in.stream().map(ShapedArray::str).toList());
            }
            shape = a.shape();
        }
        return new ShapedArray(DType.U32, shape, false);
    }

    private static final int[] ROT_A = {13, 15, 26, 6};
    private static final int[] ROT_B = {17, 29, 16, 24};

    private static List<Array> threefryImpl(List<ArrayImpl> in) {
        ShapedArray out = threefryAval(in.stream().map(ArrayImpl::aval).toList());
        int n = Math.toIntExact(out.size());
        ArrayImpl y0 = ArrayImpl.allocate(out), y1 = ArrayImpl.allocate(out);
        int[] pair = new int[2];
        for (int i = 0; i < n; i++) {
            threefry((int) at(in.get(0), i), (int) at(in.get(1), i), (int) at(in.get(2), i), (int) at(in.get(3), i), pair);
            y0.setLong(i, Integer.toUnsignedLong(pair[0]));
            y1.setLong(i, Integer.toUnsignedLong(pair[1]));
        }
        return List.of(y0, y1);
    }

    private static long at(ArrayImpl x, int i) { return x.getLong(x.ndim() == 0 ? 0 : i); }

    /** The cipher on one counter pair; Java int arithmetic is exactly uint32 arithmetic mod 2^32. */
    static void threefry(int key0, int key1, int x0, int x1, int[] out) {
        int[] ks = {key0, key1, key0 ^ key1 ^ 0x1BD11BDA};
        x0 += ks[0];
        x1 += ks[1];
        for (int block = 0; block < 5; block++) {
            int[] rot = block % 2 == 0 ? ROT_A : ROT_B;
            for (int r : rot) {
                x0 += x1;
                x1 = Integer.rotateLeft(x1, r);
                x1 ^= x0;
            }
            x0 += ks[(block + 1) % 3];
            x1 += ks[(block + 2) % 3] + block + 1;
        }
        out[0] = x0;
        out[1] = x1;
    }

    /** Broadcasting batching with two outputs: batch axes to the front, unmapped non-scalars broadcast. */
    private static Primitive.BatchResult threefryBatch(Params p, List<Array> xs, int[] dims) {
        int size = Batching.batchSize(xs, dims);
        int[] full = null;
        for (int i = 0; i < xs.size(); i++) {
            int rank = xs.get(i).ndim() - (dims[i] == Batching.NOT_MAPPED ? 0 : 1);
            if (rank > 0) {
                full = Batching.moveAxis(xs.get(i), dims[i], 0, size).shape();
                break;
            }
        }
        if (full == null) full = new int[]{size};
        List<Array> moved = new ArrayList<>();
        for (int i = 0; i < xs.size(); i++) {
            Array x = xs.get(i);
            if (dims[i] == Batching.NOT_MAPPED && x.ndim() == 0) {
                moved.add(x);
                continue;
            }
            Array m = Batching.moveAxis(x, dims[i], 0, size);
            moved.add(m.ndim() == full.length ? m : Lax.broadcastInDim(m, full, new int[]{0}));
        }
        return new Primitive.BatchResult(THREEFRY2X32.bind(p, moved), new int[]{0, 0});
    }

    // ---------------------------------------------------------------- erf_inv
    /** d erf⁻¹(x) = √π/2 · exp(erf⁻¹(x)²) dx. */
    public static final Primitive ERF_INV = Defs.defJvp(
            Defs.unop("erf_inv", Defs.Accepts.FLOAT, RandomPrimitives::erfInv64, null)
                    .impl((p, in) -> {
                        ArrayImpl x = in.getFirst();
                        boolean f32 = x.dtype() != DType.F64;
                        return List.of(Defs.map1(x, x.aval(), f32 ? v -> erfInv32((float) v) : RandomPrimitives::erfInv64, null));
                    }),
            (g, ans, x) -> Lax.mul(g, Lax.mul(Lax.scalarLike(ans, Math.sqrt(Math.PI) / 2), Lax.exp(Lax.mul(ans, ans)))));

    private static final float[] W_LT_5 = {2.81022636e-08f, 3.43273939e-07f, -3.5233877e-06f, -4.39150654e-06f,
            0.00021858087f, -0.00125372503f, -0.00417768164f, 0.246640727f, 1.50140941f};
    private static final float[] W_GE_5 = {-0.000200214257f, 0.000100950558f, 0.00134934322f, -0.00367342844f,
            0.00573950773f, -0.0076224613f, 0.00943887047f, 1.00167406f, 2.83297682f};

    /**
     * XLA's ErfInv32 (M. Giles, "Approximating the erfinv function"), every step in float32:
     * w = -log1p(-x²); w < 5 ? p(w - 2.5) : q(√w - 3); result p·x; ±1 map to ±inf. XLA's CPU and
     * GPU compilers contract each Horner step c + p·t into one fused multiply-add, so we do too.
     * The log1p is XLA's as well ({@link #xlaLog1p32}): a correctly rounded one differs in the last
     * place for some arguments, which moved {@code truncated_normal} draws by up to 2 ulp.
     */
    static float erfInv32(float x) {
        float w = -xlaLog1p32(-x * x);
        boolean lt = w < 5f;
        float[] c = lt ? W_LT_5 : W_GE_5;
        float t = lt ? w - 2.5f : (float) Math.sqrt(w) - 3f;
        float p = c[0];
        for (int i = 1; i < c.length; i++) p = Math.fma(p, t, c[i]);
        if (Math.abs(x) == 1f) return x * Float.POSITIVE_INFINITY;
        return p * x;
    }

    private static final float[] LOG1P_NUMERATOR = {4.5270000862445199635215E-5f, 4.9854102823193375972212E-1f,
            6.5787325942061044846969E0f, 2.9911919328553073277375E1f, 6.0949667980987787057556E1f,
            5.7112963590585538103336E1f, 2.0039553499201281259648E1f};
    private static final float[] LOG1P_DENOMINATOR = {1f, 1.5062909083469192043167E1f, 8.3047565967967209469434E1f,
            2.2176239823732856465394E2f, 3.0909872225312059774938E2f, 2.1642788614495947685003E2f,
            6.0118660497603843919306E1f};

    /**
     * log1p in float32 as XLA's CPU code generator evaluates it (xla/codegen/intrinsic/log1p.cc):
     * below |x| = √2 - 1 Cephes' rational approximation x - x²/2 + x³·P(x)/Q(x) (Horner steps
     * contracted to FMAs), above it {@link #xlaLog32}(1 + x).
     */
    static float xlaLog1p32(float x) {
        if (!(Math.abs(x) < 0.41421356237309504880f)) return xlaLog32(1f + x);
        float x2 = x * x;
        float ratio = horner(x, LOG1P_NUMERATOR) / horner(x, LOG1P_DENOMINATOR);
        return x + Math.fma(-0.5f, x2, (x * x2) * ratio);
    }

    private static float horner(float x, float[] c) {
        float p = 0f;
        for (float ci : c) p = Math.fma(p, x, ci);
        return p;
    }

    private static final float[] LOG_P = {7.0376836292E-2f, -1.1514610310E-1f, 1.1676998740E-1f, -1.2420140846E-1f,
            1.4249322787E-1f, -1.6668057665E-1f, 2.0000714765E-1f, -2.4999993993E-1f, 3.3333331174E-1f};

    /**
     * float32 log as XLA's CPU backend computes it (Cephes' logf, the vectorised polynomial of
     * xla/service/cpu/polynomial_approximations.cc, as in Eigen): x = m·2^e with m in [√½, √2),
     * log = (m - 1) - (m - 1)²/2 + (m - 1)³·P(m - 1) + e·ln 2, ln 2 split in two parts; the
     * polynomial's multiply-adds are fused. Not correctly rounded (within 1 ulp), which is the point.
     */
    static float xlaLog32(float v) {
        if (Float.isNaN(v) || v < 0f) return Float.NaN;
        if (v == 0f) return Float.NEGATIVE_INFINITY;
        if (v == Float.POSITIVE_INFINITY) return v;
        int bits = Float.floatToRawIntBits(Math.max(Float.MIN_NORMAL, v));
        float e = 1f + (float) ((bits >>> 23) - 0x7f);
        float x = Float.intBitsToFloat((bits & ~0x7f800000) | Float.floatToRawIntBits(0.5f));
        boolean small = x < 0.707106781186547524f;
        float tmp = small ? x : 0f;
        x = x - 1f;
        e = e - (small ? 1f : 0f);
        x = x + tmp;
        float x2 = x * x, x3 = x2 * x;
        float y = Math.fma(x, LOG_P[0], LOG_P[1]);
        float y1 = Math.fma(x, LOG_P[3], LOG_P[4]);
        float y2 = Math.fma(x, LOG_P[6], LOG_P[7]);
        y = Math.fma(y, x, LOG_P[2]);
        y1 = Math.fma(y1, x, LOG_P[5]);
        y2 = Math.fma(y2, x, LOG_P[8]);
        y = Math.fma(y, x3, y1);
        y = Math.fma(y, x3, y2);
        y = y * x3;
        y = y + -2.12194440e-4f * e;
        x = x - 0.5f * x2;
        x = x + y;
        return x + 0.693359375f * e;
    }

    /** erf⁻¹ in double: the float32 estimate refined by Newton steps on erf(y) = x. */
    static double erfInv64(double x) {
        if (Double.isNaN(x) || Math.abs(x) > 1) return Double.NaN;
        if (Math.abs(x) == 1) return x * Double.POSITIVE_INFINITY;
        if (x == 0) return x;
        double y = erfInv32((float) x);
        for (int i = 0; i < 4 && Double.isFinite(y); i++) {
            double dy = (SpecialFunctions.erf(y) - x) / (2 / Math.sqrt(Math.PI) * Math.exp(-y * y));
            y -= dy;
            if (Math.abs(dy) <= 1e-17 * Math.abs(y)) break;
        }
        return y;
    }

    // ---------------------------------------------------------------- bitcast_convert_type
    public record BitcastParams(DType newDtype) implements Params {}

    /**
     * Reinterprets the bits: same-width dtypes keep the shape; f64 ↔ u32[..., 2] adds or drops a
     * trailing axis of 2 (low word first, as XLA on little-endian machines). Not differentiable.
     */
    public static final Primitive BITCAST_CONVERT_TYPE = new Primitive("bitcast_convert_type")
            .abstractEval((p, in) -> List.of(bitcastAval(((BitcastParams) p).newDtype(), in.getFirst())))
            .impl((p, in) -> List.of(bitcastImpl(((BitcastParams) p).newDtype(), in.getFirst())))
            .zeroJvp()
            .batch((p, xs, dims) -> {
                Array x = Batching.moveAxis(xs.getFirst(), dims[0], 0, xs.getFirst().dim(dims[0]));
                return Primitive.BatchResult.single(Lax.bitcastConvertType(x, ((BitcastParams) p).newDtype()), 0);
            });

    private static ShapedArray bitcastAval(DType to, ShapedArray x) {
        DType from = x.dtype();
        if (from == DType.BOOL || to == DType.BOOL) {
            throw new Jax4jException("bitcast_convert_type does not convert bool, got " + x.str() + " to " + to.shortName());
        }
        int[] dims = x.dims();
        if (from.byteSize() == to.byteSize()) return new ShapedArray(to, x.shape(), false);
        if (from.byteSize() == 2 * to.byteSize()) return new ShapedArray(to, Shape.of(append(dims, 2)), false);
        if (to.byteSize() == 2 * from.byteSize() && dims.length > 0 && dims[dims.length - 1] == 2) {
            return new ShapedArray(to, Shape.of(Arrays.copyOf(dims, dims.length - 1)), false);
        }
        throw new Jax4jException("bitcast_convert_type cannot view " + x.str() + " as " + to.shortName()
                + ": a wider dtype needs a trailing axis of size " + to.byteSize() / Math.max(1, from.byteSize()));
    }

    private static ArrayImpl bitcastImpl(DType to, ArrayImpl x) {
        ShapedArray out = bitcastAval(to, x.aval());
        int bytes = Math.toIntExact(x.size() * x.dtype().byteSize());
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < x.size(); i++) {
            switch (x.dtype()) {
                case F32 -> buf.putFloat((float) x.getDouble(i));
                case F64 -> buf.putDouble(x.getDouble(i));
                case I32, U32 -> buf.putInt((int) x.getLong(i));
                case F16, BF16 -> buf.putShort(halfBits(x, i));
                default -> throw new IllegalStateException(x.dtype().toString());
            }
        }
        buf.flip();
        ArrayImpl r = ArrayImpl.allocate(out);
        for (long i = 0; i < out.size(); i++) {
            switch (to) {
                case F32 -> r.setDouble(i, buf.getFloat());
                case F64 -> r.setDouble(i, buf.getDouble());
                case I32 -> r.setLong(i, buf.getInt());
                case U32 -> r.setLong(i, Integer.toUnsignedLong(buf.getInt()));
                default -> throw new Jax4jException("bitcast_convert_type to " + to.shortName() + " is not supported");
            }
        }
        return r;
    }

    private static short halfBits(ArrayImpl x, long i) {
        return x.segment().getAtIndex(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, i);
    }

    private static int[] append(int[] dims, int last) {
        int[] out = Arrays.copyOf(dims, dims.length + 1);
        out[dims.length] = last;
        return out;
    }

    // ---------------------------------------------------------------- random_gamma
    /** {@code random_gamma}'s parameter: samples of log Gamma (accurate for small a) or of Gamma. */
    public record GammaParams(boolean logSpace) implements Params {}

    /**
     * Standard Gamma(a) samples (or their logarithms), one per element of {@code a}, from keys of
     * shape {@code [..., 2]} whose leading axes lead {@code a}'s: each key is split into one key per
     * element it covers, and each element runs Marsaglia and Tsang's rejection loop as JAX's
     * {@code _gamma_one} does (a below 1 boosted to a + 1, then scaled by U^(1/a)). The reference
     * implementation runs the loop per element; backends run it as a host op. Its samples follow
     * JAX's algorithm step for step; JAX's derivative with respect to a (implicit reparameterization)
     * is not implemented: differentiating through a is an error that says so.
     */
    public static final Primitive RANDOM_GAMMA = new Primitive("random_gamma")
            .abstractEval((p, in) -> List.of(gammaAval(in.get(0), in.get(1))))
            .impl((p, in) -> List.of(gammaImpl(in.get(0), in.get(1), ((GammaParams) p).logSpace())))
            .jvp((p, primals, tangents) -> {
                List<Array> out = RandomPrimitives.RANDOM_GAMMA.bind(p, primals.subList(0, 2));
                if (tangents.get(1) == null) return new Primitive.JvpResult(out, Defs.nulls(1));
                // JAX's implicit reparameterization: d sample = da · random_gamma_grad(a, sample) (/ sample in log space)
                Array a = primals.get(1), sample = out.getFirst();
                Array grad;
                if (((GammaParams) p).logSpace()) {
                    Array x = Lax.exp(sample);
                    x = Lax.select(Lax.eq(x, Lax.zerosLike(x)), Lax.fullLike(x, tinyOf(x.dtype())), x);
                    grad = Lax.div(RandomPrimitives.RANDOM_GAMMA_GRAD.bind1(Params.NONE, a, x), x);
                } else {
                    grad = RandomPrimitives.RANDOM_GAMMA_GRAD.bind1(Params.NONE, a, sample);
                }
                return new Primitive.JvpResult(out, List.of(Lax.mul(tangents.get(1), grad)));
            })
            .batch((p, xs, dims) -> {
                int size = Batching.batchSize(xs, dims);
                Array key = Batching.moveAxis(xs.get(0), dims[0], 0, size), a = Batching.moveAxis(xs.get(1), dims[1], 0, size);
                return Primitive.BatchResult.single(RandomPrimitives.RANDOM_GAMMA.bind1(p, key, a), 0);
            });

    /**
     * {@code random_gamma_grad(a, x)}: the derivative of a Gamma(a) sample x with respect to a at a
     * fixed quantile, -(∂P/∂a)/(∂P/∂x) of the regularized incomplete gamma function P (see
     * {@link IncompleteGamma}), elementwise on float operands of one shape. JAX defines no derivative
     * of it (a second derivative of gamma samples in a is refused there too).
     */
    public static final Primitive RANDOM_GAMMA_GRAD = Defs.binop("random_gamma_grad", Defs.Accepts.FLOAT, null,
                    IncompleteGamma::sampleDerivative, null)
            .jvp((p, primals, tangents) -> {
                throw new Jax4jException("random_gamma_grad has no derivative (as in JAX): a second derivative of Random.gamma "
                        + "samples with respect to a is not available; differentiate once, or stop_gradient the inner one");
            });

    private static double tinyOf(DType dt) {
        return switch (dt) {
            case F64 -> Double.MIN_NORMAL;
            case F32 -> Float.MIN_NORMAL;
            case F16 -> 0x1p-14;
            case BF16 -> 0x1p-126;
            default -> throw new Jax4jException("random_gamma: a float dtype is needed, got " + dt);
        };
    }

    private static ShapedArray gammaAval(ShapedArray key, ShapedArray a) {
        int lead = key.ndim() - 1;
        boolean ok = key.dtype() == DType.U32 && key.ndim() >= 1 && key.dim(-1) == 2 && a.ndim() >= lead && a.dtype().isFloating();
        for (int i = 0; ok && i < lead; i++) ok = key.dim(i) == a.dim(i);
        if (!ok) {
            throw new Jax4jException("random_gamma: needs keys u32[..., 2] whose leading axes lead a float a, got " + key.str() + " and " + a.str());
        }
        return a.strong();
    }

    private static ArrayImpl gammaImpl(ArrayImpl keys, ArrayImpl a, boolean logSpace) {
        DType dt = a.dtype();
        Draws draws = dt == DType.F32 ? new Float32Draws() : new ArrayDraws(dt);
        long[] k = keys.toLongs();
        double[] alpha = a.toDoubles(), out = new double[alpha.length];
        int nKeys = k.length / 2;
        int perKey = nKeys == 0 ? 0 : alpha.length / nKeys;
        for (int ki = 0; ki < nKeys; ki++) {
            long[] split = draws.split(k[2 * ki], k[2 * ki + 1], perKey);
            for (int j = 0; j < perKey; j++) {
                int i = ki * perKey + j;
                out[i] = gammaOne(draws, split[2 * j], split[2 * j + 1], alpha[i], logSpace, dt);
            }
        }
        return ArrayImpl.ofDoubles(a.aval().strong(), out);
    }

    /** JAX's {@code _gamma_one} for one element, in the dtype's arithmetic ({@code r} rounds to it). */
    static double gammaOne(Draws draws, long key0, long key1, double alphaOrig, boolean logSpace, DType dt) {
        java.util.function.DoubleUnaryOperator r = dt == DType.F64 ? v -> v : v -> (double) (float) v;
        double one = 1, third = r.applyAsDouble(1.0 / 3.0), squeeze = r.applyAsDouble(0.0331);
        boolean boost = alphaOrig >= one;
        double alpha = boost ? alphaOrig : r.applyAsDouble(alphaOrig + one);
        double d = r.applyAsDouble(alpha - third);
        double c = r.applyAsDouble(third / r.applyAsDouble(Math.sqrt(d)));
        long[] ks = draws.split(key0, key1, 2);
        long[] key = {ks[0], ks[1]};
        long sub0 = ks[2], sub1 = ks[3];
        double bigX = 0, bigV = 1, u = 2;
        while (u >= r.applyAsDouble(one - r.applyAsDouble(squeeze * r.applyAsDouble(bigX * bigX)))
                && r.applyAsDouble(Math.log(u)) >= r.applyAsDouble(r.applyAsDouble(bigX * 0.5)
                        + r.applyAsDouble(d * r.applyAsDouble(r.applyAsDouble(one - bigV) + r.applyAsDouble(Math.log(bigV)))))) {
            long[] three = draws.split(key[0], key[1], 3);
            key = new long[]{three[0], three[1]};
            long[] xKey = {three[2], three[3]};
            double x = 0, v = -1;
            while (v <= 0) {
                long[] two = draws.split(xKey[0], xKey[1], 2);
                xKey = new long[]{two[0], two[1]};
                x = draws.normal(two[2], two[3]);
                v = r.applyAsDouble(one + r.applyAsDouble(x * c));
            }
            bigX = r.applyAsDouble(x * x);
            bigV = r.applyAsDouble(r.applyAsDouble(v * v) * v);
            u = draws.uniform(three[4], three[5]);
        }
        double draw = draws.uniform(sub0, sub1);
        if (logSpace) {
            double logSample = r.applyAsDouble(Math.log1p(-draw));            // -exponential(subkey)
            double logBoost = boost || logSample == 0 ? 0 : r.applyAsDouble(logSample * r.applyAsDouble(one / alphaOrig));
            return r.applyAsDouble(r.applyAsDouble(r.applyAsDouble(Math.log(d)) + r.applyAsDouble(Math.log(bigV))) + logBoost);
        }
        double sample = r.applyAsDouble(one - draw);
        double b = boost ? one : r.applyAsDouble(Math.pow(sample, r.applyAsDouble(one / alphaOrig)));
        return r.applyAsDouble(r.applyAsDouble(d * bigV) * b);
    }

    /** The scalar draws of the rejection loop: keys as word pairs. */
    interface Draws {
        /** {@code split(key, n)} as n word pairs. */
        long[] split(long k0, long k1, int n);

        /** {@code uniform(key, (), dtype)} in [0, 1). */
        double uniform(long k0, long k1);

        /** {@code normal(key, (), dtype)}. */
        double normal(long k0, long k1);
    }

    /** float32 draws in plain Java, bit for bit what {@link io.jax4j.Random} computes for a scalar shape. */
    static final class Float32Draws implements Draws {
        private final int[] w = new int[2];

        @Override
        public long[] split(long k0, long k1, int n) {
            long[] out = new long[2 * n];
            for (int i = 0; i < n; i++) {
                threefry((int) k0, (int) k1, 0, i, w);
                out[2 * i] = Integer.toUnsignedLong(w[0]);
                out[2 * i + 1] = Integer.toUnsignedLong(w[1]);
            }
            return out;
        }

        private float unit(long k0, long k1) {
            threefry((int) k0, (int) k1, 0, 0, w);
            int bits = w[0] ^ w[1];
            return Float.intBitsToFloat((bits >>> 9) | 0x3F800000) - 1f;
        }

        @Override
        public double uniform(long k0, long k1) { return unit(k0, k1); }

        @Override
        public double normal(long k0, long k1) {
            float lo = Math.nextUp(-1f);
            float span = 1f - lo;
            float u = Math.max(lo, (float) ((double) unit(k0, k1) * span + lo));        // the FMA of uniform's scaling
            return (float) Math.sqrt(2) * erfInv32(u);
        }
    }

    /** Draws of any float dtype through {@link io.jax4j.Random} on concrete keys (slower). */
    record ArrayDraws(DType dtype) implements Draws {
        @Override
        public long[] split(long k0, long k1, int n) { return ((ArrayImpl) io.jax4j.Random.split(key(k0, k1), n)).toLongs(); }

        @Override
        public double uniform(long k0, long k1) { return io.jax4j.Random.uniform(key(k0, k1), new int[0], dtype, 0, 1).item(); }

        @Override
        public double normal(long k0, long k1) { return io.jax4j.Random.normal(key(k0, k1), new int[0], dtype).item(); }

        private static Array key(long k0, long k1) { return Array.fromLongs(DType.U32, new long[]{k0, k1}, 2); }
    }
}
