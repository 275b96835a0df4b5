package io.jax4j;

import io.jax4j.core.Jax4jException;

import java.util.Arrays;

/**
 * {@code jax.numpy}: NumPy semantics over the primitives — broadcasting, dtype promotion with weak
 * types, axes with negative indices and {@code keepdims}, integer inputs promoted to float for
 * transcendental functions and true division.
 */
public final class Np {
    private Np() {}

    // ---------------------------------------------------------------- promotion and broadcasting

    /** The dtype and weak type of an operation over these avals (JAX's lattice). */
    public static ShapedArray resultType(ShapedArray... avals) {
        DType strong = null;
        DType.Kind weakKind = null;
        for (ShapedArray a : avals) {
            if (a.weakType()) {
                if (weakKind == null || a.dtype().kind().ordinal() > weakKind.ordinal()) weakKind = a.dtype().kind();
            } else strong = strong == null ? a.dtype() : DType.promote(strong, a.dtype());
        }
        if (strong == null) return new ShapedArray(DType.defaultOf(weakKind), Shape.scalar(), true);
        if (weakKind != null && weakKind.ordinal() > strong.kind().ordinal()) {
            return new ShapedArray(DType.defaultOf(weakKind), Shape.scalar(), true);
        }
        return new ShapedArray(strong, Shape.scalar(), false);
    }

    /** NumPy's broadcast of shapes, or an error naming the operation and both shapes. */
    public static int[] broadcastShapes(String op, Array... xs) {
        int[][] shapes = new int[xs.length][];
        for (int i = 0; i < xs.length; i++) shapes[i] = xs[i].shape();
        return broadcastShapes(op, shapes);
    }

    /** NumPy's broadcast of shapes, or an error naming the operation and the shapes. */
    public static int[] broadcastShapes(String op, int[]... shapes) {
        int nd = 0;
        for (int[] s : shapes) nd = Math.max(nd, s.length);
        int[] out = new int[nd];
        Arrays.fill(out, 1);
        for (int[] s : shapes) {
            for (int i = 0; i < s.length; i++) {
                int j = nd - s.length + i;
                if (s[i] == out[j] || s[i] == 1) continue;
                if (out[j] == 1) out[j] = s[i];
                else {
                    throw new Jax4jException(op + ": shapes " + Arrays.stream(shapes).map(a -> Shape.of(a).toString()).toList()
                            + " cannot be broadcast together (axis " + j + " of the result: " + out[j] + " vs " + s[i] + ")");
                }
            }
        }
        return out;
    }

    /** Promotes to a common dtype and broadcasts to a common shape. */
    public static Array[] promoteBroadcast(String op, Array... xs) {
        ShapedArray[] avals = new ShapedArray[xs.length];
        for (int i = 0; i < xs.length; i++) avals[i] = xs[i].aval();
        ShapedArray rt = resultType(avals);
        int[] shape = broadcastShapes(op, xs);
        Array[] out = new Array[xs.length];
        for (int i = 0; i < xs.length; i++) {
            Array x = Lax.convertElementType(xs[i], rt.dtype(), rt.weakType());
            // rank-0 operands stay scalars: elementwise primitives broadcast them (JAX: mul b 2.0:f32[])
            out[i] = x.ndim() == 0 && shape.length > 0 ? x : broadcastTo(x, shape);
        }
        return out;
    }

    private static Array[] promoteInexact(String op, Array... xs) {
        Array[] out = promoteBroadcast(op, xs);
        if (!out[0].dtype().isFloating()) {
            for (int i = 0; i < out.length; i++) out[i] = Lax.convertElementType(out[i], DType.F32, out[i].aval().weakType());
        }
        return out;
    }

    private static Array inexact(Array x) {
        return x.dtype().isFloating() ? x : Lax.convertElementType(x, DType.F32, x.aval().weakType());
    }

    /** {@code jnp.broadcast_to}. */
    public static Array broadcastTo(Array x, int... shape) {
        if (Arrays.equals(x.shape(), shape)) return x;
        int off = shape.length - x.ndim();
        if (off < 0) throw new Jax4jException("broadcastTo: cannot broadcast " + x.aval().str() + " to a lower rank shape " + Shape.of(shape));
        int[] bd = new int[x.ndim()];
        for (int i = 0; i < bd.length; i++) {
            bd[i] = off + i;
            if (x.dim(i) != 1 && x.dim(i) != shape[off + i]) {
                throw new Jax4jException("broadcastTo: cannot broadcast " + x.aval().str() + " to shape " + Shape.of(shape));
            }
        }
        return Lax.broadcastInDim(x, shape, bd);
    }

    /** {@code jnp.asarray}. */
    public static Array asarray(Number v) { return Array.weak(v); }

    // ---------------------------------------------------------------- arithmetic
    /** {@code jnp.add}: NumPy's broadcasting and JAX's type promotion apply. */
    public static Array add(Array x, Array y) { Array[] a = promoteBroadcast("add", x, y); return Lax.add(a[0], a[1]); }
    /** {@code jnp.subtract}: NumPy's broadcasting and JAX's type promotion apply. */
    public static Array subtract(Array x, Array y) { Array[] a = promoteBroadcast("subtract", x, y); return Lax.sub(a[0], a[1]); }
    /** {@code jnp.multiply}: NumPy's broadcasting and JAX's type promotion apply. */
    public static Array multiply(Array x, Array y) { Array[] a = promoteBroadcast("multiply", x, y); return Lax.mul(a[0], a[1]); }
    /** True division: integer operands are promoted to float. */
    public static Array divide(Array x, Array y) { Array[] a = promoteInexact("divide", x, y); return Lax.div(a[0], a[1]); }
    /** {@code jnp.maximum}: NumPy's broadcasting and JAX's type promotion apply. */
    public static Array maximum(Array x, Array y) { Array[] a = promoteBroadcast("maximum", x, y); return Lax.max(a[0], a[1]); }
    /** {@code jnp.minimum}: NumPy's broadcasting and JAX's type promotion apply. */
    public static Array minimum(Array x, Array y) { Array[] a = promoteBroadcast("minimum", x, y); return Lax.min(a[0], a[1]); }
    /** {@code jnp.arctan2}: NumPy's broadcasting and JAX's type promotion apply. */
    public static Array arctan2(Array x, Array y) { Array[] a = promoteInexact("arctan2", x, y); return Lax.atan2(a[0], a[1]); }
    /** {@code jnp.remainder}: NumPy's broadcasting and JAX's type promotion apply. */
    public static Array remainder(Array x, Array y) {
        Array[] a = promoteBroadcast("remainder", x, y);
        Array r = Lax.rem(a[0], a[1]);
        // Python's sign convention: the result takes the divisor's sign.
        Array fix = Lax.bitwiseAnd(Lax.ne(r, Lax.zerosLike(r)), Lax.ne(Lax.lt(r, Lax.zerosLike(r)), Lax.lt(a[1], Lax.zerosLike(a[1]))));
        return Lax.select(fix, Lax.add(r, a[1]), r);
    }

