package io.jax4j.prims;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Lax;
import io.jax4j.Shape;
import io.jax4j.ShapedArray;
import io.jax4j.core.ArrayImpl;
import io.jax4j.core.Batching;
import io.jax4j.core.Ints;
import io.jax4j.core.Jax4jException;
import io.jax4j.core.Params;
import io.jax4j.core.Primitive;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * gather and the scatter family (scatter, scatter-add, scatter-mul, scatter-min, scatter-max) with
 * XLA's general dimension numbers. The index vector is always the last axis of {@code indices} (as
 * in JAX). gather and scatter-add are each other's transpose: gather is linear in the operand,
 * scatter-add in the operand and the updates.
 *
 * <p>Duplicate indices: scatter-add, -mul, -min and -max combine every update; scatter (set) keeps
 * the last update in the updates' row-major order (XLA leaves the choice open; one fixed choice lets
 * the JVP name the winner). The JVPs are JAX's: scatter's scatters update ids to find the winning
 * update of each element; scatter-min/-max share the tangent equally among tied winners;
 * scatter-mul's derivative in the updates needs {@code unique_indices}, as in JAX.
 *
 * <p>Out-of-bounds windows: {@link GatherScatterMode#CLIP} clamps every start index to
 * {@code [0, dim - window]}; {@link GatherScatterMode#FILL_OR_DROP} makes gather return the fill value
 * for a whole window that does not fit and scatter-add skip it (XLA's semantics, JAX's "fill" mode).
 */
public final class Scatter {
    private Scatter() {}

    /** JAX's GatherScatterMode (PROMISE_IN_BOUNDS is CLIP here). */
    public enum GatherScatterMode { CLIP, FILL_OR_DROP }

    /** Operand axes not in {@code collapsedSliceDims} become the output axes {@code offsetDims}. */
    public record GatherDimensionNumbers(Ints offsetDims, Ints collapsedSliceDims, Ints startIndexMap) {
        @Override
        public String toString() {
            return "GatherDimensionNumbers(offset_dims=" + offsetDims + ", collapsed_slice_dims=" + collapsedSliceDims
                    + ", start_index_map=" + startIndexMap + ")";
        }
    }

    /** Updates axes {@code updateWindowDims} are the operand axes not in {@code insertedWindowDims}. */
    public record ScatterDimensionNumbers(Ints updateWindowDims, Ints insertedWindowDims, Ints scatterDimsToOperandDims) {
        @Override
        public String toString() {
            return "ScatterDimensionNumbers(update_window_dims=" + updateWindowDims + ", inserted_window_dims=" + insertedWindowDims
                    + ", scatter_dims_to_operand_dims=" + scatterDimsToOperandDims + ")";
        }
    }

    /** {@code fillValue} null: JAX's default (NaN, the lowest signed / highest unsigned integer, true). */
    public record GatherParams(GatherDimensionNumbers dimensionNumbers, Ints sliceSizes, GatherScatterMode mode, Double fillValue)
            implements Params {}

    /**
     * {@code uniqueIndices}: the caller promises that no two updates hit one element (JAX's
     * {@code unique_indices}); scatter-mul's derivative in the updates and the transposes of scatter
     * and scatter-mul need it.
     */
    public record ScatterParams(ScatterDimensionNumbers dimensionNumbers, GatherScatterMode mode, boolean uniqueIndices)
            implements Params {
        public ScatterParams(ScatterDimensionNumbers dimensionNumbers, GatherScatterMode mode) { this(dimensionNumbers, mode, false); }
    }

    /** How a scatter combines an update with the element it lands on. */
    enum Combine { SET, ADD, MUL, MIN, MAX }

    // ---------------------------------------------------------------- gather
    /**
     * out[b..., w...] = x[clamp(start(indices[b])) + w]; linear in x with tangent fill 0;
     * transpose: scatter-add of the cotangent into zeros with the mirrored dimension numbers.
     */
    public static final Primitive GATHER = new Primitive("gather")
            .withProperties(Primitive.Property.MOVEMENT)
            .abstractEval((p, in) -> List.of(gatherAval((GatherParams) p, in.get(0), in.get(1))))
            .impl((p, in) -> List.of(gatherImpl((GatherParams) p, in.get(0), in.get(1))))
            .jvp((p, primals, tangents) -> {
                GatherParams gp = (GatherParams) p;
                Array out = Scatter.GATHER.bind1(gp, primals.get(0), primals.get(1));
                Array t = tangents.get(0);
                var tp = new GatherParams(gp.dimensionNumbers(), gp.sliceSizes(), gp.mode(), 0.0);
                return new Primitive.JvpResult(List.of(out), Arrays.asList(t == null ? null : Scatter.GATHER.bind1(tp, t, primals.get(1))));
            })
            .transpose((p, ct, ops) -> {
                GatherParams gp = (GatherParams) p;
                GatherDimensionNumbers d = gp.dimensionNumbers();
                var sd = new ScatterDimensionNumbers(d.offsetDims(), d.collapsedSliceDims(), d.startIndexMap());
                Array zeros = Indexing.zeros(Defs.avalOf(ops.get(0)));
                return Arrays.asList(Lax.scatterAdd(zeros, (Array) ops.get(1), ct.getFirst(), sd, gp.mode()), null);
            })
            .batch(Scatter::batchGather);

    static ShapedArray gatherAval(GatherParams p, ShapedArray x, ShapedArray idx) {
        GatherDimensionNumbers d = p.dimensionNumbers();
        String where = "gather of " + x.str() + " at indices " + idx.str() + " with " + d + " and slice_sizes " + p.sliceSizes();
        if (!idx.dtype().isInteger() || idx.ndim() < 1 || idx.dim(-1) != d.startIndexMap().size()) {
            throw new Jax4jException(where + ": indices must be integers whose last axis has one entry per start_index_map entry");
        }
        checkAxes(where, "start_index_map", d.startIndexMap(), x.ndim(), false);
        checkAxes(where, "collapsed_slice_dims", d.collapsedSliceDims(), x.ndim(), true);
        int outRank = idx.ndim() - 1 + d.offsetDims().size();
        checkAxes(where, "offset_dims", d.offsetDims(), outRank, true);
        if (p.sliceSizes().size() != x.ndim() || d.offsetDims().size() != x.ndim() - d.collapsedSliceDims().size()) {
            throw new Jax4jException(where + ": need one slice size per operand axis and one offset dim per non-collapsed axis");
        }
        for (int i = 0; i < x.ndim(); i++) {
            int s = p.sliceSizes().get(i);
            if (s < 0 || s > x.dim(i) || (d.collapsedSliceDims().contains(i) && s > 1)) {
                throw new Jax4jException(where + ": slice size " + s + " of axis " + i + " must be in [0, " + x.dim(i)
                        + "] (and <= 1 for a collapsed axis)");
            }
        }
        int[] out = new int[outRank];
        int[] window = windowAxes(x.ndim(), d.collapsedSliceDims());
        for (int i = 0, b = 0, w = 0; i < outRank; i++) {
            out[i] = d.offsetDims().contains(i) ? p.sliceSizes().get(window[w++]) : idx.dim(b++);
        }
        return new ShapedArray(x.dtype(), Shape.of(out), x.weakType());
    }

    static ArrayImpl gatherImpl(GatherParams p, ArrayImpl x, ArrayImpl idx) {
        GatherDimensionNumbers d = p.dimensionNumbers();
        ShapedArray outAval = gatherAval(p, x.aval(), idx.aval());
        ArrayImpl out = ArrayImpl.allocate(outAval);
        int[] sizes = p.sliceSizes().toArray();
        int[] window = windowAxes(x.ndim(), d.collapsedSliceDims());
        long[] xs = x.aval().shape().strides();
        double fill = fillValue(p.fillValue(), x.dtype());
        for (long k = 0; k < out.size(); k++) {
            int[] o = io.jax4j.core.Indexing.unravel(k, outAval.dims());
            long batch = 0;
            int[] w = new int[window.length];
            for (int i = 0, wi = 0; i < o.length; i++) {
                if (d.offsetDims().contains(i)) w[wi++] = o[i];
                else batch = batch * outAval.dim(i) + o[i];
            }
            long src = windowStart(idx, batch, d.startIndexMap(), x.shape(), sizes, p.mode(), xs);
            if (src < 0) {
                out.setDouble(k, fill);
                continue;
            }
            for (int wi = 0; wi < window.length; wi++) src += w[wi] * xs[window[wi]];
            Indexing.copy(x, src, out, k);
        }
        return out;
    }

    /** JAX's defaults for out-of-bounds gathers in fill mode. */
    static double fillValue(Double given, DType dtype) {
        if (given != null) return given;
        return switch (dtype) {
            case BOOL -> 1;
            case I32 -> Integer.MIN_VALUE;
            case U32 -> 4294967295.0;
            default -> Double.NaN;
        };
    }

    /**
     * The flat operand offset of the window for batch position {@code batch}, clamped (CLIP) or
     * {@code -1} when the window does not fit (FILL_OR_DROP).
     */
    private static long windowStart(ArrayImpl idx, long batch, Ints startIndexMap, int[] dims, int[] window,
                                    GatherScatterMode mode, long[] strides) {
        int k = startIndexMap.size();
        long off = 0;
        for (int j = 0; j < k; j++) {
            int axis = startIndexMap.get(j);
            long s = idx.getLong(batch * k + j);
            long hi = dims[axis] - window[axis];
            if (mode == GatherScatterMode.FILL_OR_DROP && (s < 0 || s > hi)) return -1;
            s = Math.max(0, Math.min(s, hi));
            off += s * strides[axis];
        }
        return off;
    }

    private static Primitive.BatchResult batchGather(Params params, List<Array> xs, int[] dims) {
        GatherParams p = (GatherParams) params;
        GatherDimensionNumbers d = p.dimensionNumbers();
        int size = Batching.batchSize(xs, dims);
        Array x = xs.get(0), idx = xs.get(1);
        int[] offsetDims = shift(d.offsetDims(), 1);
        if (dims[1] == Batching.NOT_MAPPED) {
            // operand batched: the batch axis is one more (leading) window axis
            x = Batching.moveAxis(x, dims[0], 0, size);
            var dn = new GatherDimensionNumbers(Ints.of(prepend(0, offsetDims)), Ints.of(shift(d.collapsedSliceDims(), 1)),
                    Ints.of(shift(d.startIndexMap(), 1)));
            return single(x, idx, dn, Indexing.insert(p.sliceSizes(), 0, size), p);
        }
        idx = Batching.moveAxis(idx, dims[1], 0, size);
        if (dims[0] == Batching.NOT_MAPPED) {
            // indices batched: one more leading batch axis of the output
            return single(x, idx, new GatherDimensionNumbers(Ints.of(offsetDims), d.collapsedSliceDims(), d.startIndexMap()),
                    p.sliceSizes().toArray(), p);
        }
        // both batched: index the example number as a collapsed leading operand axis
        x = Batching.moveAxis(x, dims[0], 0, size);
        int[] counterShape = idx.shape();
        counterShape[counterShape.length - 1] = 1;
        Array counter = Lax.broadcastedIota(idx.dtype(), counterShape, 0);
        idx = Lax.concatenate(List.of(counter, idx), idx.ndim() - 1);
        var dn = new GatherDimensionNumbers(Ints.of(offsetDims), Ints.of(prepend(0, shift(d.collapsedSliceDims(), 1))),
                Ints.of(prepend(0, shift(d.startIndexMap(), 1))));
        return single(x, idx, dn, Indexing.insert(p.sliceSizes(), 0, 1), p);
    }

    private static Primitive.BatchResult single(Array x, Array idx, GatherDimensionNumbers dn, int[] sizes, GatherParams p) {
        return Primitive.BatchResult.single(GATHER.bind1(new GatherParams(dn, Ints.of(sizes), p.mode(), p.fillValue()), x, idx), 0);
    }

    // ---------------------------------------------------------------- scatter-add
    /**
     * out = x; out[clamp(start(indices[b])) + w] += updates[b..., w...]. Linear in (x, updates);
     * transpose: (ct, gather(ct) with the mirrored dimension numbers and fill 0).
     */
    public static final Primitive SCATTER_ADD = scatterPrimitive("scatter-add", Combine.ADD)
            .jvp((p, primals, tangents) -> {
                Array out = Scatter.SCATTER_ADD.bind(p, primals).getFirst();
                Array tx = tangents.get(0), tu = tangents.get(2);
                if (tx == null && tu == null) return new Primitive.JvpResult(List.of(out), Defs.nulls(1));
                Array t = Scatter.SCATTER_ADD.bind(p, List.of(tx != null ? tx : Lax.zerosLike(primals.get(0)), primals.get(1),
                        tu != null ? tu : Lax.zerosLike(primals.get(2)))).getFirst();
                return new Primitive.JvpResult(List.of(out), List.of(t));
            })
            .transpose((p, ct, ops) -> {
                ScatterParams sp = (ScatterParams) p;
                ScatterDimensionNumbers d = sp.dimensionNumbers();
                Array c = ct.getFirst();
                Array tu = null;
                if (Defs.isUndefined(ops.get(2))) {
                    ShapedArray u = Defs.avalOf(ops.get(2));
                    int[] sizes = windowSizes(d, c.ndim(), u);
                    var gd = new GatherDimensionNumbers(d.updateWindowDims(), d.insertedWindowDims(), d.scatterDimsToOperandDims());
                    tu = GATHER.bind1(new GatherParams(gd, Ints.of(sizes), sp.mode(), 0.0), c, (Array) ops.get(1));
                }
                return Arrays.asList(Defs.isUndefined(ops.get(0)) ? c : null, null, tu);
            })
            .batch((p, xs, dims) -> batchScatter(Scatter.SCATTER_ADD, p, xs, dims));

    // ---------------------------------------------------------------- scatter (set)
    /**
     * out = x; out[start(indices[b]) + w] = updates[b..., w...], the last update winning on
     * duplicates. JVP as JAX's {@code _scatter_jvp}: scattered update ids mark, per element, the
     * operand or the winning update, and the output and tangent are scatter-adds of the masked values
     * (linear in the tangents, so reverse mode needs no transpose of scatter itself).
     */
    public static final Primitive SCATTER = scatterPrimitive("scatter", Combine.SET)
            .jvp((p, primals, tangents) -> scatterJvp((ScatterParams) p, primals, tangents))
            .transpose((p, ct, ops) -> {
                ScatterParams sp = (ScatterParams) p;
                requireUnique(sp, "scatter", "transpose");
                Array c = ct.getFirst();
                ShapedArray u = Defs.avalOf(ops.get(2));
                Array tx = Defs.isUndefined(ops.get(0))
                        ? Scatter.SCATTER.bind(sp, List.of(c, (Array) ops.get(1), Indexing.zeros(u))).getFirst() : null;
                Array tu = Defs.isUndefined(ops.get(2)) ? gatherWindows(sp, c, (Array) ops.get(1), u) : null;
                return Arrays.asList(tx, null, tu);
            })
            .batch((p, xs, dims) -> batchScatter(Scatter.SCATTER, p, xs, dims));

    // ---------------------------------------------------------------- scatter-mul
    /**
     * out = x; out[start(indices[b]) + w] *= updates[b..., w...]. Linear in x: its JVP there is
     * scatter-mul of the tangent, its transpose scatter-mul of the cotangent. The JVP in the updates,
     * as in JAX, only with unique indices: x · scatter-add(0, indices, t).
     */
    public static final Primitive SCATTER_MUL = scatterPrimitive("scatter-mul", Combine.MUL)
            .jvp((p, primals, tangents) -> {
                ScatterParams sp = (ScatterParams) p;
                Array out = Scatter.SCATTER_MUL.bind(sp, primals).getFirst();
                Array tx = tangents.get(0), tu = tangents.get(2);
                Array t = tx == null ? null : Scatter.SCATTER_MUL.bind(sp, List.of(tx, primals.get(1), primals.get(2))).getFirst();
                if (tu != null) {
                    requireUnique(sp, "scatter-mul", "derivative with respect to the updates");
                    Array du = Lax.mul(primals.get(0), Scatter.SCATTER_ADD.bind(sp, List.of(Lax.zerosLike(primals.get(0)),
                            primals.get(1), tu)).getFirst());
                    t = t == null ? du : Lax.add(t, du);
                }
                return new Primitive.JvpResult(List.of(out), Arrays.asList(t));
            })
            .transpose((p, ct, ops) -> {
                ScatterParams sp = (ScatterParams) p;
                if (Defs.isUndefined(ops.get(2))) {
                    throw new Jax4jException("scatter-mul is linear in the operand only, not in the updates: it has no transpose there");
                }
                return Arrays.asList(Scatter.SCATTER_MUL.bind(sp, List.of(ct.getFirst(), (Array) ops.get(1), (Array) ops.get(2))).getFirst(),
                        null, null);
            })
            .batch((p, xs, dims) -> batchScatter(Scatter.SCATTER_MUL, p, xs, dims));

    // ---------------------------------------------------------------- scatter-min / scatter-max
    /** out = x; out[start(indices[b]) + w] = min(out[...], updates[b..., w...]); NaN propagates. */
    public static final Primitive SCATTER_MIN = scatterPrimitive("scatter-min", Combine.MIN)
            .jvp((p, primals, tangents) -> extremalJvp(Scatter.SCATTER_MIN, (ScatterParams) p, primals, tangents))
            .batch((p, xs, dims) -> batchScatter(Scatter.SCATTER_MIN, p, xs, dims));

    /** out = x; out[start(indices[b]) + w] = max(out[...], updates[b..., w...]); NaN propagates. */
    public static final Primitive SCATTER_MAX = scatterPrimitive("scatter-max", Combine.MAX)
            .jvp((p, primals, tangents) -> extremalJvp(Scatter.SCATTER_MAX, (ScatterParams) p, primals, tangents))
            .batch((p, xs, dims) -> batchScatter(Scatter.SCATTER_MAX, p, xs, dims));

    private static Primitive scatterPrimitive(String name, Combine combine) {
        return new Primitive(name)
                .abstractEval((p, in) -> List.of(scatterAval(name, (ScatterParams) p, in.get(0), in.get(1), in.get(2))))
                .impl((p, in) -> List.of(scatterImpl(name, combine, (ScatterParams) p, in.get(0), in.get(1), in.get(2))));
    }

    private static void requireUnique(ScatterParams p, String name, String what) {
        if (!p.uniqueIndices()) {
            throw new Jax4jException(name + ": the " + what + " is only defined for unique indices (as in JAX); if no two updates "
                    + "hit one element, say so with unique_indices=true (e.g. x.at(...).mul(y, Mode.DROP, true))");
        }
    }

    /** gather of the update windows of {@code c} (the mirror of the scatter; fill 0 for dropped windows). */
    private static Array gatherWindows(ScatterParams p, Array c, Array indices, ShapedArray updates) {
        ScatterDimensionNumbers d = p.dimensionNumbers();
        var gd = new GatherDimensionNumbers(d.updateWindowDims(), d.insertedWindowDims(), d.scatterDimsToOperandDims());
        return GATHER.bind1(new GatherParams(gd, Ints.of(windowSizes(d, c.ndim(), updates)), p.mode(), 0.0), c, indices);
    }

    private static Primitive.JvpResult scatterJvp(ScatterParams p, List<Array> primals, List<Array> tangents) {
        Array x = primals.get(0), idx = primals.get(1), u = primals.get(2);
        Array tx = tangents.get(0), tu = tangents.get(2);
        if (tx == null && tu == null) return new Primitive.JvpResult(List.of(SCATTER.bind(p, primals).getFirst()), Defs.nulls(1));
        if (tx == null) tx = Lax.zerosLike(x);
        if (tu == null) tu = Lax.zerosLike(u);
        if (p.uniqueIndices()) {
            return new Primitive.JvpResult(List.of(SCATTER.bind(p, primals).getFirst()), List.of(SCATTER.bind(p, List.of(tx, idx, tu)).getFirst()));
        }
        // one id per update window (1-based; 0 marks elements no update reaches), broadcast over the window
        int[] idsShape = u.shape();
        for (int i = 0; i < p.dimensionNumbers().updateWindowDims().size(); i++) idsShape[p.dimensionNumbers().updateWindowDims().get(i)] = 1;
        int count = Math.toIntExact(Shape.of(idsShape).size());
        Array ids = Lax.add(Lax.reshape(Lax.iota(DType.I32, count), idsShape), Array.scalar(1));
        ids = Lax.broadcastInDim(ids, u.shape(), Ints.range(u.ndim()).toArray());
        Array scatteredIds = SCATTER.bind(p, List.of(Lax.broadcastInDim(Array.scalar(0), x.shape(), new int[0]), idx, ids)).getFirst();
        Array winners = Lax.eq(ids, gatherWindows(p, scatteredIds, idx, u.aval()));
        Array untouched = Lax.eq(scatteredIds, Lax.broadcastInDim(Array.scalar(0), x.shape(), new int[0]));
        Array out = SCATTER_ADD.bind(p, List.of(Lax.select(untouched, x, Lax.zerosLike(x)), idx, Lax.select(winners, u, Lax.zerosLike(u))))
                .getFirst();
        Array t = SCATTER_ADD.bind(p, List.of(Lax.select(untouched, tx, Lax.zerosLike(tx)), idx, Lax.select(winners, tu, Lax.zerosLike(tu))))
                .getFirst();
        return new Primitive.JvpResult(List.of(out), List.of(t));
    }

    /**
     * JAX's {@code _scatter_extremal_jvp}: the elements equal to the output (the operand's and the
     * updates') share its tangent equally.
     */
    private static Primitive.JvpResult extremalJvp(Primitive prim, ScatterParams p, List<Array> primals, List<Array> tangents) {
        Array x = primals.get(0), idx = primals.get(1), u = primals.get(2);
        Array out = prim.bind(p, primals).getFirst();
        Array tx = tangents.get(0), tu = tangents.get(2);
        if (tx == null && tu == null) return new Primitive.JvpResult(List.of(out), Defs.nulls(1));
        if (tx == null) tx = Lax.zerosLike(x);
        if (tu == null) tu = Lax.zerosLike(u);
        Array one = Array.scalar(1, x.dtype());
        Array successful = Lax.eq(u, gatherWindows(p, out, idx, u.aval()));
        Array retained = Lax.eq(x, out);
        Array numUpdates = SCATTER_ADD.bind(p, List.of(Lax.zerosLike(x), idx, Lax.select(successful, Lax.broadcastInDim(one, u.shape(), new int[0]),
                Lax.zerosLike(u)))).getFirst();
        Array numRefs = Lax.add(numUpdates, Lax.select(retained, Lax.broadcastInDim(one, x.shape(), new int[0]), Lax.zerosLike(x)));
        Array share = Lax.div(Lax.broadcastInDim(one, x.shape(), new int[0]), numRefs);
        Array operandCoef = Lax.select(retained, share, Lax.zerosLike(x));
        Array updatesCoef = Lax.select(successful, gatherWindows(p, share, idx, u.aval()), Lax.zerosLike(u));
        Array t = SCATTER_ADD.bind(p, List.of(Lax.mul(operandCoef, tx), idx, Lax.mul(updatesCoef, tu))).getFirst();
        return new Primitive.JvpResult(List.of(out), List.of(t));
    }

    static ShapedArray scatterAval(String name, ScatterParams p, ShapedArray x, ShapedArray idx, ShapedArray u) {
        ScatterDimensionNumbers d = p.dimensionNumbers();
        String where = name + " into " + x.str() + " at indices " + idx.str() + " of updates " + u.str() + " with " + d;
        if (!idx.dtype().isInteger() || idx.ndim() < 1 || idx.dim(-1) != d.scatterDimsToOperandDims().size()) {
            throw new Jax4jException(where + ": indices must be integers whose last axis has one entry per scatter_dims_to_operand_dims entry");
        }
        if (u.dtype() != x.dtype()) throw new Jax4jException(where + ": updates must have the operand's dtype");
        checkAxes(where, "scatter_dims_to_operand_dims", d.scatterDimsToOperandDims(), x.ndim(), false);
        checkAxes(where, "inserted_window_dims", d.insertedWindowDims(), x.ndim(), true);
        checkAxes(where, "update_window_dims", d.updateWindowDims(), u.ndim(), true);
        int nWindow = d.updateWindowDims().size();
        boolean ok = nWindow == x.ndim() - d.insertedWindowDims().size() && u.ndim() - nWindow == idx.ndim() - 1;
        for (int i = 0, b = 0; ok && i < u.ndim(); i++) {
            if (!d.updateWindowDims().contains(i)) ok = u.dim(i) == idx.dim(b++);
        }
        int[] sizes = ok ? windowSizes(d, x.ndim(), u) : null;
        for (int i = 0; ok && i < x.ndim(); i++) ok = sizes[i] <= x.dim(i);
        if (!ok) {
            throw new Jax4jException(where + ": the updates must have the indices' batch axes plus one window axis per operand axis "
                    + "not in inserted_window_dims, each window no larger than the operand");
        }
        return x;
    }

    /** The window extent along each operand axis: 1 for inserted axes, else the update window axis. */
    static int[] windowSizes(ScatterDimensionNumbers d, int operandRank, ShapedArray u) {
        int[] sizes = new int[operandRank];
        for (int i = 0, w = 0; i < operandRank; i++) {
            sizes[i] = d.insertedWindowDims().contains(i) ? 1 : u.dim(d.updateWindowDims().get(w++));
        }
        return sizes;
    }

    static ArrayImpl scatterImpl(String name, Combine combine, ScatterParams p, ArrayImpl x, ArrayImpl idx, ArrayImpl u) {
        ScatterDimensionNumbers d = p.dimensionNumbers();
        scatterAval(name, p, x.aval(), idx.aval(), u.aval());
        ArrayImpl out = x.withAval(x.aval());
        int[] sizes = windowSizes(d, x.ndim(), u.aval());
        int[] window = windowAxes(x.ndim(), d.insertedWindowDims());
        long[] xs = x.aval().shape().strides();
        boolean floating = x.dtype().isFloating();
        for (long k = 0; k < u.size(); k++) {
            int[] o = io.jax4j.core.Indexing.unravel(k, u.shape());
            long batch = 0;
            long dst = 0;
            for (int i = 0, wi = 0; i < o.length; i++) {
                if (d.updateWindowDims().contains(i)) dst += o[i] * xs[window[wi++]];
                else batch = batch * u.dim(i) + o[i];
            }
            long start = windowStart(idx, batch, d.scatterDimsToOperandDims(), x.shape(), sizes, p.mode(), xs);
            if (start < 0) continue;
            dst += start;
            if (floating) out.setDouble(dst, combine(combine, out.getDouble(dst), u.getDouble(k)));
            else if (x.dtype() == DType.BOOL) out.setLong(dst, combineBool(combine, out.getLong(dst), u.getLong(k)));
            else out.setLong(dst, combine(combine, out.getLong(dst), u.getLong(k)));
        }
        return out;
    }

    private static double combine(Combine c, double a, double b) {
        return switch (c) {
            case SET -> b;
            case ADD -> a + b;
            case MUL -> a * b;
            case MIN -> Math.min(a, b);
            case MAX -> Math.max(a, b);
        };
    }

    private static long combine(Combine c, long a, long b) {
        return switch (c) {
            case SET -> b;
            case ADD -> a + b;
            case MUL -> a * b;
            case MIN -> Math.min(a, b);
            case MAX -> Math.max(a, b);
        };
    }

    private static long combineBool(Combine c, long a, long b) {
        return switch (c) {
            case SET -> b;
            case ADD, MAX -> a | b;
            case MUL, MIN -> a & b;
        };
    }

    private static Primitive.BatchResult batchScatter(Primitive prim, Params params, List<Array> xs, int[] dims) {
        ScatterParams p = (ScatterParams) params;
        ScatterDimensionNumbers d = p.dimensionNumbers();
        int size = Batching.batchSize(xs, dims);
        Array x = Batching.moveAxis(xs.get(0), dims[0], 0, size);
        Array u = Batching.moveAxis(xs.get(2), dims[2], 0, size);
        Array idx = xs.get(1);
        int[] uwd = shift(d.updateWindowDims(), 1);
        int[] iwd = shift(d.insertedWindowDims(), 1);
        int[] sd = shift(d.scatterDimsToOperandDims(), 1);
        ScatterDimensionNumbers dn;
        if (dims[1] == Batching.NOT_MAPPED) {
            // the batch axis is one more (leading) window axis of operand and updates
            dn = new ScatterDimensionNumbers(Ints.of(prepend(0, uwd)), Ints.of(iwd), Ints.of(sd));
        } else {
            // the example number is a leading index into an inserted operand axis
            idx = Batching.moveAxis(idx, dims[1], 0, size);
            int[] counterShape = idx.shape();
            counterShape[counterShape.length - 1] = 1;
            idx = Lax.concatenate(List.of(Lax.broadcastedIota(idx.dtype(), counterShape, 0), idx), idx.ndim() - 1);
            dn = new ScatterDimensionNumbers(Ints.of(uwd), Ints.of(prepend(0, iwd)), Ints.of(prepend(0, sd)));
        }
        return Primitive.BatchResult.single(prim.bind(new ScatterParams(dn, p.mode(), p.uniqueIndices()), List.of(x, idx, u)).getFirst(), 0);
    }

    // ---------------------------------------------------------------- helpers

    /**
     * {@code x[..., idx[...], ...]} along {@code axis} with {@code idx} of x's rank, equal to x's shape
     * except along {@code axis} (take_along_axis without broadcasting), as one gather of full coordinates.
     */
    public static Array takeAlongAxis(Array x, Array idx, int axis, GatherScatterMode mode, Double fill) {
        int r = x.ndim();
        int[] coordShape = Arrays.copyOf(idx.shape(), r + 1);
        coordShape[r] = 1;
        List<Array> coords = new ArrayList<>();
        for (int d = 0; d < r; d++) {
            coords.add(d == axis ? Lax.reshape(idx, coordShape) : Lax.broadcastedIota(idx.dtype(), coordShape, d));
        }
        Array indices = r == 1 ? coords.getFirst() : Lax.concatenate(coords, r);
        int[] ones = new int[r];
        Arrays.fill(ones, 1);
        var dn = new GatherDimensionNumbers(Ints.of(), Ints.range(r), Ints.range(r));
        return Lax.gather(x, indices, dn, ones, mode, fill);
    }

    static int[] windowAxes(int rank, Ints excluded) {
        int[] w = new int[rank - excluded.size()];
        for (int i = 0, j = 0; i < rank; i++) if (!excluded.contains(i)) w[j++] = i;
        return w;
    }

    private static void checkAxes(String where, String name, Ints axes, int rank, boolean sorted) {
        for (int i = 0; i < axes.size(); i++) {
            int a = axes.get(i);
            boolean bad = a < 0 || a >= rank || (sorted ? i > 0 && a <= axes.get(i - 1) : axes.indexOf(a) != i);
            if (bad) {
                throw new Jax4jException(where + ": " + name + " " + axes + " must be " + (sorted ? "sorted, " : "")
                        + "distinct axes in [0, " + rank + ")");
            }
        }
    }

    private static int[] shift(Ints axes, int by) {
        int[] v = axes.toArray();
        for (int i = 0; i < v.length; i++) v[i] += by;
        return v;
    }

    private static int[] prepend(int first, int[] rest) { return Structural.prepend(first, rest); }
}
