package io.jax4j;

import io.jax4j.core.ArrayImpl;
import io.jax4j.core.Formatting;
import io.jax4j.core.Tracer;

/**
 * An immutable n-dimensional array: JAX's {@code jax.Array}.
 *
 * <p>Outside transformations an array is concrete (an off-heap buffer, freed when unreachable or on
 * {@link ArrayImpl#close()}); inside {@code jit}, {@code grad} or {@code vmap} the same type stands
 * for a traced value, so user code is written once over {@code Array}. The fluent methods call the
 * same primitives as the {@link Np} and {@link Lax} facades. Java scalars passed to them are weakly
 * typed, as Python scalars are in JAX: {@code x.mul(2)} keeps {@code x}'s dtype.
 *
 * <p>Thread safety: a concrete array is immutable and may be read from any number of threads; a
 * traced array belongs to the thread tracing its function (jit traces on the calling thread).
 */
public abstract class Array {

    protected Array() {}

    /** The abstract value: dtype, shape, weak type. */
    public abstract ShapedArray aval();

    /** The element type ({@code x.dtype}). */
    public final DType dtype() { return aval().dtype(); }

    /** The dimensions ({@code x.shape}). */
    public final int[] shape() { return aval().dims(); }

    /** The number of axes ({@code x.ndim}). */
    public final int ndim() { return aval().ndim(); }

    /** The number of elements ({@code x.size}). */
    public final long size() { return aval().size(); }

    /** The size of axis {@code axis} ({@code x.shape[axis]}). */
    public final int dim(int axis) { return aval().dim(axis); }

    // ---- creation

    /** A float32 vector of {@code values} ({@code jnp.array([...], jnp.float32)}). */
    public static Array of(float... values) { return fromFloats(values, values.length); }

    /** A float32 matrix of equal-length {@code rows}. */
    public static Array of(float[][] rows) {
        int r = rows.length, c = r == 0 ? 0 : rows[0].length;
        float[] flat = new float[r * c];
        for (int i = 0; i < r; i++) {
            if (rows[i].length != c) throw new IllegalArgumentException("Array.of: ragged rows (row 0 has " + c + ", row " + i + " has " + rows[i].length + ")");
            System.arraycopy(rows[i], 0, flat, i * c, c);
        }
        return fromFloats(flat, r, c);
    }

    /** A float64 vector of {@code values}. */
    public static Array of(double... values) { return fromDoubles(values, values.length); }

    /** An int32 vector of {@code values}. */
    public static Array of(int... values) {
        long[] l = new long[values.length];
        for (int i = 0; i < values.length; i++) l[i] = values[i];
        return ArrayImpl.ofLongs(ShapedArray.of(DType.I32, values.length), l);
    }

    /** A bool vector of {@code values}. */
    public static Array of(boolean... values) {
        long[] l = new long[values.length];
        for (int i = 0; i < values.length; i++) l[i] = values[i] ? 1 : 0;
        return ArrayImpl.ofLongs(ShapedArray.of(DType.BOOL, values.length), l);
    }

    /** A float32 array of {@code shape} from row-major values. */
    public static Array fromFloats(float[] values, int... shape) {
        return ArrayImpl.ofFloats(new ShapedArray(DType.F32, Shape.of(shape)), values);
    }

    /** A float64 array of {@code shape} from row-major values. */
    public static Array fromDoubles(double[] values, int... shape) {
        return ArrayImpl.ofDoubles(new ShapedArray(DType.F64, Shape.of(shape)), values);
    }

    /** An array of any dtype from row-major values (converted as {@code astype} would). */
    public static Array fromDoubles(DType dtype, double[] values, int... shape) {
        return ArrayImpl.ofDoubles(new ShapedArray(dtype, Shape.of(shape)), values);
    }

    /** An int32 array of {@code shape} from row-major {@code values}. */
    public static Array fromInts(int[] values, int... shape) {
        long[] l = new long[values.length];
        for (int i = 0; i < values.length; i++) l[i] = values[i];
        return ArrayImpl.ofLongs(new ShapedArray(DType.I32, Shape.of(shape)), l);
    }

    /** An integer array of {@code dtype} and {@code shape} from row-major {@code values}. */
    public static Array fromLongs(DType dtype, long[] values, int... shape) {
        return ArrayImpl.ofLongs(new ShapedArray(dtype, Shape.of(shape)), values);
    }

