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

import static io.jax4j.core.Indexing.offsets;
import static io.jax4j.core.Primitive.Property.MOVEMENT;

/**
 * Indexing and movement primitives with static or scalar offsets: slice, dynamic_slice,
 * dynamic_update_slice, pad, concatenate, rev, iota and clamp. All but iota and clamp are linear
 * in their array operands; in fused kernels they become index arithmetic. Gather and scatter-add
 * are in {@link Scatter}, scans, sort and reduce_prod in {@link Sorting}.
 */
public final class Indexing {
    private Indexing() {}

    // ---------------------------------------------------------------- slice
    public record SliceParams(Ints startIndices, Ints limitIndices, Ints strides) implements Params {}

    /** out[i] = x[start + i·stride]; transpose: pad the cotangent (lo = start, interior = stride - 1). */
    public static final Primitive SLICE = Defs.defLinear(new Primitive("slice")
                    .withProperties(MOVEMENT)
                    .abstractEval((p, in) -> List.of(sliceAval((SliceParams) p, in.getFirst())))
                    .impl((p, in) -> {
                        SliceParams sp = (SliceParams) p;
                        ArrayImpl x = in.getFirst();
                        ShapedArray out = sliceAval(sp, x.aval());
                        long[] xs = x.aval().shape().strides();
                        long[] strides = new long[x.ndim()];
                        long base = 0;
                        for (int i = 0; i < x.ndim(); i++) {
                            strides[i] = xs[i] * sp.strides().get(i);
                            base += sp.startIndices().get(i) * xs[i];
                        }
                        return List.of(io.jax4j.core.Indexing.gather(x, offsets(out.dims(), strides, base), out));
                    })
                    .batch((p, xs, dims) -> {
                        SliceParams sp = (SliceParams) p;
                        int b = dims[0];
                        Array x = xs.getFirst();
                        return Primitive.BatchResult.single(Lax.slice(x, insert(sp.startIndices(), b, 0),
                                insert(sp.limitIndices(), b, x.dim(b)), insert(sp.strides(), b, 1)), b);
                    }),
            (p, ct, ops) -> {
                SliceParams sp = (SliceParams) p;
                ShapedArray in = Defs.avalOf(ops.getFirst());
                Array t = ct.getFirst();
                int[][] config = new int[in.ndim()][];
                for (int i = 0; i < in.ndim(); i++) {
                    int n = t.dim(i), start = sp.startIndices().get(i), stride = sp.strides().get(i);
                    int realLimit = n == 0 ? start : start + (n - 1) * stride + 1;
                    config[i] = new int[]{start, in.dim(i) - realLimit, n == 0 ? 0 : stride - 1};
                }
                return List.of(Lax.pad(t, Lax.scalarLike(t, 0), config));
            });

