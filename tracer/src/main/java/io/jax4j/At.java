package io.jax4j;

import io.jax4j.core.Jax4jException;

import java.util.List;

/**
 * JAX's {@code x.at[idx]}: a pure, functional indexed update ({@code x.at[idx].set(v)} returns a new
 * array; {@code x} is unchanged), or a read with an explicit out-of-range mode. Obtained with
 * {@link Array#at(Object...)}; the index items are those of {@link Array#get(Object...)}.
 *
 * <pre>{@code
 * Array y = x.at(0).set(1f);                       // x.at[0].set(1.0)
 * Array g = grads.at(idx).add(rows);               // repeated indices accumulate, as x.at[idx].add(rows)
 * Array m = x.at(":", 2).multiply(0.5f);           // x.at[:, 2].multiply(0.5)
 * Array f = x.at(idx).get(Index.Mode.FILL, 0.0);   // x.at[idx].get(mode='fill', fill_value=0)
 * }</pre>
 *
 * <p>Out of range: updates are skipped ({@link Index.Mode#DROP}, the default) or clamped
 * ({@link Index.Mode#CLIP}); reads clamp (the default) or give a fill value ({@link Index.Mode#FILL}).
 * With repeated indices {@code set} keeps one of the updates (which one is unspecified in JAX; here
 * the last), {@code add}/{@code multiply}/{@code min}/{@code max} combine them all. Every method is
 * differentiable and works under {@code jit} and {@code vmap}.
 */
public final class At {
    private final Array array;
    private final List<Index> index;

    At(Array array, List<Index> index) {
        this.array = array;
        this.index = List.copyOf(index);
    }

    /** {@code x.at[idx].get()}: the same as {@code x[idx]} (out-of-range indices clamp). */
    public Array get() { return get(Index.Mode.CLIP, null); }

    /** {@code x.at[idx].get(mode=...)}; FILL gives NaN (floats) or the dtype's extreme value at out-of-range positions. */
    public Array get(Index.Mode mode) { return get(mode, null); }

    /** {@code x.at[idx].get(mode='fill', fill_value=...)}. */
    public Array get(Index.Mode mode, Double fillValue) {
        return Indexer.get(name("get"), array, index, resolve(mode), fillValue);
    }

    /** {@code x.at[idx].set(values)}: values broadcast to the indexed shape and cast to x's dtype. */
    public Array set(Array values) { return set(values, Index.Mode.DROP); }

    public Array set(Number value) { return set(Array.weak(value)); }

    /** {@code x.at[idx].set(values, mode=...)}. */
    public Array set(Array values, Index.Mode mode) { return update("set", values, Indexer.Update.SET, mode, false); }

    /** {@code x.at[idx].add(values)}: repeated indices accumulate. */
    public Array add(Array values) { return add(values, Index.Mode.DROP); }

    public Array add(Number value) { return add(Array.weak(value)); }

    public Array add(Array values, Index.Mode mode) { return update("add", values, Indexer.Update.ADD, mode, false); }

    /** {@code x.at[idx].subtract(values)}. */
    public Array subtract(Array values) { return update("subtract", Lax.neg(values), Indexer.Update.ADD, Index.Mode.DROP, false); }

    public Array subtract(Number value) { return subtract(Array.weak(value)); }

    /** {@code x.at[idx].multiply(values)} ({@code mul}): repeated indices multiply. */
    public Array multiply(Array values) { return multiply(values, Index.Mode.DROP, false); }

    public Array multiply(Number value) { return multiply(Array.weak(value)); }

    /**
     * {@code x.at[idx].multiply(values, mode=..., unique_indices=...)}; the derivative with respect to
     * {@code values} needs {@code uniqueIndices = true} (as in JAX).
     */
    public Array multiply(Array values, Index.Mode mode, boolean uniqueIndices) {
        return update("multiply", values, Indexer.Update.MUL, mode, uniqueIndices);
    }

    /** Alias of {@link #multiply(Array)} ({@code x.at[idx].mul}). */
    public Array mul(Array values) { return multiply(values); }

    public Array mul(Number value) { return multiply(value); }

    /** {@code x.at[idx].divide(values)}: a multiplication by the reciprocal, for floating-point arrays. */
    public Array divide(Array values) {
        if (!array.dtype().isFloating()) {
            throw new Jax4jException(name("divide") + ": needs a floating-point array, got " + array.aval().str()
                    + " (convert with astype(DType.F32) first)");
        }
        Array v = values.dtype() == array.dtype() ? values : Lax.convertElementType(values, array.dtype());
        return multiply(Lax.div(Lax.fullLike(v, 1), v));
    }

    public Array divide(Number value) { return divide(Array.weak(value)); }

    /** {@code x.at[idx].min(values)}: the elementwise minimum, over all updates landing on one element. */
    public Array min(Array values) { return min(values, Index.Mode.DROP); }

    public Array min(Number value) { return min(Array.weak(value)); }

    public Array min(Array values, Index.Mode mode) { return update("min", values, Indexer.Update.MIN, mode, false); }

    /** {@code x.at[idx].max(values)}: the elementwise maximum, over all updates landing on one element. */
    public Array max(Array values) { return max(values, Index.Mode.DROP); }

    public Array max(Number value) { return max(Array.weak(value)); }

    public Array max(Array values, Index.Mode mode) { return update("max", values, Indexer.Update.MAX, mode, false); }

    private Array update(String method, Array values, Indexer.Update how, Index.Mode mode, boolean uniqueIndices) {
        return Indexer.update(name(method), array, index, values, how, resolve(mode), uniqueIndices);
    }

    private String name(String method) { return "x.at[" + render() + "]." + method; }

    private String render() { return String.join(", ", index.stream().map(Object::toString).toList()); }

    /** A promise of in-range indices lets jax4j clamp, as XLA does. */
    private static Index.Mode resolve(Index.Mode mode) { return mode == Index.Mode.PROMISE_IN_BOUNDS ? Index.Mode.CLIP : mode; }

    @Override
    public String toString() { return "x.at[" + render() + "]"; }
}