    /** A strongly typed scalar. */
    public static Array scalar(float v) { return ArrayImpl.ofDoubles(ShapedArray.of(DType.F32), new double[]{v}); }

    /** A rank-0 array of {@code dtype} holding {@code v}. */
    public static Array scalar(double v, DType dtype) { return ArrayImpl.ofDoubles(ShapedArray.of(dtype), new double[]{v}); }

    /** A rank-0 int32 array. */
    public static Array scalar(int v) { return ArrayImpl.ofLongs(ShapedArray.of(DType.I32), new long[]{v}); }

    /**
     * A weakly typed scalar, as a Java literal is in an expression (JAX's weak types). Floating values
     * are held in float64 so that no precision is lost before promotion: a weak scalar takes the
     * other operand's dtype, and two weak floats give float32, as in JAX without x64.
     */
    public static Array weak(Number v) {
        boolean floating = v instanceof Float || v instanceof Double;
        DType dt = floating ? DType.F64 : DType.I32;
        ShapedArray aval = new ShapedArray(dt, Shape.scalar(), true);
        return floating ? ArrayImpl.ofDoubles(aval, new double[]{v.doubleValue()})
                : ArrayImpl.ofLongs(aval, new long[]{v.longValue()});
    }

    /** {@code jnp.zeros(shape)}: float32 zeros. */
    public static Array zeros(int... shape) { return full(DType.F32, 0, shape); }

    /** {@code jnp.zeros(shape, dtype)}. */
    public static Array zeros(DType dtype, int... shape) { return full(dtype, 0, shape); }

    /** {@code jnp.ones(shape)}: float32 ones. */
    public static Array ones(int... shape) { return full(DType.F32, 1, shape); }

    /** {@code jnp.ones(shape, dtype)}. */
    public static Array ones(DType dtype, int... shape) { return full(dtype, 1, shape); }

    /** Uninitialised in JAX; zeros here (a placeholder input for {@code init}). */
    public static Array empty(int... shape) { return zeros(shape); }

    /** {@code jnp.full(shape, value, dtype)}. */
    public static Array full(DType dtype, double value, int... shape) {
        ShapedArray aval = new ShapedArray(dtype, Shape.of(shape));
        double[] d = new double[Math.toIntExact(aval.size())];
        java.util.Arrays.fill(d, value);
        return ArrayImpl.ofDoubles(aval, d);
    }

    /** {@code jnp.full(shape, value)} in float32. */
    public static Array full(float value, int... shape) { return full(DType.F32, value, shape); }

    /** {@code jnp.arange(n)}: int32 {@code 0..n-1}. */
    public static Array arange(int n) { return arange(0, n, 1); }

    /** {@code jnp.arange(start, stop, step)}: int32. */
    public static Array arange(int start, int stop, int step) {
        if (step == 0) throw new IllegalArgumentException("arange: step must not be 0");
        int n = Math.max(0, (int) Math.ceil((stop - start) / (double) step));
        long[] l = new long[n];
        for (int i = 0; i < n; i++) l[i] = start + (long) i * step;
        return ArrayImpl.ofLongs(ShapedArray.of(DType.I32, n), l);
    }

    /** {@code jnp.arange(start, stop, step)} in float32. */
    public static Array arange(double start, double stop, double step) {
        if (step == 0) throw new IllegalArgumentException("arange: step must not be 0");
        int n = Math.max(0, (int) Math.ceil((stop - start) / step));
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = start + i * step;
        return ArrayImpl.ofDoubles(ShapedArray.of(DType.F32, n), d);
    }

    /** {@code jnp.linspace(start, stop, num)} (endpoint included), float32. */
    public static Array linspace(double start, double stop, int num) {
        if (num < 0) throw new IllegalArgumentException("linspace: num must be >= 0, got " + num);
        double[] d = new double[num];
        double step = num > 1 ? (stop - start) / (num - 1) : 0;
        for (int i = 0; i < num; i++) d[i] = i == num - 1 && num > 1 ? stop : start + i * step;
        return ArrayImpl.ofDoubles(ShapedArray.of(DType.F32, num), d);
    }

    // ---- placement (concrete arrays only)

    /** Where the array's data lives ({@code cpu:0}, {@code cuda:0}), as JAX's {@code x.device}. */
    public Device device() { return concrete("device()").device(); }