    static ShapedArray sliceAval(SliceParams p, ShapedArray x) {
        int n = x.ndim();
        if (p.startIndices().size() != n || p.limitIndices().size() != n || p.strides().size() != n) {
            throw new Jax4jException("slice: start_indices " + p.startIndices() + ", limit_indices " + p.limitIndices()
                    + " and strides " + p.strides() + " must each have one entry per axis of the operand " + x.str());
        }
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int s = p.startIndices().get(i), l = p.limitIndices().get(i), st = p.strides().get(i);
            if (s < 0 || l < s || l > x.dim(i) || st < 1) {
                throw new Jax4jException("slice: invalid slice " + s + ":" + l + ":" + st + " of axis " + i + " of " + x.str()
                        + " (need 0 <= start <= limit <= " + x.dim(i) + " and stride >= 1)");
            }
            out[i] = (l - s + st - 1) / st;
        }
        return x.withShape(Shape.of(out));
    }

    // ---------------------------------------------------------------- dynamic_slice
    public record DynamicSliceParams(Ints sliceSizes) implements Params {}

    /**
     * out = x[s : s + size] with s = clamp(start, 0, dim - size) per axis (XLA's clamping); operands
     * are x and one integer scalar per axis. Linear in x; transpose: dynamic_update_slice into zeros.
     */
    public static final Primitive DYNAMIC_SLICE = new Primitive("dynamic_slice")
            .withProperties(MOVEMENT)
            .abstractEval((p, in) -> {
                ShapedArray x = in.getFirst();
                int[] sizes = ((DynamicSliceParams) p).sliceSizes().toArray();
                checkStartIndices("dynamic_slice", x, in.subList(1, in.size()));
                for (int i = 0; i < sizes.length && sizes.length == x.ndim(); i++) {
                    if (sizes[i] < 0 || sizes[i] > x.dim(i)) sizes = null;
                    if (sizes == null) break;
                }
                if (sizes == null || sizes.length != x.ndim()) {
                    throw new Jax4jException("dynamic_slice: slice_sizes " + ((DynamicSliceParams) p).sliceSizes()
                            + " must have one entry per axis of " + x.str() + ", each between 0 and the axis size");
                }
                return List.of(x.withShape(Shape.of(sizes)));
            })
            .impl((p, in) -> {
                Indexing.DYNAMIC_SLICE.abstractEval(p, in.stream().map(ArrayImpl::aval).toList());
                ArrayImpl x = in.getFirst();
                int[] sizes = ((DynamicSliceParams) p).sliceSizes().toArray();
                long[] xs = x.aval().shape().strides();
                int[] start = clampedStarts(in.subList(1, in.size()), x.shape(), sizes);
                long base = 0;
                for (int i = 0; i < sizes.length; i++) base += start[i] * xs[i];
                return List.of(io.jax4j.core.Indexing.gather(x, offsets(sizes, xs, base), x.aval().withShape(Shape.of(sizes))));
            })
            .jvp((p, primals, tangents) -> {
                List<Array> idx = primals.subList(1, primals.size());
                Array out = Lax.dynamicSlice(primals.getFirst(), idx, ((DynamicSliceParams) p).sliceSizes().toArray());
                Array t = tangents.getFirst();
                return new Primitive.JvpResult(List.of(out),
                        Arrays.asList(t == null ? null : Lax.dynamicSlice(t, idx, ((DynamicSliceParams) p).sliceSizes().toArray())));
            })
            .transpose((p, ct, ops) -> {
                List<Array> result = new ArrayList<>(Defs.nulls(ops.size()));
                List<Array> idx = startOperands(ops, 1);
                result.set(0, Lax.dynamicUpdateSlice(zeros(Defs.avalOf(ops.getFirst())), ct.getFirst(), idx));
                return result;
            })
            .batch((p, xs, dims) -> {
                int[] sizes = ((DynamicSliceParams) p).sliceSizes().toArray();
                if (!anyMapped(dims, 1)) {
                    int b = dims[0];
                    Array x = xs.getFirst();
                    List<Array> idx = new ArrayList<>(xs.subList(1, xs.size()));
                    idx.add(b, Lax.scalar(0, DType.I32));
                    return Primitive.BatchResult.single(Lax.dynamicSlice(x, idx, insert(Ints.of(sizes), b, x.dim(b))), b);
                }
                int size = Batching.batchSize(xs, dims);
                Array x = Batching.moveAxis(xs.getFirst(), dims[0], 0, size);
                Array indices = batchedStarts(xs.subList(1, xs.size()), Arrays.copyOfRange(dims, 1, dims.length), size);
                int nd = sizes.length;
                var dn = new Scatter.GatherDimensionNumbers(range(1, nd + 1), Ints.of(0), Ints.range(nd + 1));
                return Primitive.BatchResult.single(Lax.gather(x, indices, dn, insert(Ints.of(sizes), 0, 1),
                        Scatter.GatherScatterMode.CLIP, null), 0);
            });

    // ---------------------------------------------------------------- dynamic_update_slice
    /**
     * out = x with update written at s = clamp(start, 0, dim - update_dim). Linear in (x, update);
     * transpose: (dynamic_update_slice(ct, 0, s), dynamic_slice(ct, s)).
     */
    public static final Primitive DYNAMIC_UPDATE_SLICE = new Primitive("dynamic_update_slice")
            .withProperties(MOVEMENT)
            .abstractEval((p, in) -> {
                ShapedArray x = in.get(0), u = in.get(1);
                boolean ok = x.dtype() == u.dtype() && x.ndim() == u.ndim();
                for (int i = 0; ok && i < x.ndim(); i++) ok = u.dim(i) <= x.dim(i);
                if (!ok) {
                    throw new Jax4jException("dynamic_update_slice: the update " + u.str() + " must have the operand's dtype and rank "
                            + "and fit inside the operand " + x.str());
                }
                checkStartIndices("dynamic_update_slice", x, in.subList(2, in.size()));
                return List.of(x);
            })
            .impl((p, in) -> {
                Indexing.DYNAMIC_UPDATE_SLICE.abstractEval(p, in.stream().map(ArrayImpl::aval).toList());
                ArrayImpl x = in.get(0), u = in.get(1);
                int[] start = clampedStarts(in.subList(2, in.size()), x.shape(), u.shape());
                ArrayImpl out = x.withAval(x.aval());
                long[] xs = x.aval().shape().strides();
                long base = 0;
                for (int i = 0; i < start.length; i++) base += start[i] * xs[i];
                long[] dst = offsets(u.shape(), xs, base);
                for (int k = 0; k < dst.length; k++) copy(u, k, out, dst[k]);
                return List.of(out);
            })
            .jvp((p, primals, tangents) -> {
                List<Array> idx = primals.subList(2, primals.size());
                Array out = Lax.dynamicUpdateSlice(primals.get(0), primals.get(1), idx);
                Array tx = tangents.get(0), tu = tangents.get(1);
                if (tx == null && tu == null) return new Primitive.JvpResult(List.of(out), Defs.nulls(1));
                return new Primitive.JvpResult(List.of(out), List.of(Lax.dynamicUpdateSlice(
                        tx != null ? tx : Lax.zerosLike(primals.get(0)), tu != null ? tu : Lax.zerosLike(primals.get(1)), idx)));
            })
            .transpose((p, ct, ops) -> {
                List<Array> result = new ArrayList<>(Defs.nulls(ops.size()));
                List<Array> idx = startOperands(ops, 2);
                ShapedArray u = Defs.avalOf(ops.get(1));
                Array c = ct.getFirst();
                if (Defs.isUndefined(ops.get(0))) result.set(0, Lax.dynamicUpdateSlice(c, zeros(u), idx));
                if (Defs.isUndefined(ops.get(1))) result.set(1, Lax.dynamicSlice(c, idx, u.dims()));
                return result;
            })
            .batch(Indexing::batchDynamicUpdateSlice);

    /** Unbatched starts: one more (zero) start; batched starts: a masked scatter-add (JAX uses scatter). */
    private static Primitive.BatchResult batchDynamicUpdateSlice(Params p, List<Array> xs, int[] dims) {
        int size = Batching.batchSize(xs, dims);
        Array x = Batching.moveAxis(xs.get(0), dims[0], 0, size);
        Array u = Batching.moveAxis(xs.get(1), dims[1], 0, size);
        if (!anyMapped(dims, 2)) {
            List<Array> idx = new ArrayList<>(xs.subList(2, xs.size()));
            idx.addFirst(Lax.scalar(0, DType.I32));
            return Primitive.BatchResult.single(Lax.dynamicUpdateSlice(x, u, idx), 0);
        }
        Array indices = batchedStarts(xs.subList(2, xs.size()), Arrays.copyOfRange(dims, 2, dims.length), size);
        int nd = u.ndim() - 1;
        var dn = new Scatter.ScatterDimensionNumbers(range(1, nd + 1), Ints.of(0), Ints.range(nd + 1));
        var mode = Scatter.GatherScatterMode.CLIP;
        Array mask = Lax.scatterAdd(Lax.zerosLike(Lax.convertElementType(x, DType.I32)), indices,
                Lax.fullLike(Lax.convertElementType(u, DType.I32), 1), dn, mode);
        boolean isBool = x.dtype() == DType.BOOL;
        Array ux = isBool ? Lax.convertElementType(u, DType.I32) : u;
        Array placed = Lax.scatterAdd(Lax.zerosLike(isBool ? Lax.convertElementType(x, DType.I32) : x), indices, ux, dn, mode);
        if (isBool) placed = Lax.convertElementType(placed, DType.BOOL);
        return Primitive.BatchResult.single(Lax.select(Lax.ne(mask, Lax.zerosLike(mask)), placed, x), 0);
    }

    // ---------------------------------------------------------------- pad
    /** JAX's padding_config as three tuples: (lo[i], hi[i], interior[i]) for axis i. */
    public record PadParams(Ints lo, Ints hi, Ints interior) implements Params {
        @Override
        public String print() {
            List<String> axes = new ArrayList<>();
            for (int i = 0; i < lo.size(); i++) axes.add("(" + lo.get(i) + ", " + hi.get(i) + ", " + interior.get(i) + ")");
            return "[padding_config=(" + String.join(", ", axes) + (axes.size() == 1 ? ",)" : ")") + "]";
        }
    }

    /**
     * out[lo + i·(interior + 1)] = x[i], everything else the padding value (negative lo/hi crop).
     * Linear in (x, padding value); transpose: crop and stride the cotangent; Σct - Σct_x for the value.
     */
    public static final Primitive PAD = Defs.defLinear(new Primitive("pad")
                    .withProperties(MOVEMENT)
                    .abstractEval((p, in) -> List.of(padAval((PadParams) p, in.get(0), in.get(1))))
                    .impl((p, in) -> {
                        PadParams pp = (PadParams) p;
                        ArrayImpl x = in.get(0), pv = in.get(1);
                        ShapedArray outAval = padAval(pp, x.aval(), pv.aval());
                        ArrayImpl out = ArrayImpl.allocate(outAval);
                        for (long k = 0; k < out.size(); k++) copy(pv, 0, out, k);
                        long[] os = outAval.shape().strides();
                        int[] xd = x.shape();
                        for (long k = 0; k < x.size(); k++) {
                            int[] idx = io.jax4j.core.Indexing.unravel(k, xd);
                            long dst = 0;
                            for (int i = 0; i < idx.length && dst >= 0; i++) {
                                long j = pp.lo().get(i) + (long) idx[i] * (pp.interior().get(i) + 1);
                                dst = j < 0 || j >= outAval.dim(i) ? -1 : dst + j * os[i];
                            }
                            if (dst >= 0) copy(x, k, out, dst);
                        }
                        return List.of(out);
                    })
                    .batch(Indexing::batchPad),
            (p, ct, ops) -> {
                PadParams pp = (PadParams) p;
                Array t = ct.getFirst();
                int n = t.ndim();
                int[][] unpad = new int[n][];
                int[] zeros = new int[n], strides = new int[n];
                for (int i = 0; i < n; i++) {
                    unpad[i] = new int[]{-pp.lo().get(i), -pp.hi().get(i), 0};
                    strides[i] = pp.interior().get(i) + 1;
                }
                Array unpadded = Lax.pad(t, Lax.scalarLike(t, 0), unpad);
                Array tx = Lax.slice(unpadded, zeros, unpadded.shape(), strides);
                Array tpv = Defs.isUndefined(ops.get(1))
                        ? Lax.sub(Lax.reduceSum(t, Ints.range(n).toArray()), Lax.reduceSum(tx, Ints.range(n).toArray())) : null;
                return Arrays.asList(Defs.isUndefined(ops.get(0)) ? tx : null, tpv);
            });

    static ShapedArray padAval(PadParams p, ShapedArray x, ShapedArray pv) {
        if (pv.ndim() != 0 || pv.dtype() != x.dtype()) {
            throw new Jax4jException("pad: the padding value must be a scalar of the operand's dtype " + x.dtype().shortName()
                    + ", got " + pv.str());
        }
        int n = x.ndim();
        if (p.lo().size() != n || p.hi().size() != n || p.interior().size() != n) {
            throw new Jax4jException("pad: padding_config " + p.print() + " must have one (lo, hi, interior) per axis of " + x.str());
        }
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int d = x.dim(i), interior = p.interior().get(i);
            long o = (long) p.lo().get(i) + p.hi().get(i) + d + (long) Math.max(0, d - 1) * interior;
            if (interior < 0 || o < 0) {
                throw new Jax4jException("pad: padding (" + p.lo().get(i) + ", " + p.hi().get(i) + ", " + interior + ") of axis " + i
                        + " of " + x.str() + " is invalid (interior must be >= 0 and the padded size " + o + " >= 0)");
            }
            out[i] = (int) o;
        }
        return new ShapedArray(x.dtype(), Shape.of(out), x.weakType() && pv.weakType());
    }

    /** A batched padding value: pad with zeros, then select the per-example value where a mask is padding. */
    private static Primitive.BatchResult batchPad(Params p, List<Array> xs, int[] dims) {
        PadParams pp = (PadParams) p;
        if (dims[1] == Batching.NOT_MAPPED) {
            int b = dims[0];
            return Primitive.BatchResult.single(padBind(new PadParams(Ints.of(insert(pp.lo(), b, 0)), Ints.of(insert(pp.hi(), b, 0)),
                    Ints.of(insert(pp.interior(), b, 0))), xs.get(0), xs.get(1)), b);
        }
        int size = Batching.batchSize(xs, dims);
        Array x = Batching.moveAxis(xs.get(0), dims[0], 0, size);
        Array pv = Batching.moveAxis(xs.get(1), dims[1], 0, size);
        PadParams bp = new PadParams(Ints.of(insert(pp.lo(), 0, 0)), Ints.of(insert(pp.hi(), 0, 0)), Ints.of(insert(pp.interior(), 0, 0)));
        Array padded = padBind(bp, x, Lax.scalarLike(x, 0));
        Array ones = Lax.broadcastInDim(Lax.scalar(1, DType.BOOL), x.shape(), new int[0]);
        Array mask = padBind(bp, ones, Lax.scalar(0, DType.BOOL));
        Array values = Lax.broadcastInDim(pv, padded.shape(), new int[]{0});
        return Primitive.BatchResult.single(Lax.select(mask, padded, values), 0);
    }

    private static Array padBind(PadParams p, Array x, Array pv) { return PAD.bind1(p, x, pv); }

    // ---------------------------------------------------------------- concatenate
    public record ConcatenateParams(int dimension) implements Params {}

    /** Operands joined along one axis; transpose: slice each operand's part of the cotangent. */
    public static final Primitive CONCATENATE = Defs.defLinear(new Primitive("concatenate")
                    .withProperties(MOVEMENT)
                    .abstractEval((p, in) -> List.of(concatAval(((ConcatenateParams) p).dimension(), in)))
                    .impl((p, in) -> {
                        int dim = ((ConcatenateParams) p).dimension();
                        List<ShapedArray> avals = in.stream().map(ArrayImpl::aval).toList();
                        ShapedArray outAval = concatAval(dim, avals);
                        ArrayImpl out = ArrayImpl.allocate(outAval);
                        long[] os = outAval.shape().strides();
                        long at = 0;
                        for (ArrayImpl x : in) {
                            long[] dst = offsets(x.shape(), os, at * os[dim]);
                            for (int k = 0; k < dst.length; k++) copy(x, k, out, dst[k]);
                            at += x.dim(dim);
                        }
                        return List.of(out);
                    })
                    .batch((p, xs, dims) -> Primitive.BatchResult.single(
                            Lax.concatenate(Batching.allAtFront(xs, dims), ((ConcatenateParams) p).dimension() + 1), 0)),
            (p, ct, ops) -> {
                int dim = ((ConcatenateParams) p).dimension();
                Array t = ct.getFirst();
                List<Array> result = new ArrayList<>(Defs.nulls(ops.size()));
                int at = 0;
                for (int k = 0; k < ops.size(); k++) {
                    ShapedArray a = Defs.avalOf(ops.get(k));
                    if (Defs.isUndefined(ops.get(k))) {
                        int[] start = new int[t.ndim()], limit = t.shape();
                        start[dim] = at;
                        limit[dim] = at + a.dim(dim);
                        result.set(k, Lax.slice(t, start, limit));
                    }
                    at += a.dim(dim);
                }
                return result;
            });

    static ShapedArray concatAval(int dim, List<ShapedArray> in) {
        if (in.isEmpty()) throw new Jax4jException("concatenate: needs at least one operand");
        ShapedArray first = in.getFirst();
        if (dim < 0 || dim >= first.ndim()) {
            throw new Jax4jException("concatenate: dimension " + dim + " is out of range for operands of rank " + first.ndim()
                    + " (" + in.stream().map(ShapedArray::str).toList() + ")");
        }
        int[] out = first.dims();
        out[dim] = 0;
        boolean weak = true;
        for (ShapedArray a : in) {
            boolean ok = a.dtype() == first.dtype() && a.ndim() == first.ndim();
            for (int i = 0; ok && i < a.ndim(); i++) ok = i == dim || a.dim(i) == first.dim(i);
            if (!ok) {
                throw new Jax4jException("concatenate: operands must have one dtype and equal sizes except along dimension " + dim
                        + ", got " + in.stream().map(ShapedArray::str).toList());
            }
            out[dim] += a.dim(dim);
            weak &= a.weakType();
        }
        return new ShapedArray(first.dtype(), Shape.of(out), weak);
    }

    // ---------------------------------------------------------------- rev
    public record RevParams(Ints dimensions) implements Params {}

    /** out[i] = x[dim - 1 - i] along the given axes; its own transpose. */
    public static final Primitive REV = Defs.defLinear(new Primitive("rev")
                    .withProperties(MOVEMENT)
                    .abstractEval((p, in) -> {
                        ShapedArray x = in.getFirst();
                        Ints d = ((RevParams) p).dimensions();
                        boolean[] seen = new boolean[x.ndim()];
                        for (int i = 0; i < d.size(); i++) {
                            int a = d.get(i);
                            if (a < 0 || a >= x.ndim() || seen[a]) {
                                throw new Jax4jException("rev: dimensions " + d + " must be distinct axes of " + x.str());
                            }
                            seen[a] = true;
                        }
                        return List.of(x);
                    })
                    .impl((p, in) -> {
                        Indexing.REV.abstractEval(p, List.of(in.getFirst().aval()));
                        ArrayImpl x = in.getFirst();
                        long[] strides = x.aval().shape().strides();
                        long base = 0;
                        for (int a : ((RevParams) p).dimensions().toArray()) {
                            base += (x.dim(a) - 1L) * strides[a];
                            strides[a] = -strides[a];
                        }
                        if (x.size() == 0) return List.of(x);
                        return List.of(io.jax4j.core.Indexing.gather(x, offsets(x.shape(), strides, base), x.aval()));
                    })
                    .batch((p, xs, dims) -> {
                        int b = dims[0];
                        int[] d = ((RevParams) p).dimensions().toArray();
                        for (int i = 0; i < d.length; i++) if (d[i] >= b) d[i]++;
                        return Primitive.BatchResult.single(Lax.rev(xs.getFirst(), d), b);
                    }),
            (p, ct, ops) -> List.of(Lax.rev(ct.getFirst(), ((RevParams) p).dimensions().toArray())));

    // ---------------------------------------------------------------- iota
    public record IotaParams(DType dtype, Ints shape, int dimension) implements Params {}

    /** out[..., i, ...] = i along {@code dimension}; no operands, so never batched and no tangent. */
    public static final Primitive IOTA = new Primitive("iota")
            .abstractEval((p, in) -> List.of(iotaAval((IotaParams) p)))
            .impl((p, in) -> {
                IotaParams ip = (IotaParams) p;
                ShapedArray out = iotaAval(ip);
                long[] strides = new long[ip.shape().size()];
                strides[ip.dimension()] = 1;
                long[] v = offsets(ip.shape().toArray(), strides, 0);
                ArrayImpl r = ArrayImpl.allocate(out);
                for (int k = 0; k < v.length; k++) r.setLong(k, v[k]);
                return List.of(r);
            })
            .zeroJvp();

    static {
        IOTA.batch((p, xs, dims) -> Primitive.BatchResult.single(IOTA.bind1(p), Batching.NOT_MAPPED));
    }

    static ShapedArray iotaAval(IotaParams p) {
        if (p.dtype() == DType.BOOL || p.dimension() < 0 || p.dimension() >= p.shape().size()) {
            throw new Jax4jException("iota: dimension " + p.dimension() + " must be an axis of shape " + Shape.of(p.shape().toArray())
                    + " and the dtype numeric, got " + p.dtype());
        }
        return new ShapedArray(p.dtype(), Shape.of(p.shape().toArray()));
    }

    // ---------------------------------------------------------------- clamp
    /**
     * lax.clamp(lo, x, hi) = min(max(x, lo), hi), lo and hi scalars or of x's shape.
     * {@code d clamp = dx where lo < x < hi, dlo where x < lo (< hi), dhi where hi < x}.
     */
    public static final Primitive CLAMP = new Primitive("clamp")
            .withProperties(Primitive.Property.ELEMENTWISE)
            .abstractEval((p, in) -> List.of(clampAval(in)))
            .impl((p, in) -> {
                ArrayImpl lo = in.get(0), x = in.get(1), hi = in.get(2);
                ArrayImpl out = ArrayImpl.allocate(clampAval(in.stream().map(ArrayImpl::aval).toList()));
                int sl = lo.ndim() == 0 ? 0 : 1, sh = hi.ndim() == 0 ? 0 : 1;
                boolean floating = x.dtype().isFloating();
                for (long i = 0; i < x.size(); i++) {
                    if (floating) {
                        out.setDouble(i, Elementwise.min(Elementwise.max(x.getDouble(i), lo.getDouble(i * sl)), hi.getDouble(i * sh)));
                    } else {
                        out.setLong(i, Math.min(Math.max(x.getLong(i), lo.getLong(i * sl)), hi.getLong(i * sh)));
                    }
                }
                return List.of(out);
            })
            .jvp((p, primals, tangents) -> {
                Array lo = primals.get(0), x = primals.get(1), hi = primals.get(2);
                Array out = Lax.clamp(lo, x, hi);
                Array total = null;
                Array[] masks = {
                        Lax.bitwiseAnd(Lax.gt(lo, x), Lax.lt(lo, hi)),
                        Lax.bitwiseAnd(Lax.gt(x, lo), Lax.lt(x, hi)),
                        Lax.lt(hi, x)};
                for (int i = 0; i < 3; i++) {
                    Array t = tangents.get(i);
                    if (t == null) continue;
                    Array mask = masks[i].ndim() == x.ndim() ? masks[i] : Lax.broadcastInDim(masks[i], x.shape(), new int[0]);
                    Array tb = t.ndim() == x.ndim() ? t : Lax.broadcastInDim(t, x.shape(), new int[0]);
                    Array d = Lax.select(mask, tb, Lax.zerosLike(tb));
                    total = total == null ? d : Lax.add(total, d);
                }
                return new Primitive.JvpResult(List.of(out), Arrays.asList(total));
            });

    static {
        CLAMP.batch(Defs.broadcasting(CLAMP));
    }

    static ShapedArray clampAval(List<ShapedArray> in) {
        ShapedArray lo = in.get(0), x = in.get(1), hi = in.get(2);
        for (ShapedArray b : List.of(lo, hi)) {
            if (b.dtype() != x.dtype() || (b.ndim() != 0 && !b.shape().equals(x.shape())) || x.dtype() == DType.BOOL) {
                throw new Jax4jException("clamp: min and max must be scalars or of the operand's shape, all of one numeric dtype; got min "
                        + lo.str() + ", operand " + x.str() + ", max " + hi.str());
            }
        }
        return x;
    }

    // ---------------------------------------------------------------- helpers

    /** Copies element {@code i} of {@code src} to element {@code j} of {@code dst}, exactly for every dtype. */
    static void copy(ArrayImpl src, long i, ArrayImpl dst, long j) {
        if (src.dtype().isFloating()) dst.setDouble(j, src.getDouble(i));
        else dst.setLong(j, src.getLong(i));
    }

    static Ints range(int from, int to) {
        int[] v = new int[Math.max(0, to - from)];
        for (int i = 0; i < v.length; i++) v[i] = from + i;
        return Ints.of(v);
    }

    static int[] insert(Ints values, int at, int value) {
        int[] v = values.toArray();
        int[] out = new int[v.length + 1];
        for (int i = 0, j = 0; i < out.length; i++) out[i] = i == at ? value : v[j++];
        return out;
    }

    /** A zero array of an aval (the cotangent space of an operand). */
    static Array zeros(ShapedArray aval) {
        Array z = ArrayImpl.ofDoubles(new ShapedArray(aval.dtype(), Shape.scalar(), aval.weakType()), new double[]{0});
        return aval.ndim() == 0 ? z : Lax.broadcastInDim(z, aval.dims(), new int[0]);
    }

    private static void checkStartIndices(String name, ShapedArray x, List<ShapedArray> idx) {
        boolean ok = idx.size() == x.ndim();
        for (ShapedArray i : idx) ok &= i.ndim() == 0 && i.dtype().isInteger();
        if (!ok) {
            throw new Jax4jException(name + ": needs one integer scalar start index per axis of " + x.str() + ", got "
                    + idx.stream().map(ShapedArray::str).toList());
        }
    }

    /** XLA's clamping: start = clamp(start, 0, dim - size). */
    static int[] clampedStarts(List<ArrayImpl> idx, int[] dims, int[] sizes) {
        int[] s = new int[dims.length];
        for (int i = 0; i < dims.length; i++) s[i] = (int) Math.max(0, Math.min(idx.get(i).getLong(0), dims[i] - sizes[i]));
        return s;
    }

    private static List<Array> startOperands(List<Object> ops, int from) {
        List<Array> idx = new ArrayList<>();
        for (int i = from; i < ops.size(); i++) idx.add((Array) ops.get(i));
        return idx;
    }

    private static boolean anyMapped(int[] dims, int from) {
        for (int i = from; i < dims.length; i++) if (dims[i] != Batching.NOT_MAPPED) return true;
        return false;
    }

    /** [B, 1 + n] int32 gather indices: the example number, then each (batched) start index. */
    private static Array batchedStarts(List<Array> starts, int[] dims, int size) {
        List<Array> cols = new ArrayList<>();
        cols.add(Lax.broadcastedIota(DType.I32, new int[]{size, 1}, 0));
        for (int i = 0; i < starts.size(); i++) {
            Array s = Lax.convertElementType(Batching.moveAxis(starts.get(i), dims[i], 0, size), DType.I32);
            cols.add(Lax.reshape(s, size, 1));
        }
        return Lax.concatenate(cols, 1);
    }
}
