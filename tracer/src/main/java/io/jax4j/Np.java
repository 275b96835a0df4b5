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
     * Three or more operands, contracted left to right: each step keeps the letters that a later
     * operand or the output still needs (the output without {@code ->}: the letters that occur once).
     */
    private static Array einsumChain(String subscripts, String[] ins, String out, Array[] operands) {
        String all = String.join("", ins);
        String output = out;
        if (output == null) {
            StringBuilder once = new StringBuilder();
            all.chars().sorted().distinct().forEach(c -> {
                if (all.indexOf(c) == all.lastIndexOf(c)) once.append((char) c);
            });
            output = once.toString();
        }
        Array acc = operands[0];
        String accLetters = ins[0];
        for (int i = 1; i < operands.length; i++) {
            StringBuilder later = new StringBuilder(output);
            for (int j = i + 1; j < ins.length; j++) later.append(ins[j]);
            StringBuilder keep = new StringBuilder();
            String both = accLetters + ins[i];
            for (char c : both.toCharArray()) {
                if (keep.indexOf(String.valueOf(c)) < 0 && later.indexOf(String.valueOf(c)) >= 0) keep.append(c);
            }
            String step = i == operands.length - 1 ? output : keep.toString();
            acc = einsum(accLetters + "," + ins[i] + "->" + step, acc, operands[i]);
            accLetters = step;
        }
        return acc;
    }

    /** Names the axes an ellipsis covers with fresh letters (right-aligned across operands, broadcast), then einsum. */
    private static Array einsumEllipsis(String subscripts, String spec, Array[] operands) {
        int arrow = spec.indexOf("->");
        String[] ins = (arrow < 0 ? spec : spec.substring(0, arrow)).split(",", -1);
        String out = arrow < 0 ? null : spec.substring(arrow + 2);
        if (ins.length != operands.length) {
            throw new Jax4jException("einsum(\"" + subscripts + "\"): the subscripts name " + ins.length + " operands but " + operands.length + " were given");
        }
        StringBuilder fresh = new StringBuilder();
        for (char c = 'A'; c <= 'Z'; c++) if (spec.indexOf(c) < 0) fresh.append(c);
        for (char c = 'a'; c <= 'z'; c++) if (spec.indexOf(c) < 0) fresh.append(c);
        int[] counts = new int[ins.length];
        int most = 0;
        for (int i = 0; i < ins.length; i++) {
            String t = ins[i];
            int at = t.indexOf("...");
            if (t.replace("...", "").contains(".") || at >= 0 && t.indexOf("...", at + 1) >= 0) {
                throw new Jax4jException("einsum(\"" + subscripts + "\"): an operand may hold one ellipsis ('...'), got \"" + t + "\"");
            }
            int letters = t.replace("...", "").length();
            counts[i] = at < 0 ? 0 : operands[i].ndim() - letters;
            if (counts[i] < 0 || at < 0 && letters != operands[i].ndim()) {
                throw new Jax4jException("einsum(\"" + subscripts + "\"): operand " + i + " " + operands[i].aval().str() + " has "
                        + operands[i].ndim() + " axes for the subscripts \"" + t + "\"");
            }
            most = Math.max(most, counts[i]);
        }
        if (most > fresh.length()) throw new Jax4jException("einsum(\"" + subscripts + "\"): too many axes under the ellipsis");
        String ell = fresh.substring(0, most);
        // the broadcast shape of the ellipsis axes, right-aligned
        int[][] shapes = new int[ins.length][];
        for (int i = 0; i < ins.length; i++) {
            int at = ins[i].indexOf("...");
            shapes[i] = at < 0 ? new int[0] : java.util.Arrays.copyOfRange(operands[i].shape(), at, at + counts[i]);
        }
        int[] common = broadcastShapes("einsum(\"" + subscripts + "\") ellipsis", shapes);
        Array[] expanded = new Array[ins.length];
        String[] named = new String[ins.length];
        for (int i = 0; i < ins.length; i++) {
            int at = ins[i].indexOf("...");
            named[i] = ins[i].replace("...", ell.substring(most - counts[i]));
            if (at < 0) {
                expanded[i] = operands[i];
                continue;
            }
            int[] target = operands[i].shape();
            for (int k = 0; k < counts[i]; k++) target[at + k] = common[common.length - counts[i] + k];
            expanded[i] = broadcastTo(operands[i], target);
        }
        String output;
        if (out != null) {
            output = out.replace("...", ell);
        } else {
            StringBuilder once = new StringBuilder();
            String all = String.join("", ins).replace("...", "");
            for (char c : all.chars().sorted().distinct().mapToObj(c -> (char) c).map(String::valueOf).reduce("", String::concat).toCharArray()) {
                if (all.indexOf(c) == all.lastIndexOf(c)) once.append(c);
            }
            output = ell + once;
        }
        return einsum(String.join(",", named) + "->" + output, expanded);
    }

    /**
     * {@code jnp.einsum}, e.g. {@code "bij,bjk->bik"}, {@code "ij,ij->i"},
     * {@code "ij->ji"}; without {@code ->} the output is the letters that occur once, sorted. Two
     * operands become one dot_general (shared output letters are batch axes, shared others are
     * contracted), after summing the letters only one operand has; then a transpose to the output
     * order. An ellipsis ({@code "...ij,...jk->...ik"}) stands for the leading axes of each operand,
     * broadcast together as NumPy does; three or more operands are contracted left to right;
     * repeated letters within an operand (diagonals) are rejected.
     */
    public static Array einsum(String subscripts, Array... operands) {
        String spec = subscripts.replace(" ", "");
        if (spec.contains(".")) return einsumEllipsis(subscripts, spec, operands);
        int arrow = spec.indexOf("->");
        String[] ins = (arrow < 0 ? spec : spec.substring(0, arrow)).split(",", -1);
        if (ins.length != operands.length) {
            throw new Jax4jException("einsum(\"" + subscripts + "\"): the subscripts name " + ins.length + " operands but " + operands.length
                    + " were given");
        }
        if (operands.length < 1) throw new Jax4jException("einsum(\"" + subscripts + "\"): needs at least one operand");
        if (operands.length > 2) return einsumChain(subscripts, ins, arrow < 0 ? null : spec.substring(arrow + 2), operands);
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

    /**
     * {@code jnp.pad(x, pad_width, mode)}: {@code "constant"} (zeros), {@code "edge"} (the border
     * repeated), {@code "reflect"} (mirrored without the border), {@code "symmetric"} (mirrored with
     * it) or {@code "wrap"} (the other end). Mirrored and wrapped widths may not exceed the axis.
     */
    public static Array pad(Array x, int[][] padWidth, String mode) {
        if (mode.equals("constant")) return pad(x, padWidth, 0);
        if (!java.util.Set.of("edge", "reflect", "symmetric", "wrap").contains(mode)) {
            throw new Jax4jException("pad: mode must be \"constant\", \"edge\", \"reflect\", \"symmetric\" or \"wrap\", got \"" + mode + "\"");
        }
        pad(x, padWidth, 0);                        // the same checks of pad_width
        Array out = x;
        for (int axis = 0; axis < x.ndim(); axis++) {
            int[] w = padWidth.length == 1 ? padWidth[0] : padWidth[axis];
            int n = x.dim(axis), before = w[0], after = w[1];
            if (before == 0 && after == 0) continue;
            int limit = mode.equals("reflect") ? n - 1 : n;
            if (mode.equals("edge") ? n == 0 : before > limit || after > limit) {
                throw new Jax4jException("pad: mode \"" + mode + "\" can add at most " + limit + " entries at each end of axis " + axis + " of "
                        + x.aval().str() + ", got " + java.util.Arrays.toString(w));
            }
            Array left = switch (mode) {
                case "edge" -> repeat(Lax.sliceInDim(out, 0, 1, 1, axis), before, axis);
                case "reflect" -> Lax.rev(Lax.sliceInDim(out, 1, before + 1, 1, axis), new int[]{axis});
                case "symmetric" -> Lax.rev(Lax.sliceInDim(out, 0, before, 1, axis), new int[]{axis});
                default -> Lax.sliceInDim(out, n - before, n, 1, axis);
            };
            Array right = switch (mode) {
                case "edge" -> repeat(Lax.sliceInDim(out, n - 1, n, 1, axis), after, axis);
                case "reflect" -> Lax.rev(Lax.sliceInDim(out, n - 1 - after, n - 1, 1, axis), new int[]{axis});
                case "symmetric" -> Lax.rev(Lax.sliceInDim(out, n - after, n, 1, axis), new int[]{axis});
                default -> Lax.sliceInDim(out, 0, after, 1, axis);
            };
            out = Lax.concatenate(java.util.List.of(left, out, right), axis);
        }
        return out;
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

    // ---------------------------------------------------------------- creation (jnp names)
    /** {@code jnp.zeros(shape)}: float32. */
    public static Array zeros(int... shape) { return Array.zeros(shape); }
    /** {@code jnp.zeros(shape, dtype)}. */
    public static Array zeros(DType dtype, int... shape) { return Array.zeros(dtype, shape); }
    /** {@code jnp.ones(shape)}: float32. */
    public static Array ones(int... shape) { return Array.ones(shape); }
    /** {@code jnp.ones(shape, dtype)}. */
    public static Array ones(DType dtype, int... shape) { return Array.ones(dtype, shape); }
    /** {@code jnp.full(shape, value)}: float32. */
    public static Array full(double value, int... shape) { return Array.full(DType.F32, value, shape); }
    /** {@code jnp.full(shape, value, dtype)}. */
    public static Array full(DType dtype, double value, int... shape) { return Array.full(dtype, value, shape); }
    /** {@code jnp.arange(n)}: int32 {@code 0 .. n-1}. */
    public static Array arange(int n) { return Array.arange(n); }
    /** {@code jnp.arange(start, stop, step)}: int32. */
    public static Array arange(int start, int stop, int step) { return Array.arange(start, stop, step); }
    /** {@code jnp.arange(start, stop, step)} with float bounds: float32. */
    public static Array arange(double start, double stop, double step) { return Array.arange(start, stop, step); }
    /** {@code jnp.linspace(start, stop, num)}: float32, both ends included. */
    public static Array linspace(double start, double stop, int num) { return Array.linspace(start, stop, num); }
    /** {@code jnp.array([...])}: float32. */
    public static Array array(float... values) { return Array.of(values); }
    /** {@code jnp.array([[...], ...])}: float32 rows of one length. */
    public static Array array(float[][] rows) { return Array.of(rows); }
    /** {@code jnp.array([...])}: int32. */
    public static Array array(int... values) { return Array.of(values); }
    /** {@code jnp.array([...])}: bool. */
    public static Array array(boolean... values) { return Array.of(values); }
    /** {@code jnp.empty_like}: jax4j arrays are never uninitialised, so zeros. */
    public static Array emptyLike(Array x) { return Lax.zerosLike(x); }

    // ---------------------------------------------------------------- logic and tests
    /** {@code jnp.isnan}: false for non-float dtypes. */
    public static Array isnan(Array x) { return x.dtype().isFloating() ? Lax.ne(x, x) : Lax.ne(Lax.zerosLike(x), Lax.zerosLike(x)); }

    /** {@code jnp.isinf}: true for +inf and -inf; false for non-float dtypes. */
    public static Array isinf(Array x) {
        if (!x.dtype().isFloating()) return Lax.ne(Lax.zerosLike(x), Lax.zerosLike(x));
        return Lax.eq(Lax.abs(x), Lax.fullLike(x, Double.POSITIVE_INFINITY));
    }

    /** {@code jnp.isposinf}. */
    public static Array isposinf(Array x) { return Lax.bitwiseAnd(isinf(x), Lax.gt(x, Lax.zerosLike(x))); }

    /** {@code jnp.isneginf}. */
    public static Array isneginf(Array x) { return Lax.bitwiseAnd(isinf(x), Lax.lt(x, Lax.zerosLike(x))); }

    /** {@code jnp.any} over all axes. */
    public static Array any(Array x) { return any(x, allAxes(x), false); }
    /** {@code jnp.any} over the axes. */
    public static Array any(Array x, int... axes) { return any(x, axes, false); }

    /** {@code jnp.any(x, axis, keepdims)}: true where some element is non-zero (false over an empty axis). */
    public static Array any(Array x, int[] axes, boolean keepdims) {
        int[] ax = normalizeAxes("any", x, axes);
        Array m = Lax.reduceMax(Lax.convertElementType(asBool(x), DType.I32), ax);
        return keep(Lax.gt(m, Lax.zerosLike(m)), x, ax, keepdims);
    }

    /** {@code jnp.all} over all axes. */
    public static Array all(Array x) { return all(x, allAxes(x), false); }
    /** {@code jnp.all} over the axes. */
    public static Array all(Array x, int... axes) { return all(x, axes, false); }

    /** {@code jnp.all(x, axis, keepdims)}: true where every element is non-zero (true over an empty axis). */
    public static Array all(Array x, int[] axes, boolean keepdims) {
        return logicalNot(any(logicalNot(x), axes, keepdims));
    }

    /** {@code jnp.count_nonzero} over all axes: int32. */
    public static Array countNonzero(Array x) { return countNonzero(x, allAxes(x), false); }

    /** {@code jnp.count_nonzero(x, axis, keepdims)}: int32. */
    public static Array countNonzero(Array x, int[] axes, boolean keepdims) { return sum(asBool(x), axes, keepdims); }

    /**
     * {@code jnp.isclose(a, b, rtol, atol, equal_nan)}: {@code |a - b| <= atol + rtol * |b|}; equal
     * infinities are close, an infinity is close to nothing else, NaN to nothing unless {@code equalNan}.
     */
    public static Array isclose(Array a, Array b, double rtol, double atol, boolean equalNan) {
        Array[] p = promoteInexact("isclose", a, b);
        Array x = p[0], y = p[1];
        Array close = Lax.le(Lax.abs(Lax.sub(x, y)), Lax.add(Lax.fullLike(y, atol), Lax.mul(Lax.fullLike(y, rtol), Lax.abs(y))));
        Array xInf = isinf(x), yInf = isinf(y);
        close = Lax.bitwiseAnd(close, Lax.not(Lax.bitwiseOr(xInf, yInf)));
        close = Lax.bitwiseOr(close, Lax.bitwiseAnd(Lax.bitwiseAnd(xInf, yInf), Lax.eq(x, y)));
        Array xNan = isnan(x), yNan = isnan(y);
        close = Lax.bitwiseAnd(close, Lax.not(Lax.bitwiseOr(xNan, yNan)));
        return equalNan ? Lax.bitwiseOr(close, Lax.bitwiseAnd(xNan, yNan)) : close;
    }

    /** {@code jnp.isclose(a, b)}: rtol 1e-5, atol 1e-8. */
    public static Array isclose(Array a, Array b) { return isclose(a, b, 1e-5, 1e-8, false); }

    /** {@code jnp.allclose(a, b, rtol, atol, equal_nan)}: a bool scalar array. */
    public static Array allclose(Array a, Array b, double rtol, double atol, boolean equalNan) {
        return all(isclose(a, b, rtol, atol, equalNan));
    }

    /** {@code jnp.allclose(a, b)}: rtol 1e-5, atol 1e-8. */
    public static Array allclose(Array a, Array b) { return allclose(a, b, 1e-5, 1e-8, false); }

    // ---------------------------------------------------------------- more arithmetic
    /** {@code jnp.log2}. */
    public static Array log2(Array x) { Array f = inexact(x); return Lax.div(Lax.log(f), Lax.log(Lax.fullLike(f, 2))); }

    /** {@code jnp.log10}. */
    public static Array log10(Array x) { Array f = inexact(x); return Lax.div(Lax.log(f), Lax.log(Lax.fullLike(f, 10))); }

    /**
     * {@code jnp.round(x)}: to the nearest integer, halves to the even one (NumPy's and JAX's rule;
     * {@link Lax#round} rounds halves away from zero). Integers are returned unchanged.
     */
    public static Array round(Array x) {
        if (!x.dtype().isFloating()) return x;
        Array a = Lax.abs(x);
        Array f = Lax.floor(a);
        Array d = Lax.sub(a, f);                                     // exact: 0 <= d < 1
        Array half = Lax.fullLike(a, 0.5);
        Array odd = Lax.eq(Lax.sub(f, Lax.mul(Lax.floor(Lax.mul(f, half)), Lax.fullLike(f, 2))), Lax.fullLike(f, 1));
        Array up = Lax.bitwiseOr(Lax.gt(d, half), Lax.bitwiseAnd(Lax.eq(d, half), odd));
        Array r = Lax.select(up, Lax.add(f, Lax.fullLike(f, 1)), f);
        return Lax.select(isinf(x), x, Lax.mul(Lax.sign(x), r));     // the sign kept, -0.0 included
    }

    /** {@code jnp.round(x, decimals)}: {@code round(x * 10^d) / 10^d}, as NumPy computes it. */
    public static Array round(Array x, int decimals) {
        if (decimals == 0 || !x.dtype().isFloating() && decimals > 0) return round(x);
        if (!x.dtype().isFloating()) {
            Array f = Lax.fullLike(x, Math.pow(10, -decimals));
            return Lax.mul(floorDivide(Lax.add(x, Lax.div(f, Lax.fullLike(x, 2))), f), f);
        }
        Array factor = Lax.fullLike(x, Math.pow(10, Math.abs(decimals)));
        return decimals > 0 ? Lax.div(round(Lax.mul(x, factor)), factor) : Lax.mul(round(Lax.div(x, factor)), factor);
    }

    /** {@code jnp.around}: {@link #round(Array, int)}. */
    public static Array around(Array x, int decimals) { return round(x, decimals); }

    /** {@code jnp.trunc}: towards zero. */
    public static Array trunc(Array x) {
        if (!x.dtype().isFloating()) return x;
        return Lax.select(Lax.lt(x, Lax.zerosLike(x)), Lax.ceil(x), Lax.floor(x));
    }

    /**
     * {@code jnp.floor_divide} ({@code x // y}): Python's floor division. Integers: the quotient rounded
     * towards minus infinity; floats: JAX's {@code (x - x % y) / y} with the remainder's sign fixed.
     */
    public static Array floorDivide(Array x, Array y) {
        Array[] a = promoteBroadcast("floor_divide", x, y);
        Array n = a[0], d = a[1];
        if (n.dtype() == DType.BOOL) throw new Jax4jException("floor_divide: not defined for bool arrays (convert them to int32 first)");
        Array zero = Lax.zerosLike(n);
        if (!n.dtype().isFloating()) {
            Array q = Lax.div(n, d);
            Array fix = Lax.bitwiseAnd(Lax.ne(Lax.sign(n), Lax.sign(d)), Lax.ne(Lax.rem(n, d), zero));
            return Lax.select(fix, Lax.sub(q, Lax.fullLike(q, 1)), q);
        }
        Array mod = Lax.rem(n, d);
        Array div = Lax.div(Lax.sub(n, mod), d);
        Array fix = Lax.bitwiseAnd(Lax.ne(mod, zero), Lax.ne(Lax.sign(d), Lax.sign(mod)));
        return Lax.round(Lax.select(fix, Lax.sub(div, Lax.fullLike(div, 1)), div));
    }

    /** {@code jnp.floor_divide(x, y)} with a Python number. */
    public static Array floorDivide(Array x, Number y) { return floorDivide(x, Array.weak(y)); }

    /**
     * {@code jnp.nan_to_num(x, nan, posinf, neginf)}: NaN to {@code nan}, +inf to {@code posinf}, -inf
     * to {@code neginf}; {@code null} bounds mean the dtype's largest and lowest finite values.
     */
    public static Array nanToNum(Array x, double nan, Double posinf, Double neginf) {
        if (!x.dtype().isFloating()) return x;
        double big = largestFinite(x.dtype());
        Array out = Lax.select(isnan(x), Lax.fullLike(x, nan), x);
        out = Lax.select(isposinf(x), Lax.fullLike(x, posinf == null ? big : posinf), out);
        return Lax.select(isneginf(x), Lax.fullLike(x, neginf == null ? -big : neginf), out);
    }

    /** {@code jnp.nan_to_num(x)}: NaN to 0, infinities to the largest finite values of the dtype. */
    public static Array nanToNum(Array x) { return nanToNum(x, 0, null, null); }

    private static double largestFinite(DType dtype) {
        return switch (dtype) {
            case F16 -> 65504.0;
            case BF16 -> 3.3895313892515355e38;
            case F32 -> Float.MAX_VALUE;
            default -> Double.MAX_VALUE;
        };
    }

    /** {@code jnp.cross(a, b)} of 3-vectors (or 2-vectors: the z component) along the last axes, broadcasting the rest. */
    public static Array cross(Array a, Array b) {
        int n = a.ndim() == 0 ? 0 : a.dim(-1), m = b.ndim() == 0 ? 0 : b.dim(-1);
        if (n != m || n != 2 && n != 3) {
            throw new Jax4jException("cross: the last axes must both have length 2 or 3, got " + a.aval().str() + " and " + b.aval().str());
        }
        Array[] u = components(a, n), v = components(b, n);
        if (n == 2) return subtract(multiply(u[0], v[1]), multiply(u[1], v[0]));
        return stack(java.util.List.of(
                subtract(multiply(u[1], v[2]), multiply(u[2], v[1])),
                subtract(multiply(u[2], v[0]), multiply(u[0], v[2])),
                subtract(multiply(u[0], v[1]), multiply(u[1], v[0]))), -1);
    }

    private static Array[] components(Array x, int n) {
        Array[] c = new Array[n];
        for (int i = 0; i < n; i++) c[i] = squeeze(Lax.sliceInDim(x, i, i + 1, 1, x.ndim() - 1), x.ndim() - 1);
        return c;
    }

    // ---------------------------------------------------------------- more shape functions
    /** {@code jnp.argmax(x)} of the flattened array: int32. */
    public static Array argmax(Array x) { return argmax(ravel(x), 0); }

    /** {@code jnp.argmin(x)} of the flattened array: int32. */
    public static Array argmin(Array x) { return argmin(ravel(x), 0); }

    /** {@code jnp.roll(x, shift)}: the flattened array rolled, then its shape restored. */
    public static Array roll(Array x, int shift) { return Lax.reshape(roll(ravel(x), new int[]{shift}, new int[]{0}), x.shape()); }

    /** {@code jnp.roll(x, shift, axis)}: elements shifted along the axis, those leaving at one end coming back at the other. */
    public static Array roll(Array x, int shift, int axis) { return roll(x, new int[]{shift}, new int[]{axis}); }

    /** {@code jnp.roll(x, shifts, axes)}: one shift per axis (an axis may repeat: its shifts add). */
    public static Array roll(Array x, int[] shifts, int[] axes) {
        if (shifts.length != axes.length) {
            throw new Jax4jException("roll: " + shifts.length + " shifts for " + axes.length + " axes; give one shift per axis");
        }
        Array out = x;
        for (int i = 0; i < axes.length; i++) {
            int a = normalizeAxes("roll", x, axes[i])[0], n = x.dim(a);
            if (n == 0) continue;
            int s = Math.floorMod(shifts[i], n);
            if (s == 0) continue;
            out = Lax.concatenate(java.util.List.of(Lax.sliceInDim(out, n - s, n, 1, a), Lax.sliceInDim(out, 0, n - s, 1, a)), a);
        }
        return out;
    }

    /**
     * {@code jnp.diag(v, k)}: of a vector, the square matrix with it on the k-th diagonal; of a matrix,
     * its k-th diagonal.
     */
    public static Array diag(Array v, int k) {
        if (v.ndim() == 1) {
            int n = v.dim(0), size = n + Math.abs(k);
            Array column = Lax.reshape(pad(v, new int[][]{k >= 0 ? new int[]{0, k} : new int[]{-k, 0}}), size, 1);
            Array onDiagonal = Lax.ne(eye(size, size, k, DType.I32), Lax.scalar(0, DType.I32));
            return Lax.select(onDiagonal, broadcastTo(column, size, size), Lax.zerosLike(broadcastTo(column, size, size)));
        }
        if (v.ndim() == 2) {
            int n = v.dim(0), m = v.dim(1);
            int first = Math.max(0, -k), len = Math.max(0, Math.min(n - first, m - Math.max(0, k)));
            int[] flat = new int[len];
            for (int i = 0; i < len; i++) flat[i] = (first + i) * m + first + i + k;
            return take(ravel(v), Array.of(flat), 0, CLIP);
        }
        throw new Jax4jException("diag: the input must be one- or two-dimensional, got " + v.aval().str());
    }

    /** {@code jnp.diag(v)}: the main diagonal. */
    public static Array diag(Array v) { return diag(v, 0); }

    /** {@code jnp.diagonal(x)}: the main diagonal of a matrix. */
    public static Array diagonal(Array x) {
        if (x.ndim() != 2) throw new Jax4jException("diagonal: needs a matrix here, got " + x.aval().str() + " (take diagonals of a batch with vmap)");
        return diag(x, 0);
    }

    /** {@code jnp.trace(x)}: the sum of the main diagonal of a matrix. */
    public static Array trace(Array x) { return sum(diagonal(x)); }

    /**
     * {@code jnp.meshgrid(*xs, indexing)}: coordinate arrays from 1-d arrays. {@code "xy"} (the
     * default) swaps the first two output axes, {@code "ij"} keeps matrix order.
     */
    public static java.util.List<Array> meshgrid(String indexing, Array... xs) {
        if (!indexing.equals("xy") && !indexing.equals("ij")) {
            throw new Jax4jException("meshgrid: indexing must be \"xy\" or \"ij\", got \"" + indexing + "\"");
        }
        int n = xs.length;
        int[] shape = new int[n];
        for (int i = 0; i < n; i++) {
            if (xs[i].ndim() != 1) throw new Jax4jException("meshgrid: argument " + i + " must be one-dimensional, got " + xs[i].aval().str());
            shape[i] = xs[i].dim(0);
        }
        boolean xy = indexing.equals("xy") && n >= 2;
        if (xy) {
            int t = shape[0];
            shape[0] = shape[1];
            shape[1] = t;
        }
        java.util.List<Array> out = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            int axis = xy && i < 2 ? 1 - i : i;
            out.add(Lax.broadcastInDim(xs[i], shape, new int[]{axis}));
        }
        return out;
    }

    /** {@code jnp.meshgrid(*xs)} with {@code indexing="xy"}. */
    public static java.util.List<Array> meshgrid(Array... xs) { return meshgrid("xy", xs); }

    /** {@code jnp.atleast_1d}. */
    public static Array atleast1d(Array x) { return x.ndim() >= 1 ? x : Lax.reshape(x, 1); }

    /** {@code jnp.atleast_2d}: a vector becomes one row. */
    public static Array atleast2d(Array x) { return x.ndim() >= 2 ? x : Lax.reshape(x, 1, x.ndim() == 0 ? 1 : x.dim(0)); }

    /** {@code jnp.hstack}: vectors joined end to end, arrays of higher rank along axis 1. */
    public static Array hstack(java.util.List<Array> xs) {
        java.util.List<Array> ys = xs.stream().map(Np::atleast1d).toList();
        return concatenate(ys, ys.isEmpty() || ys.getFirst().ndim() == 1 ? 0 : 1);
    }

    /** {@code jnp.vstack}: vectors as rows, arrays of higher rank along axis 0. */
    public static Array vstack(java.util.List<Array> xs) { return concatenate(xs.stream().map(Np::atleast2d).toList(), 0); }

    /** {@code jnp.column_stack}: vectors as columns, matrices along axis 1. */
    public static Array columnStack(java.util.List<Array> xs) {
        return concatenate(xs.stream().map(x -> x.ndim() < 2 ? Lax.reshape(atleast1d(x), atleast1d(x).dim(0), 1) : x).toList(), 1);
    }

    // ---------------------------------------------------------------- statistics, search, sets
    /**
     * {@code jnp.quantile(x, q, axis, method="linear")}: sorted along the axis, the value at position
     * {@code q * (n - 1)} interpolated linearly between its neighbours; NaN where the slice holds a NaN.
     * The result has the axis removed, and a leading axis of {@code q.length} when more than one q is given.
     */
    public static Array quantile(Array x, double[] q, int axis, boolean keepdims) {
        int a = normalizeAxes("quantile", x, axis)[0], n = x.dim(a);
        if (n == 0) throw new Jax4jException("quantile: the axis " + axis + " of " + x.aval().str() + " is empty");
        for (double v : q) {
            if (!(v >= 0 && v <= 1)) throw new Jax4jException("quantile: q must be within [0, 1], got " + v + " (percentile takes [0, 100])");
        }
        Array xf = inexact(x);
        Array sorted = sort(xf, a);
        Array hasNan = any(isnan(xf), new int[]{a}, true);
        java.util.List<Array> outs = new java.util.ArrayList<>();
        for (double v : q) {
            float pos = (float) v * (float) (n - 1);
            int low = (int) Math.floor(pos), high = (int) Math.ceil(pos);
            low = Math.min(Math.max(low, 0), n - 1);
            high = Math.min(Math.max(high, 0), n - 1);
            float highWeight = pos - (float) Math.floor(pos), lowWeight = 1 - highWeight;
            Array lo = Lax.sliceInDim(sorted, low, low + 1, 1, a), hi = Lax.sliceInDim(sorted, high, high + 1, 1, a);
            Array r = Lax.add(Lax.mul(lo, Lax.fullLike(lo, lowWeight)), Lax.mul(hi, Lax.fullLike(hi, highWeight)));
            r = Lax.select(hasNan, Lax.fullLike(r, Double.NaN), r);
            outs.add(keepdims ? r : squeeze(r, a));
        }
        return q.length == 1 ? outs.getFirst() : stack(outs, 0);
    }

    /** {@code jnp.quantile(x, q, axis)}. */
    public static Array quantile(Array x, double q, int axis) { return quantile(x, new double[]{q}, axis, false); }

    /** {@code jnp.quantile(x, q)} of the flattened array. */
    public static Array quantile(Array x, double q) { return quantile(ravel(x), q, 0); }

    /** {@code jnp.percentile(x, p, axis, keepdims)}: {@link #quantile} at {@code p / 100}. */
    public static Array percentile(Array x, double[] p, int axis, boolean keepdims) {
        double[] q = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            if (!(p[i] >= 0 && p[i] <= 100)) throw new Jax4jException("percentile: p must be within [0, 100], got " + p[i]);
            q[i] = p[i] / 100;
        }
        return quantile(x, q, axis, keepdims);
    }

    /** {@code jnp.percentile(x, p, axis)}. */
    public static Array percentile(Array x, double p, int axis) { return percentile(x, new double[]{p}, axis, false); }

    /** {@code jnp.percentile(x, p)} of the flattened array. */
    public static Array percentile(Array x, double p) { return percentile(ravel(x), p, 0); }

    /** {@code jnp.median(x, axis)}. */
    public static Array median(Array x, int axis) { return quantile(x, 0.5, axis); }

    /** {@code jnp.median(x)} of the flattened array. */
    public static Array median(Array x) { return quantile(x, 0.5); }

    /**
     * {@code jnp.searchsorted(a, v, side)}: for each value of v the index at which it would be inserted
     * into the sorted vector {@code a} to keep it sorted; {@code "left"} before equal values,
     * {@code "right"} after them. int32, v's shape. (JAX's {@code method="compare_all"}.)
     */
    public static Array searchsorted(Array a, Array v, String side) {
        if (a.ndim() != 1) throw new Jax4jException("searchsorted: the sorted array must be one-dimensional, got " + a.aval().str());
        if (!side.equals("left") && !side.equals("right")) {
            throw new Jax4jException("searchsorted: side must be \"left\" or \"right\", got \"" + side + "\"");
        }
        Array[] p = promoteBroadcastDtypeOnly("searchsorted", a, v);
        Array sorted = p[0], values = p[1];
        int[] shape = java.util.Arrays.copyOf(values.shape(), values.ndim() + 1);
        shape[values.ndim()] = sorted.dim(0);
        Array av = broadcastTo(sorted, shape);
        Array vv = Lax.broadcastInDim(values, shape, java.util.stream.IntStream.range(0, values.ndim()).toArray());
        Array before = side.equals("left") ? Lax.lt(av, vv) : Lax.le(av, vv);
        return sum(before, new int[]{values.ndim()}, false);
    }

    /** {@code jnp.searchsorted(a, v)} with {@code side="left"}. */
    public static Array searchsorted(Array a, Array v) { return searchsorted(a, v, "left"); }

    /**
     * {@code jnp.unique(x, size=size, fill_value=fill)}: the sorted distinct values of the flattened
     * array, in an array of the static length {@code size}: cut when there are more, padded with
     * {@code fillValue} (the smallest value when {@code null}) when fewer.
     */
    public static Array unique(Array x, int size, Number fillValue) {
        if (size < 0) throw new Jax4jException("unique: size must be >= 0, got " + size);
        Array flat = ravel(x);
        int n = flat.dim(0);
        if (n == 0) {
            if (fillValue == null && size > 0) throw new Jax4jException("unique: an empty array with size " + size + " needs a fill_value");
            return Lax.broadcastInDim(Lax.scalarLike(flat, fillValue == null ? 0 : fillValue.doubleValue()), new int[]{size}, new int[0]);
        }
        Array sorted = sort(flat, 0);
        Array first = Lax.ne(Lax.sliceInDim(sorted, 1, n, 1, 0), Lax.sliceInDim(sorted, 0, n - 1, 1, 0));
        if (sorted.dtype().isFloating()) {            // NaNs sort last and are not equal to themselves: keep one, as NumPy does
            first = Lax.bitwiseAnd(first, Lax.not(Lax.bitwiseAnd(isnan(Lax.sliceInDim(sorted, 1, n, 1, 0)), isnan(Lax.sliceInDim(sorted, 0, n - 1, 1, 0)))));
        }
        Array isFirst = Lax.concatenate(java.util.List.of(Array.of(true), first), 0);
        Array position = Lax.sub(cumsum(isFirst, 0), Lax.scalar(1, DType.I32));
        Array target = Lax.select(isFirst, position, Lax.fullLike(position, size));
        Array fill = fillValue == null ? Lax.sliceInDim(sorted, 0, 1, 1, 0) : Lax.reshape(Lax.scalarLike(sorted, fillValue.doubleValue()), 1);
        Array base = broadcastTo(fill, size);
        return base.at(target).set(sorted);      // the repeats' target is size: out of range, dropped
    }

    /** {@code jnp.unique(x, size=size)}: padded with the smallest value. */
    public static Array unique(Array x, int size) { return unique(x, size, null); }
}
