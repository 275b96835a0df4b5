package io.jax4j;

import io.jax4j.core.ArrayImpl;
import io.jax4j.core.Ints;
import io.jax4j.core.Jax4jException;
import io.jax4j.core.Primitive;
import io.jax4j.core.Tracer;
import io.jax4j.prims.Scatter;
import io.jax4j.prims.Scatter.GatherScatterMode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * NumPy indexing ({@code x[...]}) and JAX's indexed updates ({@code x.at[...].set/add/...}) lowered
 * onto lax: static integers and slices become {@code slice} (and {@code rev} for negative steps),
 * traced scalar indices {@code dynamic_slice} / {@code dynamic_update_slice}, and integer arrays one
 * {@code gather} with NumPy's placement of the advanced axes (together where the advanced indices are
 * adjacent, else first), or the scatter family on the flattened operand.
 *
 * <p>Out-of-range indices follow JAX: reads clamp (mode CLIP) unless mode FILL is asked for; updates
 * skip out-of-range positions (mode DROP) unless CLIP is asked for.
 */
final class Indexer {
    private Indexer() {}

    /** How an update combines with the element it lands on. */
    enum Update { SET, ADD, MUL, MIN, MAX }

    /** The operand with a unit axis per {@code None}, and one item per axis (no None, no ellipsis). */
    private record Expanded(Array operand, List<Index> items) {}

    // ---------------------------------------------------------------- reads

    static Array get(String op, Array x, List<Index> index, Index.Mode mode, Double fillValue) {
        if (mode == Index.Mode.DROP) throw new Jax4jException(op + ": mode DROP is for updates; reads use CLIP (the default) or FILL");
        Expanded e = expand(op, x, index);
        boolean fill = mode == Index.Mode.FILL;
        boolean arrays = e.items().stream().anyMatch(i -> i instanceof Index.Dynamic d && d.indices().ndim() > 0);
        boolean integers = e.items().stream().anyMatch(i -> i instanceof Index.Int || i instanceof Index.Dynamic);
        return arrays || (fill && integers) ? gathered(e, fill, fillValue) : basic(e);
    }

    /** Static slices and integers, then traced scalar indices with dynamic_slice (which clamps). */
    private static Array basic(Expanded e) {
        Array x = e.operand();
        List<Index> items = e.items();
        int n = items.size();
        int[] start = new int[n], stop = new int[n], step = new int[n];
        List<Integer> dropped = new ArrayList<>();
        List<Integer> dynamic = new ArrayList<>();
        for (int a = 0; a < n; a++) {
            start[a] = stop[a] = step[a] = Np.NONE;
            switch (items.get(a)) {
                case Index.Slice s -> {
                    if (s.start() != null) start[a] = s.start();
                    if (s.stop() != null) stop[a] = s.stop();
                    if (s.step() != null) step[a] = s.step();
                }
                case Index.Int i -> {
                    int k = clamp(i.value(), x.dim(a));
                    start[a] = k;
                    stop[a] = k + 1;
                    dropped.add(a);
                }
                case Index.Dynamic d -> {
                    dynamic.add(a);
                    dropped.add(a);
                }
                default -> throw new IllegalStateException(items.get(a).toString());
            }
        }
        boolean sliced = !allFull(items) || items.stream().anyMatch(i -> i instanceof Index.Int);
        Array r = sliced ? Np.slice(x, start, stop, step) : x;
        if (!dynamic.isEmpty()) {
            List<Array> starts = new ArrayList<>();
            int[] sizes = r.shape();
            for (int a = 0; a < n; a++) {
                if (dynamic.contains(a)) {
                    starts.add(wrapNegative(((Index.Dynamic) items.get(a)).indices(), x.dim(a)));
                    sizes[a] = 1;
                } else {
                    starts.add(Array.scalar(0));
                }
            }
            r = Lax.dynamicSlice(r, starts, sizes);
        }
        return dropped.isEmpty() ? r : Lax.reshape(r, without(r.shape(), dropped));
    }