    /**
     * How the array is laid out over devices, as JAX's {@code x.sharding}: the one it was placed with
     * ({@code Jax.devicePut(x, namedSharding)}, a jitted call's {@code outShardings}), else its device alone.
     */
    public Sharding sharding() { return concrete("sharding()").sharding(); }

    /** Every device's block of this array, as JAX's {@code x.addressable_shards}. */
    public java.util.List<Sharding.Shard> addressableShards() {
        ArrayImpl a = concrete("addressableShards()");
        java.util.List<Sharding.Shard> out = new java.util.ArrayList<>();
        for (var e : a.sharding().devicesIndicesMap(a.shape()).entrySet()) {
            int[][] ix = e.getValue();
            int[] start = new int[ix.length], stop = new int[ix.length];
            for (int d = 0; d < ix.length; d++) {
                start[d] = ix[d][0];
                stop[d] = ix[d][1];
            }
            out.add(new Sharding.Shard(e.getKey(), ix, Lax.slice(a, start, stop)));
        }
        return java.util.List.copyOf(out);
    }

    /**
     * Waits until the (possibly asynchronous) computation of this array has finished, as JAX's
     * {@code x.block_until_ready()}; a device's error surfaces here, naming the executable. Returns this array.
     */
    public Array blockUntilReady() { return concrete("blockUntilReady()").blockUntilReady(); }

    // ---- reading back (concrete arrays only)

    /** The concrete array behind this value, or a clear error inside a transformation. */
    public final ArrayImpl concrete(String what) {
        if (this instanceof ArrayImpl a) return a;
        throw new Tracer.ConcretizationError((Tracer) this, what);
    }

    /** The elements in row-major order as floats (a host copy; an error on a traced array). */
    public final float[] toFloatArray() {
        ArrayImpl a = concrete("toFloatArray()");
        float[] out = new float[Math.toIntExact(a.size())];
        for (int i = 0; i < out.length; i++) out[i] = (float) a.getDouble(i);
        return out;
    }

    /** The elements in row-major order as doubles (a host copy). */
    public final double[] toDoubleArray() { return concrete("toDoubleArray()").toDoubles(); }

    /** The elements in row-major order as ints (a host copy). */
    public final int[] toIntArray() {
        ArrayImpl a = concrete("toIntArray()");
        int[] out = new int[Math.toIntExact(a.size())];
        for (int i = 0; i < out.length; i++) out[i] = (int) a.getLong(i);
        return out;
    }

    /** The elements in row-major order as booleans (non-zero is true; a host copy). */
    public final boolean[] toBooleanArray() {
        ArrayImpl a = concrete("toBooleanArray()");
        boolean[] out = new boolean[Math.toIntExact(a.size())];
        for (int i = 0; i < out.length; i++) out[i] = a.getDouble(i) != 0;
        return out;
    }

    /** The value of a one-element array as a double ({@code x.item()}). */
    public final double item() {
        ArrayImpl a = concrete("item()");
        if (a.size() != 1) throw new IllegalArgumentException("item() needs an array of one element, got " + aval().str());
        return a.getDouble(0);
    }

    /** The single element of a one-element array as a float ({@code float(x)}). */
    public final float floatValue() { return (float) item(); }

    /** The single element of a one-element array as an int ({@code int(x)}). */
    public final int intValue() {
        ArrayImpl a = concrete("intValue()");
        if (a.size() != 1) throw new IllegalArgumentException("intValue() needs an array of one element, got " + aval().str());
        return (int) a.getLong(0);
    }

    /** As JAX prints an array: {@code Array([1., 2.], dtype=float32)}. */
    @Override
    public String toString() { return Formatting.repr(this); }

    // ---- fluent operations (the same primitives as Np / Lax)