    /** {@code x ** y}; an integral Java exponent multiplies (JAX's integer_pow), others use pow. */
    public static Array power(Array x, Array y) {
        if (y instanceof io.jax4j.core.ArrayImpl c && y.ndim() == 0 && y.aval().weakType() && !y.dtype().isFloating()) {
            return integerPow(x, (int) c.getLong(0));
        }
        Array[] a = promoteInexact("power", x, y);
        return Lax.pow(a[0], a[1]);
    }

    /** {@code jnp.power}. */
    public static Array power(Array x, Number y) {
        if (y instanceof Integer || y instanceof Long) return integerPow(x, y.intValue());
        return power(x, Array.weak(y));
    }

    /** {@code x ** n} by repeated squaring (JAX's integer_pow); negative n takes the reciprocal. */
    public static Array integerPow(Array x, int n) {
        if (n == 0) return Lax.fullLike(x, 1);
        Array base = x, acc = null;
        int k = Math.abs(n);
        while (k > 0) {
            if ((k & 1) != 0) acc = acc == null ? base : Lax.mul(acc, base);
            k >>= 1;
            if (k > 0) base = Lax.mul(base, base);
        }
        return n < 0 ? divide(Lax.fullLike(acc, 1), acc) : acc;
    }

    /** {@code jnp.negative}. */
    public static Array negative(Array x) { return Lax.neg(x); }
    /** {@code jnp.abs}. */
    public static Array abs(Array x) { return Lax.abs(x); }
    /** {@code jnp.sign}. */
    public static Array sign(Array x) { return Lax.sign(x); }
    /** {@code jnp.square}. */
    public static Array square(Array x) { return Lax.square(x); }
    /** {@code jnp.reciprocal}. */
    public static Array reciprocal(Array x) { return divide(Lax.fullLike(inexact(x), 1), x); }
    /** {@code jnp.exp}. */
    public static Array exp(Array x) { return Lax.exp(inexact(x)); }
    /** {@code jnp.log}. */
    public static Array log(Array x) { return Lax.log(inexact(x)); }
    /** {@code jnp.expm1}. */
    public static Array expm1(Array x) { return Lax.expm1(inexact(x)); }
    /** {@code jnp.log1p}. */
    public static Array log1p(Array x) { return Lax.log1p(inexact(x)); }
    /** {@code jnp.tanh}. */
    public static Array tanh(Array x) { return Lax.tanh(inexact(x)); }
    /** {@code jnp.sin}. */
    public static Array sin(Array x) { return Lax.sin(inexact(x)); }
    /** {@code jnp.cos}. */
    public static Array cos(Array x) { return Lax.cos(inexact(x)); }
    /** {@code jnp.sqrt}. */
    public static Array sqrt(Array x) { return Lax.sqrt(inexact(x)); }
    /** {@code jnp.floor}. */
    public static Array floor(Array x) { return x.dtype().isFloating() ? Lax.floor(x) : x; }
    /** {@code jnp.ceil}. */
    public static Array ceil(Array x) { return x.dtype().isFloating() ? Lax.ceil(x) : x; }
    /** {@code jnp.isfinite}. */
    public static Array isfinite(Array x) { return x.dtype().isFloating() ? Lax.isFinite(x) : Lax.eq(x, x); }

    // ---------------------------------------------------------------- comparisons and selection
    /** {@code jnp.equal}: NumPy's broadcasting and JAX's type promotion apply. */
    public static Array equal(Array x, Array y) { Array[] a = promoteBroadcast("equal", x, y); return Lax.eq(a[0], a[1]); }
    /** {@code jnp.not_equal}: NumPy's broadcasting and JAX's type promotion apply. */
    public static Array notEqual(Array x, Array y) { Array[] a = promoteBroadcast("not_equal", x, y); return Lax.ne(a[0], a[1]); }
    /** {@code jnp.less}: NumPy's broadcasting and JAX's type promotion apply. */
    public static Array less(Array x, Array y) { Array[] a = promoteBroadcast("less", x, y); return Lax.lt(a[0], a[1]); }
    /** {@code jnp.less_equal}: NumPy's broadcasting and JAX's type promotion apply. */
    public static Array lessEqual(Array x, Array y) { Array[] a = promoteBroadcast("less_equal", x, y); return Lax.le(a[0], a[1]); }
    /** {@code jnp.greater}: NumPy's broadcasting and JAX's type promotion apply. */
    public static Array greater(Array x, Array y) { Array[] a = promoteBroadcast("greater", x, y); return Lax.gt(a[0], a[1]); }
    /** {@code jnp.greater_equal}: NumPy's broadcasting and JAX's type promotion apply. */
    public static Array greaterEqual(Array x, Array y) { Array[] a = promoteBroadcast("greater_equal", x, y); return Lax.ge(a[0], a[1]); }
    /** {@code jnp.logical_not}. */
    public static Array logicalNot(Array x) { return Lax.not(x.dtype() == DType.BOOL ? x : Lax.ne(x, Lax.zerosLike(x))); }
    /** {@code jnp.logical_and}: NumPy's broadcasting and JAX's type promotion apply. */
    public static Array logicalAnd(Array x, Array y) { Array[] a = promoteBroadcast("logical_and", asBool(x), asBool(y)); return Lax.bitwiseAnd(a[0], a[1]); }
    /** {@code jnp.logical_or}: NumPy's broadcasting and JAX's type promotion apply. */
    public static Array logicalOr(Array x, Array y) { Array[] a = promoteBroadcast("logical_or", asBool(x), asBool(y)); return Lax.bitwiseOr(a[0], a[1]); }