    /** Integer arrays (and, in FILL mode, integers): one gather after the static slices. */
    private static Array gathered(Expanded e, boolean fill, Double fillValue) {
        Array x = e.operand();
        List<Index> items = e.items();
        int n = items.size();
        int[] start = new int[n], stop = new int[n], step = new int[n];
        List<Integer> advanced = new ArrayList<>();
        List<Array> indexArrays = new ArrayList<>();
        for (int a = 0; a < n; a++) {
            start[a] = stop[a] = step[a] = Np.NONE;
            switch (items.get(a)) {
                case Index.Slice s -> {
                    if (s.start() != null) start[a] = s.start();
                    if (s.stop() != null) stop[a] = s.stop();
                    if (s.step() != null) step[a] = s.step();
                }
                case Index.Int i -> {
                    advanced.add(a);
                    indexArrays.add(Array.scalar(Math.toIntExact(Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, i.value())))));
                }
                case Index.Dynamic d -> {
                    advanced.add(a);
                    indexArrays.add(d.indices());
                }
                default -> throw new IllegalStateException(items.get(a).toString());
            }
        }
        Array r = allFull(items) ? x : Np.slice(x, start, stop, step);
        int[] batch = Np.broadcastShapes("index", indexArrays.stream().map(Array::shape).toArray(int[][]::new));
        List<Array> columns = new ArrayList<>();
        for (int j = 0; j < advanced.size(); j++) {
            Array idx = wrapNegative(Np.broadcastTo(indexArrays.get(j), batch), r.dim(advanced.get(j)));
            columns.add(Lax.reshape(idx, append(batch, 1)));
        }
        Array indices = Lax.concatenate(columns, batch.length);
        boolean adjacent = advanced.getLast() - advanced.getFirst() == advanced.size() - 1;
        int[] offsetDims = new int[n - advanced.size()];
        int[] sizes = r.shape();
        for (int a = 0, k = 0; a < n; a++) {
            if (advanced.contains(a)) {
                sizes[a] = 1;
                continue;
            }
            offsetDims[k] = adjacent ? (a < advanced.getFirst() ? a : a - advanced.size() + batch.length) : batch.length + k;
            k++;
        }
        int[] axes = advanced.stream().mapToInt(Integer::intValue).toArray();
        var dn = new Scatter.GatherDimensionNumbers(Ints.of(offsetDims), Ints.of(axes), Ints.of(axes));
        return Lax.gather(r, indices, dn, sizes, fill ? GatherScatterMode.FILL_OR_DROP : GatherScatterMode.CLIP, fillValue);
    }

    // ---------------------------------------------------------------- updates

    static Array update(String op, Array x, List<Index> index, Array values, Update how, Index.Mode mode, boolean uniqueIndices) {
        if (mode == Index.Mode.FILL) throw new Jax4jException(op + ": mode FILL is for reads; updates use DROP (the default) or CLIP");
        Array v = values.dtype() == x.dtype() ? values : Lax.convertElementType(values, x.dtype());
        boolean drop = mode == Index.Mode.DROP;
        Expanded e = expand(op, x, index);
        boolean windowed = e.items().stream().allMatch(i -> switch (i) {
            case Index.Slice s -> s.step() == null || s.step() == 1;
            case Index.Dynamic d -> d.indices().ndim() == 0;
            default -> true;
        });
        Array out = windowed ? windowUpdate(op, e, v, how, drop) : scatterUpdate(op, x, index, v, how, drop, uniqueIndices);
        return out.ndim() == x.ndim() ? out : Lax.reshape(out, x.shape());
    }

    /** Unit-step slices and scalar indices: one window, updated with dynamic_update_slice. */
    private static Array windowUpdate(String op, Expanded e, Array v, Update how, boolean drop) {
        Array x = e.operand();
        List<Index> items = e.items();
        int n = items.size();
        int[] sizes = new int[n];
        List<Array> starts = new ArrayList<>();
        List<Integer> scalarAxes = new ArrayList<>();
        Array inBounds = null;
        for (int a = 0; a < n; a++) {
            int dim = x.dim(a);
            switch (items.get(a)) {
                case Index.Slice s -> {
                    int b = pyBound(s.start(), dim, 0), end = pyBound(s.stop(), dim, dim);
                    sizes[a] = Math.max(0, end - b);
                    starts.add(Array.scalar(b));
                }
                case Index.Int i -> {
                    long k = i.value() < 0 ? i.value() + dim : i.value();
                    if (k < 0 || k >= dim) {
                        if (drop) return x;   // every update lands out of range: skipped
                        k = Math.max(0, Math.min(k, dim - 1));
                    }
                    sizes[a] = 1;
                    starts.add(Array.scalar((int) k));
                    scalarAxes.add(a);
                }
                case Index.Dynamic d -> {
                    Array k = wrapNegative(d.indices(), dim);
                    sizes[a] = 1;
                    starts.add(k);
                    scalarAxes.add(a);
                    Array ok = Lax.bitwiseAnd(Lax.ge(k, Lax.zerosLike(k)), Lax.lt(k, Lax.fullLike(k, dim)));
                    inBounds = inBounds == null ? ok : Lax.bitwiseAnd(inBounds, ok);
                }
                default -> throw new IllegalStateException(items.get(a).toString());
            }
        }
        int[] target = without(sizes, scalarAxes);
        Array region = Lax.reshape(broadcast(op, v, target), sizes);
        if (Arrays.stream(sizes).anyMatch(s -> s == 0)) return x;
        if (how != Update.SET) region = combine(how, Lax.dynamicSlice(x, starts, sizes), region);
        Array out = Lax.dynamicUpdateSlice(x, region, starts);
        if (drop && inBounds != null) out = Lax.select(Lax.broadcastInDim(inBounds, x.shape(), new int[0]), out, x);
        return out;
    }

    /** Integer arrays or strided slices: the positions the index reads, then a scatter into the flattened operand. */
    private static Array scatterUpdate(String op, Array x, List<Index> index, Array v, Update how, boolean drop, boolean unique) {
        long size = x.aval().size();
        if (size > Integer.MAX_VALUE) {
            throw new Jax4jException(op + ": indexed updates of arrays with more than 2^31 - 1 elements are not supported (" + x.aval().str() + ")");
        }
        Array iota = Lax.reshape(Lax.iota(DType.I32, (int) size), x.shape());
        Array positions = get(op, iota, index, drop ? Index.Mode.FILL : Index.Mode.CLIP, -1.0);
        Array updates = broadcast(op, v, positions.shape());
        int m = Math.toIntExact(positions.aval().size());
        var dn = new Scatter.ScatterDimensionNumbers(Ints.of(), Ints.of(0), Ints.of(0));
        Primitive p = switch (how) {
            case SET -> Scatter.SCATTER;
            case ADD -> Scatter.SCATTER_ADD;
            case MUL -> Scatter.SCATTER_MUL;
            case MIN -> Scatter.SCATTER_MIN;
            case MAX -> Scatter.SCATTER_MAX;
        };
        Array flat = p.bind(new Scatter.ScatterParams(dn, GatherScatterMode.FILL_OR_DROP, unique),
                List.of(Lax.reshape(x, (int) size), Lax.reshape(positions, m, 1), Lax.reshape(updates, m))).getFirst();
        return Lax.reshape(flat, x.shape());
    }

    private static Array combine(Update how, Array current, Array update) {
        return switch (how) {
            case SET -> update;
            case ADD -> Lax.add(current, update);
            case MUL -> Lax.mul(current, update);
            case MIN -> Lax.min(current, update);
            case MAX -> Lax.max(current, update);
        };
    }

    private static Array broadcast(String op, Array v, int[] shape) {
        try {
            return Np.broadcastTo(v, shape);
        } catch (Jax4jException ex) {
            throw new Jax4jException(op + ": the values " + v.aval().str() + " do not broadcast to the indexed shape "
                    + Arrays.toString(shape) + " (NumPy's broadcasting rules)");
        }
    }

    // ---------------------------------------------------------------- normalisation

    /**
     * One item per axis: boolean masks of concrete values become their nonzero coordinates, the
     * ellipsis (or the end) full slices, and each {@code None} a unit axis of the operand.
     */
    private static Expanded expand(String op, Array x, List<Index> index) {
        List<Index> items = new ArrayList<>();
        for (Index i : index) {
            if (i instanceof Index.Dynamic d && d.indices().dtype() == DType.BOOL) items.addAll(nonzero(op, d.indices()));
            else if (i instanceof Index.Dynamic d && !d.indices().dtype().isInteger()) {
                throw new Jax4jException(op + ": index arrays must be integers or booleans, got " + d.indices().aval().str()
                        + " (convert with astype(DType.I32))");
            } else items.add(i);
        }
        long ellipses = items.stream().filter(i -> i instanceof Index.Ellipsis).count();
        if (ellipses > 1) throw new Jax4jException(op + ": an index can only have a single ellipsis ('...'), got " + items);
        long consuming = items.stream().filter(i -> !(i instanceof Index.Ellipsis || i instanceof Index.NewAxis)).count();
        if (consuming > x.ndim()) {
            throw new Jax4jException(op + ": too many indices for array: array " + x.aval().str() + " is " + x.ndim()
                    + "-dimensional, but " + consuming + " were indexed (" + items + ")");
        }
        int at = ellipses == 1 ? indexOfEllipsis(items) : items.size();
        if (ellipses == 1) items.remove(at);
        for (long k = consuming; k < x.ndim(); k++) items.add(at, Index.ALL);
        List<Integer> newShape = new ArrayList<>();
        List<Index> perAxis = new ArrayList<>();
        int axis = 0;
        for (Index i : items) {
            if (i instanceof Index.NewAxis) {
                newShape.add(1);
                perAxis.add(Index.ALL);
            } else {
                newShape.add(x.dim(axis++));
                perAxis.add(i);
            }
        }
        int[] shape = newShape.stream().mapToInt(Integer::intValue).toArray();
        return new Expanded(shape.length == x.ndim() ? x : Lax.reshape(x, shape), perAxis);
    }

    private static int indexOfEllipsis(List<Index> items) {
        for (int i = 0; i < items.size(); i++) if (items.get(i) instanceof Index.Ellipsis) return i;
        return -1;
    }

    /** A concrete boolean mask as one integer array per masked axis (NumPy's {@code mask.nonzero()}). */
    private static List<Index> nonzero(String op, Array mask) {
        if (mask instanceof Tracer) {
            throw new Jax4jException(op + ": a boolean mask " + mask.aval().str() + " inside jit/grad/vmap gives an array whose shape "
                    + "depends on the values (JAX's NonConcreteBooleanIndexError); use Np.where(mask, x, 0) or a fixed-size index instead");
        }
        ArrayImpl m = (ArrayImpl) mask;
        int[] dims = m.shape();
        List<int[]> hits = new ArrayList<>();
        for (long k = 0; k < m.size(); k++) if (m.getLong(k) != 0) hits.add(io.jax4j.core.Indexing.unravel(k, dims));
        List<Index> out = new ArrayList<>();
        for (int d = 0; d < Math.max(1, dims.length); d++) {
            int[] coords = new int[hits.size()];
            for (int h = 0; h < coords.length; h++) coords[h] = dims.length == 0 ? 0 : hits.get(h)[d];
            out.add(new Index.Dynamic(Array.of(coords)));
        }
        return out;
    }

    /** {@code i + n} where {@code i < 0}, as int32. */
    private static Array wrapNegative(Array indices, int n) {
        Array idx = indices.dtype() == DType.I32 ? indices : Lax.convertElementType(indices, DType.I32);
        return Lax.select(Lax.lt(idx, Lax.zerosLike(idx)), Lax.add(idx, Lax.fullLike(idx, n)), idx);
    }

    private static int clamp(long i, int n) {
        long k = i < 0 ? i + n : i;
        return (int) Math.max(0, Math.min(k, n - 1));
    }

    /** A unit-step slice bound as Python resolves it: negative counts from the end, clamped into [0, n]. */
    private static int pyBound(Integer v, int n, int omitted) {
        if (v == null) return omitted;
        int k = v < 0 ? v + n : v;
        return Math.max(0, Math.min(k, n));
    }

    private static boolean allFull(List<Index> items) {
        return items.stream().allMatch(i -> !(i instanceof Index.Slice s) || (s.start() == null && s.stop() == null
                && (s.step() == null || s.step() == 1)));
    }

    private static int[] without(int[] shape, List<Integer> axes) {
        int[] out = new int[shape.length - axes.size()];
        for (int a = 0, k = 0; a < shape.length; a++) if (!axes.contains(a)) out[k++] = shape[a];
        return out;
    }

    private static int[] append(int[] shape, int last) {
        int[] out = Arrays.copyOf(shape, shape.length + 1);
        out[shape.length] = last;
        return out;
    }
}