    /** {@link Np#add} of this array ({@code jnp.add}). */
    public final Array add(Array y) { return Np.add(this, y); }
    /** {@link #add(Array)} with {@code y} a weakly typed scalar (the result keeps this array's dtype, as a Python scalar does in JAX). */
    public final Array add(Number y) { return Np.add(this, weak(y)); }
    /** {@link Np#subtract} of this array ({@code jnp.subtract}). */
    public final Array sub(Array y) { return Np.subtract(this, y); }
    /** {@link #sub(Array)} with {@code y} a weakly typed scalar (the result keeps this array's dtype, as a Python scalar does in JAX). */
    public final Array sub(Number y) { return Np.subtract(this, weak(y)); }
    /** {@code y op x} with {@code y} a weakly typed scalar: {@link Np#subtract} ({@code jnp.subtract}) with the operands swapped. */
    public final Array rsub(Number y) { return Np.subtract(weak(y), this); }
    /** {@link Np#multiply} of this array ({@code jnp.multiply}). */
    public final Array mul(Array y) { return Np.multiply(this, y); }
    /** {@link #mul(Array)} with {@code y} a weakly typed scalar (the result keeps this array's dtype, as a Python scalar does in JAX). */
    public final Array mul(Number y) { return Np.multiply(this, weak(y)); }
    /** {@link Np#divide} of this array ({@code jnp.divide}). */
    public final Array div(Array y) { return Np.divide(this, y); }
    /** {@link #div(Array)} with {@code y} a weakly typed scalar (the result keeps this array's dtype, as a Python scalar does in JAX). */
    public final Array div(Number y) { return Np.divide(this, weak(y)); }
    /** {@code y op x} with {@code y} a weakly typed scalar: {@link Np#divide} ({@code jnp.divide}) with the operands swapped. */
    public final Array rdiv(Number y) { return Np.divide(weak(y), this); }
    /** {@link Np#power} of this array ({@code jnp.power}). */
    public final Array pow(Array y) { return Np.power(this, y); }
    /** {@link #pow(Array)} with {@code y} a weakly typed scalar (the result keeps this array's dtype, as a Python scalar does in JAX). */
    public final Array pow(Number y) { return Np.power(this, weak(y)); }
    /** {@link Np#negative} of this array ({@code jnp.negative}). */
    public final Array neg() { return Np.negative(this); }
    /** {@link Np#exp} of this array ({@code jnp.exp}). */
    public final Array exp() { return Np.exp(this); }
    /** {@link Np#log} of this array ({@code jnp.log}). */
    public final Array log() { return Np.log(this); }
    /** {@link Np#tanh} of this array ({@code jnp.tanh}). */
    public final Array tanh() { return Np.tanh(this); }
    /** {@link Np#sqrt} of this array ({@code jnp.sqrt}). */
    public final Array sqrt() { return Np.sqrt(this); }
    /** {@link Np#abs} of this array ({@code jnp.abs}). */
    public final Array abs() { return Np.abs(this); }
    /** {@link Np#square} of this array ({@code jnp.square}). */
    public final Array square() { return Np.square(this); }
    /** {@link Np#maximum} of this array ({@code jnp.maximum}). */
    public final Array maximum(Array y) { return Np.maximum(this, y); }
    /** {@link #maximum(Array)} with {@code y} a weakly typed scalar (the result keeps this array's dtype, as a Python scalar does in JAX). */
    public final Array maximum(Number y) { return Np.maximum(this, weak(y)); }
    /** {@link Np#minimum} of this array ({@code jnp.minimum}). */
    public final Array minimum(Array y) { return Np.minimum(this, y); }
    /** {@link #minimum(Array)} with {@code y} a weakly typed scalar (the result keeps this array's dtype, as a Python scalar does in JAX). */
    public final Array minimum(Number y) { return Np.minimum(this, weak(y)); }

    /** {@link Np#greater} of this array ({@code jnp.greater}). */
    public final Array gt(Array y) { return Np.greater(this, y); }
    /** {@link #gt(Array)} with {@code y} a weakly typed scalar (the result keeps this array's dtype, as a Python scalar does in JAX). */
    public final Array gt(Number y) { return Np.greater(this, weak(y)); }
    /** {@link Np#greaterEqual} of this array ({@code jnp.greater_equal}). */
    public final Array ge(Array y) { return Np.greaterEqual(this, y); }
    /** {@link #ge(Array)} with {@code y} a weakly typed scalar (the result keeps this array's dtype, as a Python scalar does in JAX). */
    public final Array ge(Number y) { return Np.greaterEqual(this, weak(y)); }
    /** {@link Np#less} of this array ({@code jnp.less}). */
    public final Array lt(Array y) { return Np.less(this, y); }
    /** {@link #lt(Array)} with {@code y} a weakly typed scalar (the result keeps this array's dtype, as a Python scalar does in JAX). */
    public final Array lt(Number y) { return Np.less(this, weak(y)); }
    /** {@link Np#lessEqual} of this array ({@code jnp.less_equal}). */
    public final Array le(Array y) { return Np.lessEqual(this, y); }
    /** {@link #le(Array)} with {@code y} a weakly typed scalar (the result keeps this array's dtype, as a Python scalar does in JAX). */
    public final Array le(Number y) { return Np.lessEqual(this, weak(y)); }
    /** {@link Np#equal} of this array ({@code jnp.equal}). */
    public final Array eq(Array y) { return Np.equal(this, y); }
    /** {@link #eq(Array)} with {@code y} a weakly typed scalar (the result keeps this array's dtype, as a Python scalar does in JAX). */
    public final Array eq(Number y) { return Np.equal(this, weak(y)); }