    private static Array asBool(Array x) { return x.dtype() == DType.BOOL ? x : Lax.ne(x, Lax.zerosLike(x)); }

    /** {@code condition ? x : y} with broadcasting and promotion of x and y. */
    public static Array where(Array condition, Array x, Array y) {
        Array[] xy = promoteBroadcast("where", x, y);
        int[] shape = broadcastShapes("where", condition, xy[0]);
        return Lax.select(broadcastTo(asBool(condition), shape), broadcastTo(xy[0], shape), broadcastTo(xy[1], shape));
    }

    /** {@code jnp.where}. */
    public static Array where(Array condition, Array x, Number y) { return where(condition, x, Array.weak(y)); }

    /** {@code jnp.where}. */
    public static Array where(Array condition, Number x, Array y) { return where(condition, Array.weak(x), y); }

    /** {@code clip(x, lo, hi) = minimum(maximum(x, lo), hi)}. */
    public static Array clip(Array x, Array lo, Array hi) { return minimum(maximum(x, lo), hi); }

    /** {@code jnp.clip}. */
    public static Array clip(Array x, Number lo, Number hi) { return clip(x, Array.weak(lo), Array.weak(hi)); }

    // ---------------------------------------------------------------- reductions
    /** Normalises (negative) axes against {@code ndim}, rejecting out-of-range and repeated ones. */
    public static int[] normalizeAxes(String op, Array x, int... axes) {
        int[] out = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            int a = axes[i] < 0 ? axes[i] + x.ndim() : axes[i];
            if (a < 0 || a >= x.ndim()) {
                throw new Jax4jException(op + ": axis " + axes[i] + " is out of bounds for an array of shape " + x.aval().str());
            }
            for (int j = 0; j < i; j++) if (out[j] == a) throw new Jax4jException(op + ": repeated axis " + axes[i]);
            out[i] = a;
        }
        return out;
    }

    static int[] allAxes(Array x) {
        int[] a = new int[x.ndim()];
        for (int i = 0; i < a.length; i++) a[i] = i;
        return a;
    }

    private static Array keep(Array reduced, Array x, int[] axes, boolean keepdims) {
        if (!keepdims) return reduced;
        int[] s = x.shape();
        for (int a : axes) s[a] = 1;
        return Lax.reshape(reduced, s);
    }

    /** Sum over all axes. Booleans and integers sum as int32, as in JAX. */
    public static Array sum(Array x) { return sum(x, allAxes(x), false); }
    /** {@code jnp.sum}. */
    public static Array sum(Array x, int... axes) { return sum(x, axes, false); }

    /** {@code jnp.sum}. */
    public static Array sum(Array x, int[] axes, boolean keepdims) {
        int[] ax = normalizeAxes("sum", x, axes);
        Array in = x.dtype() == DType.BOOL ? Lax.convertElementType(x, DType.I32) : x;
        return keep(Lax.reduceSum(in, ax), x, ax, keepdims);
    }

    /** {@code jnp.mean}. */
    public static Array mean(Array x) { return mean(x, allAxes(x), false); }
    /** {@code jnp.mean}. */
    public static Array mean(Array x, int... axes) { return mean(x, axes, false); }

    /** {@code jnp.mean}. */
    public static Array mean(Array x, int[] axes, boolean keepdims) {
        int[] ax = normalizeAxes("mean", x, axes);
        long n = 1;
        for (int a : ax) n *= x.dim(a);
        Array s = sum(inexact(x), ax, keepdims);
        return Lax.div(s, Lax.fullLike(s, n));
    }

    /** {@code jnp.max}. */
    public static Array max(Array x) { return max(x, allAxes(x), false); }
    /** {@code jnp.max}. */
    public static Array max(Array x, int... axes) { return max(x, axes, false); }

    /** {@code jnp.max}. */
    public static Array max(Array x, int[] axes, boolean keepdims) {
        int[] ax = normalizeAxes("max", x, axes);
        checkNonEmpty("max", x, ax);
        return keep(Lax.reduceMax(x, ax), x, ax, keepdims);
    }

    /** {@code jnp.min}. */
    public static Array min(Array x) { return min(x, allAxes(x), false); }
    /** {@code jnp.min}. */
    public static Array min(Array x, int... axes) { return min(x, axes, false); }

    /** {@code jnp.min}. */
    public static Array min(Array x, int[] axes, boolean keepdims) {
        int[] ax = normalizeAxes("min", x, axes);
        checkNonEmpty("min", x, ax);
        return keep(Lax.reduceMin(x, ax), x, ax, keepdims);
    }

    private static void checkNonEmpty(String op, Array x, int[] axes) {
        for (int a : axes) {
            if (x.dim(a) == 0) throw new Jax4jException(op + ": zero-size reduction over axis " + a + " of " + x.aval().str() + " has no identity");
        }
    }

    /** Variance with {@code ddof} degrees of freedom removed: mean(|x - mean(x)|²) * n / (n - ddof). */
    public static Array var(Array x, int[] axes, int ddof, boolean keepdims) {
        int[] ax = normalizeAxes("var", x, axes);
        Array xf = inexact(x);
        Array centered = Lax.sub(xf, broadcastTo(mean(xf, ax, true), xf.shape()));
        long n = 1;
        for (int a : ax) n *= x.dim(a);
        Array s = sum(Lax.mul(centered, centered), ax, keepdims);
        return Lax.div(s, Lax.fullLike(s, n - ddof));
    }

    /** {@code jnp.var}. */
    public static Array var(Array x, int... axes) { return var(x, axes.length == 0 ? allAxes(x) : axes, 0, false); }

    /** {@code jnp.std}. */
    public static Array std(Array x, int... axes) { return Lax.sqrt(var(x, axes)); }

    /** {@code jnp.std}. */
    public static Array std(Array x, int[] axes, int ddof, boolean keepdims) { return Lax.sqrt(var(x, axes, ddof, keepdims)); }

    /** {@code jnp.argmax}. */
    public static Array argmax(Array x, int axis) {
        int a = normalizeAxes("argmax", x, axis)[0];
        return Lax.argmax(x, a, DType.I32);
    }

    /** {@code jnp.argmin}. */
    public static Array argmin(Array x, int axis) {
        int a = normalizeAxes("argmin", x, axis)[0];
        return Lax.argmin(x, a, DType.I32);
    }

    // ---------------------------------------------------------------- shapes
    /** Reshape, with at most one {@code -1} inferred. */
    public static Array reshape(Array x, int... shape) {
        int[] s = shape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) throw new Jax4jException("reshape: only one dimension can be -1, got " + Arrays.toString(shape));
                infer = i;
            } else known *= s[i];
        }
        if (infer >= 0) {
            if (known == 0 || x.size() % known != 0) {
                throw new Jax4jException("reshape: cannot reshape " + x.aval().str() + " into shape " + Arrays.toString(shape));
            }
            s[infer] = (int) (x.size() / known);
        }
        return Lax.reshape(x, s);
    }

    /** {@code jnp.ravel}. */
    public static Array ravel(Array x) { return reshape(x, -1); }

    /** Reverses the axes. */
    public static Array transpose(Array x) {
        int[] perm = new int[x.ndim()];
        for (int i = 0; i < perm.length; i++) perm[i] = perm.length - 1 - i;
        return Lax.transpose(x, perm);
    }

    /** {@code jnp.transpose}. */
    public static Array transpose(Array x, int... perm) {
        if (perm.length == 0) return transpose(x);
        return Lax.transpose(x, normalizeAxes("transpose", x, perm));
    }

    /** {@code jnp.swapaxes}. */
    public static Array swapaxes(Array x, int a, int b) {
        int[] ax = normalizeAxes("swapaxes", x, a, b);
        int[] perm = allAxes(x);
        perm[ax[0]] = ax[1];
        perm[ax[1]] = ax[0];
        return Lax.transpose(x, perm);
    }

    /** {@code jnp.moveaxis}. */
    public static Array moveaxis(Array x, int source, int destination) {
        int s = normalizeAxes("moveaxis", x, source)[0];
        int d = normalizeAxes("moveaxis", x, destination)[0];
        java.util.List<Integer> perm = new java.util.ArrayList<>();
        for (int i = 0; i < x.ndim(); i++) if (i != s) perm.add(i);
        perm.add(d, s);
        return Lax.transpose(x, perm.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Removes the given axes of size 1 (all of them when none are given). */
    public static Array squeeze(Array x, int... axes) {
        int[] ax = axes.length == 0 ? java.util.stream.IntStream.range(0, x.ndim()).filter(i -> x.dim(i) == 1).toArray()
                : normalizeAxes("squeeze", x, axes);
        for (int a : ax) {
            if (x.dim(a) != 1) throw new Jax4jException("squeeze: cannot remove axis " + a + " of size " + x.dim(a) + " from " + x.aval().str());
        }
        int[] s = java.util.stream.IntStream.range(0, x.ndim()).filter(i -> Arrays.stream(ax).noneMatch(a -> a == i)).map(x::dim).toArray();
        return Lax.reshape(x, s);
    }

    /** {@code jnp.expand_dims}. */
    public static Array expandDims(Array x, int axis) {
        int a = axis < 0 ? axis + x.ndim() + 1 : axis;
        if (a < 0 || a > x.ndim()) throw new Jax4jException("expandDims: axis " + axis + " is out of bounds for " + x.aval().str());
        int[] s = new int[x.ndim() + 1];
        for (int i = 0, j = 0; i < s.length; i++) s[i] = i == a ? 1 : x.dim(j++);
        return Lax.reshape(x, s);
    }

    /** {@code jnp.astype}. */
    public static Array astype(Array x, DType dtype) { return Lax.convertElementType(x, dtype, false); }

    /** {@code jnp.zeros_like}. */
    public static Array zerosLike(Array x) { return Lax.zerosLike(x); }

    /** {@code jnp.ones_like}. */
    public static Array onesLike(Array x) { return Lax.fullLike(x, 1); }

    /** {@code jnp.full_like}. */
    public static Array fullLike(Array x, double v) { return Lax.fullLike(x, v); }

    // ---- section: linear algebra (matmul, dot, einsum, outer, tensordot)
    /** {@code x @ y} with NumPy's rules: 1-d operands are promoted and their axis removed; batch axes broadcast. */
    public static Array matmul(Array x, Array y) {
        if (x.ndim() == 0 || y.ndim() == 0) throw new Jax4jException("matmul: operands must not be scalars, got " + x.aval().str() + " and " + y.aval().str());
        Array[] p = promoteBroadcastDtypeOnly("matmul", x, y);
        Array a = p[0], b = p[1];
        boolean aVec = a.ndim() == 1, bVec = b.ndim() == 1;
        if (aVec) a = Lax.reshape(a, 1, a.dim(0));
        if (bVec) b = Lax.reshape(b, b.dim(0), 1);
        int nb = Math.max(a.ndim(), b.ndim()) - 2;
        int[] batchA = java.util.Arrays.copyOf(a.shape(), a.ndim() - 2), batchB = java.util.Arrays.copyOf(b.shape(), b.ndim() - 2);
        int[] batch = broadcastShapes("matmul", batchA, batchB);
        a = broadcastTo(a, concat(batch, new int[]{a.dim(-2), a.dim(-1)}));
        b = broadcastTo(b, concat(batch, new int[]{b.dim(-2), b.dim(-1)}));
        if (a.dim(-1) != b.dim(-2)) {
            throw new Jax4jException("matmul: " + x.aval().str() + " @ " + y.aval().str() + ": the contracting axes differ ("
                    + a.dim(-1) + " vs " + b.dim(-2) + ")");
        }
        int[] bd = new int[nb];
        for (int i = 0; i < nb; i++) bd[i] = i;
        Array out = Lax.dotGeneral(a, b, new int[]{nb + 1}, new int[]{nb}, bd, bd);
        if (aVec && bVec) return Lax.reshape(out, batch);
        if (aVec) return Lax.reshape(out, concat(batch, new int[]{out.dim(-1)}));
        if (bVec) return Lax.reshape(out, concat(batch, new int[]{out.dim(-2)}));
        return out;
    }

    /** {@code jnp.dot}: inner product of vectors, matrix products, and contraction of x's last axis with y's second-to-last. */
    public static Array dot(Array x, Array y) {
        if (x.ndim() == 0 || y.ndim() == 0) return multiply(x, y);
        Array[] p = promoteBroadcastDtypeOnly("dot", x, y);
        int yc = y.ndim() == 1 ? 0 : y.ndim() - 2;
        if (x.dim(-1) != y.dim(yc)) {
            throw new Jax4jException("dot: " + x.aval().str() + " and " + y.aval().str() + " have different contracting sizes ("
                    + x.dim(-1) + " vs " + y.dim(yc) + ")");
        }
        return Lax.dotGeneral(p[0], p[1], new int[]{x.ndim() - 1}, new int[]{yc}, new int[0], new int[0]);
    }

    /** The outer product of the flattened operands. */
    public static Array outer(Array x, Array y) {
        Array[] p = promoteBroadcastDtypeOnly("outer", ravel(x), ravel(y));
        return multiply(Lax.reshape(p[0], (int) x.size(), 1), Lax.reshape(p[1], 1, (int) y.size()));
    }

    /**
     * {@code jnp.einsum} for one or two operands, e.g. {@code "bij,bjk->bik"}, {@code "ij,ij->i"},
     * {@code "ij->ji"}; without {@code ->} the output is the letters that occur once, sorted. Two
     * operands become one dot_general (shared output letters are batch axes, shared others are
     * contracted), after summing the letters only one operand has; then a transpose to the output
     * order. Ellipses and repeated letters within an operand (diagonals) are rejected.
     */
    public static Array einsum(String subscripts, Array... operands) {
        String spec = subscripts.replace(" ", "");
        if (spec.contains(".")) throw new Jax4jException("einsum(\"" + subscripts + "\"): ellipsis ('...') is not supported; name every axis");
        int arrow = spec.indexOf("->");
        String[] ins = (arrow < 0 ? spec : spec.substring(0, arrow)).split(",", -1);
        if (ins.length != operands.length) {
            throw new Jax4jException("einsum(\"" + subscripts + "\"): the subscripts name " + ins.length + " operands but " + operands.length
                    + " were given");
        }
        if (operands.length < 1 || operands.length > 2) {
            throw new Jax4jException("einsum(\"" + subscripts + "\"): only one or two operands are supported, got " + operands.length
                    + " (chain two-operand einsums)");
        }
        java.util.Map<Character, Integer> sizes = new java.util.HashMap<>();
        java.util.Map<Character, Integer> counts = new java.util.TreeMap<>();
        for (int k = 0; k < ins.length; k++) einsumCheckOperand(subscripts, k, ins[k], operands[k], sizes, counts);
        String out;
        if (arrow >= 0) {
            out = spec.substring(arrow + 2);
            for (int i = 0; i < out.length(); i++) {
                char c = out.charAt(i);
                if (!sizes.containsKey(c)) {
                    throw new Jax4jException("einsum(\"" + subscripts + "\"): output index '" + c + "' does not occur in any operand");
                }
                if (out.indexOf(c) != i) throw new Jax4jException("einsum(\"" + subscripts + "\"): output index '" + c + "' is repeated");
            }
        } else {
            StringBuilder sb = new StringBuilder();
            counts.forEach((c, n) -> { if (n == 1) sb.append(c); });
            out = sb.toString();
        }
        if (operands.length == 1) return einsumFinish(einsumSumUnique(operands[0], ins[0], out, ""), einsumDrop(ins[0], out, ""), out);
        Array[] p = promoteBroadcastDtypeOnly("einsum", operands[0], operands[1]);
        String a = ins[0], b = ins[1];
        Array x = einsumSumUnique(p[0], a, out, b), y = einsumSumUnique(p[1], b, out, a);
        a = einsumDrop(a, out, b);
        b = einsumDrop(b, out, a);
        StringBuilder batch = new StringBuilder(), contract = new StringBuilder();
        for (char c : a.toCharArray()) {
            if (b.indexOf(c) < 0) continue;
            (out.indexOf(c) >= 0 ? batch : contract).append(c);
        }
        int[] ac = einsumAxes(a, contract), bc = einsumAxes(b, contract), ab = einsumAxes(a, batch), bb = einsumAxes(b, batch);
        Array r = Lax.dotGeneral(x, y, ac, bc, ab, bb);
        StringBuilder have = new StringBuilder(batch);
        for (char c : a.toCharArray()) if (b.indexOf(c) < 0) have.append(c);
        for (char c : b.toCharArray()) if (a.indexOf(c) < 0) have.append(c);
        return einsumFinish(r, have.toString(), out);
    }

    private static void einsumCheckOperand(String subscripts, int k, String letters, Array x, java.util.Map<Character, Integer> sizes,
                                           java.util.Map<Character, Integer> counts) {
        String what = "einsum(\"" + subscripts + "\")";
        if (letters.length() != x.ndim()) {
            throw new Jax4jException(what + ": operand " + k + " " + x.aval().str() + " has " + x.ndim() + " axes but its subscripts '"
                    + letters + "' name " + letters.length());
        }
        for (int i = 0; i < letters.length(); i++) {
            char c = letters.charAt(i);
            if (!Character.isLetter(c)) throw new Jax4jException(what + ": invalid subscript character '" + c + "'");
            if (letters.indexOf(c) != i) {
                throw new Jax4jException(what + ": index '" + c + "' is repeated in operand " + k + " ('" + letters + "'): diagonals are not "
                        + "supported; extract the diagonal first");
            }
            Integer prev = sizes.putIfAbsent(c, x.dim(i));
            if (prev != null && prev != x.dim(i)) {
                throw new Jax4jException(what + ": index '" + c + "' has size " + prev + " in one operand and " + x.dim(i) + " in operand "
                        + k + " " + x.aval().str());
            }
            counts.merge(c, 1, Integer::sum);
        }
    }

    /** Sums the axes whose letters occur neither in the output nor in the other operand. */
    private static Array einsumSumUnique(Array x, String letters, String out, String other) {
        java.util.List<Integer> axes = new java.util.ArrayList<>();
        for (int i = 0; i < letters.length(); i++) {
            char c = letters.charAt(i);
            if (out.indexOf(c) < 0 && other.indexOf(c) < 0) axes.add(i);
        }
        return Lax.reduceSum(x, axes.stream().mapToInt(Integer::intValue).toArray());
    }

    private static String einsumDrop(String letters, String out, String other) {
        StringBuilder sb = new StringBuilder();
        for (char c : letters.toCharArray()) if (out.indexOf(c) >= 0 || other.indexOf(c) >= 0) sb.append(c);
        return sb.toString();
    }

    private static int[] einsumAxes(String letters, CharSequence which) {
        int[] r = new int[which.length()];
        for (int i = 0; i < r.length; i++) r[i] = letters.indexOf(which.charAt(i));
        return r;
    }

    /** Transposes an array whose axes carry {@code have} into the order {@code out}. */
    private static Array einsumFinish(Array x, String have, String out) {
        return Lax.transpose(x, einsumAxes(have, out));
    }

    /** {@code jnp.tensordot(a, b, axes)}: contracts the last {@code axes} axes of a with the first of b. */
    public static Array tensordot(Array a, Array b, int axes) {
        int[] aa = new int[axes], ba = new int[axes];
        for (int i = 0; i < axes; i++) {
            aa[i] = a.ndim() - axes + i;
            ba[i] = i;
        }
        return tensordot(a, b, aa, ba);
    }

    /** {@code jnp.tensordot(a, b, (axesA, axesB))}: result axes are a's free axes then b's. */
    public static Array tensordot(Array a, Array b, int[] axesA, int[] axesB) {
        if (axesA.length != axesB.length) {
            throw new Jax4jException("tensordot: axes " + java.util.Arrays.toString(axesA) + " and " + java.util.Arrays.toString(axesB)
                    + " must have one length");
        }
        int[] na = new int[axesA.length], nb = new int[axesB.length];
        for (int i = 0; i < na.length; i++) {
            na[i] = axesA[i] < 0 ? axesA[i] + a.ndim() : axesA[i];
            nb[i] = axesB[i] < 0 ? axesB[i] + b.ndim() : axesB[i];
            if (na[i] < 0 || na[i] >= a.ndim() || nb[i] < 0 || nb[i] >= b.ndim() || a.dim(na[i]) != b.dim(nb[i])) {
                throw new Jax4jException("tensordot: cannot contract axis " + axesA[i] + " of " + a.aval().str() + " with axis " + axesB[i]
                        + " of " + b.aval().str());
            }
        }
        Array[] p = promoteBroadcastDtypeOnly("tensordot", a, b);
        return Lax.dotGeneral(p[0], p[1], na, nb, new int[0], new int[0]);
    }

    /** Promotes to a common dtype without broadcasting shapes. */
    static Array[] promoteBroadcastDtypeOnly(String op, Array... xs) {
        ShapedArray[] avals = new ShapedArray[xs.length];
        for (int i = 0; i < xs.length; i++) avals[i] = xs[i].aval();
        ShapedArray rt = resultType(avals);
        Array[] out = new Array[xs.length];
        for (int i = 0; i < xs.length; i++) out[i] = Lax.convertElementType(xs[i], rt.dtype(), rt.weakType());
        return out;
    }

    static int[] concat(int[] a, int[] b) {
        int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    // ---- section: indexing and joining (take, take_along_axis, one_hot, concatenate, stack, pad, flip, cumsum, prod, sort, ...)
    /** An omitted bound in {@link #slice}: Python's {@code x[:n]}, {@code x[::-1]}. */
    public static final int NONE = Integer.MIN_VALUE;

    private static final io.jax4j.prims.Scatter.GatherScatterMode FILL = io.jax4j.prims.Scatter.GatherScatterMode.FILL_OR_DROP;
    private static final io.jax4j.prims.Scatter.GatherScatterMode CLIP = io.jax4j.prims.Scatter.GatherScatterMode.CLIP;

    /** Negative indices count from the end ({@code i + n} where {@code i < 0}), as jnp does before gathering. */
    private static Array wrapNegative(String op, Array indices, int n) {
        if (!indices.dtype().isInteger()) throw new Jax4jException(op + ": indices must be integers, got " + indices.aval().str());
        Array idx = Lax.convertElementType(indices, DType.I32);
        Array zero = Lax.zerosLike(idx);
        return Lax.select(Lax.lt(idx, zero), Lax.add(idx, Lax.fullLike(idx, n)), idx);
    }

    /**
     * {@code jnp.take(x, indices, axis)}: out shape {@code x.shape[:axis] + indices.shape + x.shape[axis+1:]}.
     * Out-of-bounds indices give NaN (jnp's default mode "fill"; the lowest int32 for integers).
     */
    public static Array take(Array x, Array indices, int axis) { return take(x, indices, axis, FILL); }

    /** {@code jnp.take} of the flattened array. */
    public static Array take(Array x, Array indices) { return take(ravel(x), indices, 0); }

    /** {@code jnp.take} with an explicit mode (CLIP clamps the indices). */
    public static Array take(Array x, Array indices, int axis, io.jax4j.prims.Scatter.GatherScatterMode mode) {
        int a = normalizeAxes("take", x, axis)[0];
        Array idx = wrapNegative("take", indices, x.dim(a));
        int[] offsetDims = new int[x.ndim() - 1];
        for (int i = 0; i < offsetDims.length; i++) offsetDims[i] = i < a ? i : i + idx.ndim();
        int[] sizes = x.shape();
        sizes[a] = 1;
        var dn = new io.jax4j.prims.Scatter.GatherDimensionNumbers(io.jax4j.core.Ints.of(offsetDims), io.jax4j.core.Ints.of(a),
                io.jax4j.core.Ints.of(a));
        return Lax.gather(x, expandDims(idx, idx.ndim()), dn, sizes, mode, null);
    }

    /** {@code x[indices]}: integer-array row indexing; out-of-bounds indices are clamped, as jnp's getitem does. */
    public static Array getRows(Array x, Array indices) { return take(x, indices, 0, CLIP); }

    /**
     * {@code jnp.take_along_axis}: indices of x's rank, broadcast against x except along {@code axis};
     * out-of-bounds indices give NaN (mode "fill").
     */
    public static Array takeAlongAxis(Array x, Array indices, int axis) {
        int a = normalizeAxes("take_along_axis", x, axis)[0];
        if (indices.ndim() != x.ndim()) {
            throw new Jax4jException("take_along_axis: indices " + indices.aval().str() + " must have the rank of the array " + x.aval().str());
        }
        int[] xs = x.shape(), is = indices.shape();
        int[] other = broadcastShapes("take_along_axis", withAxis(xs, a, 1), withAxis(is, a, 1));
        Array xb = broadcastTo(x, withAxis(other, a, xs[a]));
        Array ib = broadcastTo(wrapNegative("take_along_axis", indices, xs[a]), withAxis(other, a, is[a]));
        return io.jax4j.prims.Scatter.takeAlongAxis(xb, ib, a, FILL, null);
    }

    private static int[] withAxis(int[] shape, int axis, int size) {
        int[] s = shape.clone();
        s[axis] = size;
        return s;
    }

    /** {@code jnp.concatenate}: promotes dtypes; all sizes but the axis' must agree. */
    public static Array concatenate(java.util.List<Array> xs, int axis) {
        if (xs.isEmpty()) throw new Jax4jException("concatenate: needs at least one array");
        Array first = xs.getFirst();
        if (first.ndim() == 0) throw new Jax4jException("concatenate: zero-dimensional arrays cannot be concatenated");
        int a = normalizeAxes("concatenate", first, axis)[0];
        return Lax.concatenate(java.util.Arrays.asList(promoteBroadcastDtypeOnly("concatenate", xs.toArray(new Array[0]))), a);
    }

    /** {@code jnp.stack}: a new axis {@code axis} of length {@code xs.size()}; all shapes must agree. */
    public static Array stack(java.util.List<Array> xs, int axis) {
        if (xs.isEmpty()) throw new Jax4jException("stack: needs at least one array");
        int a = axis < 0 ? axis + xs.getFirst().ndim() + 1 : axis;
        java.util.List<Array> expanded = new java.util.ArrayList<>();
        for (Array x : xs) {
            if (!java.util.Arrays.equals(x.shape(), xs.getFirst().shape())) {
                throw new Jax4jException("stack: all arrays must have one shape, got " + xs.stream().map(y -> y.aval().str()).toList());
            }
            expanded.add(expandDims(x, a));
        }
        return concatenate(expanded, a);
    }

    /** {@code jnp.pad(x, pad_width)} with zeros; a single {before, after} row applies to every axis. */
    public static Array pad(Array x, int[][] padWidth) { return pad(x, padWidth, 0); }

    /** {@code jnp.pad(x, pad_width, constant_values=value)}. */
    public static Array pad(Array x, int[][] padWidth, Number value) {
        int[][] config = new int[x.ndim()][];
        for (int i = 0; i < x.ndim(); i++) {
            int[] w = padWidth.length == 1 ? padWidth[0] : i < padWidth.length ? padWidth[i] : null;
            if (w == null || padWidth.length != 1 && padWidth.length != x.ndim() || w.length != 2 || w[0] < 0 || w[1] < 0) {
                throw new Jax4jException("pad: pad_width must be one {before, after} pair of non-negative ints, or one per axis of "
                        + x.aval().str() + ", got " + java.util.Arrays.deepToString(padWidth));
            }
            config[i] = new int[]{w[0], w[1], 0};
        }
        return Lax.pad(x, Lax.scalarLike(x, value.doubleValue()), config);
    }

    /** {@code jnp.flip}: reverses the given axes (all when none are given). */
    public static Array flip(Array x, int... axes) {
        return Lax.rev(x, axes.length == 0 ? allAxes(x) : normalizeAxes("flip", x, axes));
    }

    /** {@code jnp.cumsum} along an axis; bool sums as int32. */
    public static Array cumsum(Array x, int axis) { return Lax.cumsum(asNumeric(x), normalizeAxes("cumsum", x, axis)[0], false); }

    /** {@code jnp.cumprod}. */
    public static Array cumprod(Array x, int axis) { return Lax.cumprod(asNumeric(x), normalizeAxes("cumprod", x, axis)[0], false); }

    private static Array asNumeric(Array x) { return x.dtype() == DType.BOOL ? Lax.convertElementType(x, DType.I32) : x; }

    /** {@code jnp.prod} over the axes (all when none are given); bool multiplies as int32. */
    public static Array prod(Array x, int... axes) {
        return Lax.reduceProd(asNumeric(x), axes.length == 0 ? allAxes(x) : normalizeAxes("prod", x, axes));
    }

    /** {@code jnp.sort} along an axis (stable). */
    public static Array sort(Array x, int axis) { return Lax.sort(x, normalizeAxes("sort", x, axis)[0]); }

    /** {@code jnp.argsort} along an axis: the stable sorting permutation, int32. */
    public static Array argsort(Array x, int axis) {
        int a = normalizeAxes("argsort", x, axis)[0];
        Array iota = Lax.broadcastedIota(DType.I32, x.shape(), a);
        return Lax.sort(java.util.List.of(x, iota), a, true, 1).get(1);
    }

    /** {@code jnp.split(x, sections, axis)}: equal parts; the axis must divide evenly. */
    public static java.util.List<Array> split(Array x, int sections, int axis) {
        int a = normalizeAxes("split", x, axis)[0];
        if (sections <= 0 || x.dim(a) % sections != 0) {
            throw new Jax4jException("split: array split does not result in an equal division: axis " + a + " of " + x.aval().str()
                    + " into " + sections + " sections");
        }
        int[] cuts = new int[sections - 1];
        for (int i = 0; i < cuts.length; i++) cuts[i] = (i + 1) * (x.dim(a) / sections);
        return split(x, cuts, a);
    }

    /** {@code jnp.split(x, [i, j, ...], axis)}: parts {@code [:i], [i:j], ..., [last:]} (indices clipped to the axis). */
    public static java.util.List<Array> split(Array x, int[] indices, int axis) {
        int a = normalizeAxes("split", x, axis)[0];
        java.util.List<Array> parts = new java.util.ArrayList<>();
        int start = 0, n = x.dim(a);
        for (int k = 0; k <= indices.length; k++) {
            int stop = k == indices.length ? n : Math.min(Math.max(indices[k], 0), n);
            parts.add(Lax.sliceInDim(x, Math.min(start, n), Math.max(stop, Math.min(start, n)), 1, a));
            start = Math.max(start, stop);
        }
        return parts;
    }

    /** {@code jnp.tile}: repeats the whole array {@code reps[i]} times along axis i (reps aligned to the last axes). */
    public static Array tile(Array x, int... reps) {
        int nd = Math.max(x.ndim(), reps.length);
        int[] r = new int[nd], s = new int[nd];
        for (int i = 0; i < nd; i++) {
            r[i] = i - (nd - reps.length) >= 0 ? reps[i - (nd - reps.length)] : 1;
            s[i] = i - (nd - x.ndim()) >= 0 ? x.dim(i - (nd - x.ndim())) : 1;
        }
        Array xs = Lax.reshape(x, s);
        int[] big = new int[2 * nd], bd = new int[nd], out = new int[nd];
        for (int i = 0; i < nd; i++) {
            big[2 * i] = r[i];
            big[2 * i + 1] = s[i];
            bd[i] = 2 * i + 1;
            out[i] = r[i] * s[i];
        }
        return Lax.reshape(Lax.broadcastInDim(xs, big, bd), out);
    }

    /** {@code jnp.repeat(x, repeats, axis)}: each element repeated {@code repeats} times along the axis. */
    public static Array repeat(Array x, int repeats, int axis) {
        int a = normalizeAxes("repeat", x, axis)[0];
        if (repeats < 0) throw new Jax4jException("repeat: repeats must be >= 0, got " + repeats);
        int[] s = x.shape();
        int[] big = new int[s.length + 1], bd = new int[s.length];
        for (int i = 0, j = 0; i < big.length; i++) {
            if (i == a + 1) big[i] = repeats;
            else {
                big[i] = s[j];
                bd[j++] = i;
            }
        }
        int[] out = s.clone();
        out[a] *= repeats;
        return Lax.reshape(Lax.broadcastInDim(x, big, bd), out);
    }

    /**
     * Python's basic slicing {@code x[start:stop:step, ...]} for the leading axes ({@link #NONE} for an
     * omitted bound; missing trailing entries mean {@code :}); negative bounds count from the end,
     * negative steps reverse (rev then slice).
     */
    public static Array slice(Array x, int[] start, int[] stop, int[] step) {
        int nd = x.ndim();
        if (start.length > nd || stop.length > nd || step.length > nd) {
            throw new Jax4jException("slice: too many indices for an array of shape " + x.aval().str());
        }
        int[] s = new int[nd], l = new int[nd], st = new int[nd];
        java.util.List<Integer> reversed = new java.util.ArrayList<>();
        for (int i = 0; i < nd; i++) {
            int n = x.dim(i), k = i < step.length && step[i] != NONE ? step[i] : 1;
            if (k == 0) throw new Jax4jException("slice: slice step cannot be zero (axis " + i + ")");
            int b = pyIndex(i < start.length ? start[i] : NONE, n, k, true);
            int e = pyIndex(i < stop.length ? stop[i] : NONE, n, k, false);
            int len = k > 0 ? Math.max(0, (e - b + k - 1) / k) : Math.max(0, (b - e - k - 1) / -k);
            if (k < 0) {
                reversed.add(i);
                b = n - 1 - b;
                k = -k;
            }
            s[i] = len == 0 ? 0 : b;
            l[i] = len == 0 ? 0 : b + (len - 1) * k + 1;
            st[i] = k;
        }
        Array r = Lax.rev(x, reversed.stream().mapToInt(Integer::intValue).toArray());
        return Lax.slice(r, s, l, st);
    }

    /** Python's {@code slice.indices}: a bound normalised and clipped for a step's direction. */
    private static int pyIndex(int v, int n, int step, boolean isStart) {
        if (v == NONE) return step > 0 ? (isStart ? 0 : n) : (isStart ? n - 1 : -1);
        if (v < 0) v += n;
        return step > 0 ? Math.min(Math.max(v, 0), n) : Math.min(Math.max(v, -1), n - 1);
    }

    /** {@code jnp.arange(n)} that also works inside transformations: int32 {@code 0..n-1} (an iota). */
    public static Array iota(int n) { return Lax.iota(DType.I32, n); }

    /** {@code jnp.arange(n)} as int32 that also works inside transformations (a {@code lax.iota}). */
    public static Array iota(DType dtype, int n) { return Lax.iota(dtype, n); }

    /** {@code jnp.eye(n)} in float32. */
    public static Array eye(int n) { return eye(n, n, 0, DType.F32); }

    /** {@code jnp.eye(n, m, k, dtype)}: ones on the k-th diagonal. */
    public static Array eye(int n, int m, int k, DType dtype) {
        Array rows = Lax.broadcastedIota(DType.I32, new int[]{n, m}, 0);
        Array cols = Lax.broadcastedIota(DType.I32, new int[]{n, m}, 1);
        return Lax.convertElementType(Lax.eq(Lax.add(rows, Lax.fullLike(rows, k)), cols), dtype);
    }

    /** {@code jnp.triu(x, k)}: zeros below the k-th diagonal of the last two axes. */
    public static Array triu(Array x, int k) { return triangle("triu", x, k, true); }

    /** {@code jnp.tril(x, k)}: zeros above the k-th diagonal of the last two axes. */
    public static Array tril(Array x, int k) { return triangle("tril", x, k, false); }

    private static Array triangle(String op, Array x, int k, boolean upper) {
        if (x.ndim() < 2) throw new Jax4jException(op + ": needs at least two axes, got " + x.aval().str());
        int n = x.dim(-2), m = x.dim(-1);
        Array rows = Lax.add(Lax.broadcastedIota(DType.I32, new int[]{n, m}, 0), Lax.scalar(k, DType.I32));
        Array cols = Lax.broadcastedIota(DType.I32, new int[]{n, m}, 1);
        Array keep = broadcastTo(upper ? Lax.le(rows, cols) : Lax.ge(rows, cols), x.shape());
        return Lax.select(keep, x, Lax.zerosLike(x));
    }
}