    /** {@link Np#matmul} of this array ({@code jnp.matmul}). */
    public final Array matmul(Array y) { return Np.matmul(this, y); }
    /** {@link Np#dot} of this array ({@code jnp.dot}). */
    public final Array dot(Array y) { return Np.dot(this, y); }
    /** {@link Np#reshape} of this array ({@code x.reshape}). */
    public final Array reshape(int... shape) { return Np.reshape(this, shape); }
    /** {@link Np#transpose} of this array ({@code x.transpose}). */
    public final Array transpose(int... perm) { return Np.transpose(this, perm); }
    /** The transpose with all axes reversed ({@code x.T}). */
    public final Array T() { return Np.transpose(this); }
    /** {@link Np#astype} of this array ({@code x.astype}). */
    public final Array astype(DType dtype) { return Np.astype(this, dtype); }
    /** {@link Np#sum} of this array ({@code x.sum}). */
    public final Array sum() { return Np.sum(this); }
    /** {@link Np#sum} of this array ({@code x.sum}). */
    public final Array sum(int... axes) { return Np.sum(this, axes); }
    /** {@link Np#mean} of this array ({@code x.mean}). */
    public final Array mean() { return Np.mean(this); }
    /** {@link Np#mean} of this array ({@code x.mean}). */
    public final Array mean(int... axes) { return Np.mean(this, axes); }
    /** {@link Np#max} of this array ({@code x.max}). */
    public final Array max() { return Np.max(this); }
    /** {@link Np#max} of this array ({@code x.max}). */
    public final Array max(int... axes) { return Np.max(this, axes); }
    /** {@link Np#min} of this array ({@code x.min}). */
    public final Array min() { return Np.min(this); }
    /** {@link Np#min} of this array ({@code x.min}). */
    public final Array min(int... axes) { return Np.min(this, axes); }
    /** {@link Np#argmax} of this array ({@code x.argmax}). */
    public final Array argmax(int axis) { return Np.argmax(this, axis); }
    /** {@link Np#squeeze} of this array ({@code x.squeeze}). */
    public final Array squeeze(int... axes) { return Np.squeeze(this, axes); }
    /** {@link Np#expandDims} of this array ({@code jnp.expand_dims}). */
    public final Array expandDims(int axis) { return Np.expandDims(this, axis); }
    /** {@link Np#take} of this array ({@code jnp.take}). */
    public final Array take(Array indices, int axis) { return Np.take(this, indices, axis); }
    /** {@link Np#slice} of this array ({@code x[start:stop:step]}). */
    public final Array slice(int[] start, int[] stop, int[] step) { return Np.slice(this, start, stop, step); }
    /** {@link Np#flip} of this array ({@code jnp.flip}). */
    public final Array flip(int... axes) { return Np.flip(this, axes); }

    /**
     * NumPy indexing, {@code x[items]}: integers, slices ({@code "1:3"}, {@code "::-1"} or
     * {@link Index#slice}), {@code "..."}, {@code "None"}/{@code null} (a new axis), integer arrays
     * ({@code int[]} or {@link Array}; advanced indexing with NumPy's broadcasting and axis placement)
     * and concrete boolean masks. {@code x.get(":, 0")} is {@code x[:, 0]}, {@code x.get(idx)} is
     * {@code x[idx]}. Static slices lower to {@code slice}, traced scalars to {@code dynamic_slice},
     * integer arrays to one {@code gather}. Out-of-range indices clamp, as in JAX; see {@link At#get}
     * for a fill value instead.
     */
    public final Array get(Object... items) { return Indexer.get("x[...]", this, Index.of(items), Index.Mode.CLIP, null); }

    /** {@code x.at[items]}: indexed updates ({@code set}, {@code add}, {@code multiply}, {@code min}, {@code max}) and reads with a mode. */
    public final At at(Object... items) { return new At(this, Index.of(items)); }
}
