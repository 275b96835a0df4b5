package io.jax4j.prims;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Lax;
import io.jax4j.Shape;
import io.jax4j.ShapedArray;
import io.jax4j.core.ArrayImpl;
import io.jax4j.core.Batching;
import io.jax4j.core.Indexing;
import io.jax4j.core.Ints;
import io.jax4j.core.Jax4jException;
import io.jax4j.core.Params;
import io.jax4j.core.Primitive;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Shape primitives (broadcast_in_dim, reshape, transpose), dtype conversion and select_n. All are
 * linear in their array operands; in the fused kernels they become index arithmetic.
 */
public final class Structural {
    private Structural() {}

    // ---------------------------------------------------------------- broadcast_in_dim
    public record BroadcastParams(Ints shape, Ints broadcastDimensions) implements Params {}

    /** Operand axis i becomes output axis bd[i]; transpose: sum over the new and the stretched axes. */
    public static final Primitive BROADCAST_IN_DIM = Defs.defLinear(new Primitive("broadcast_in_dim")
                    .withProperties(Primitive.Property.MOVEMENT)
                    .abstractEval((p, in) -> List.of(broadcastAval((BroadcastParams) p, in.getFirst())))
                    .impl((p, in) -> {
                        BroadcastParams bp = (BroadcastParams) p;
                        ArrayImpl x = in.getFirst();
                        ShapedArray out = broadcastAval(bp, x.aval());
                        long[] xs = x.aval().shape().strides();
                        long[] strides = new long[bp.shape().size()];
                        for (int i = 0; i < x.ndim(); i++) {
                            if (x.dim(i) != 1) strides[bp.broadcastDimensions().get(i)] = xs[i];
                        }
                        return List.of(Indexing.gather(x, Indexing.offsets(bp.shape().toArray(), strides, 0), out));
                    })
                    .batch((p, xs, dims) -> {
                        BroadcastParams bp = (BroadcastParams) p;
                        Array x = Batching.moveAxis(xs.getFirst(), dims[0], 0, xs.getFirst().dim(dims[0]));
                        int[] shape = prepend(x.dim(0), bp.shape().toArray());
                        int[] bd = new int[bp.broadcastDimensions().size() + 1];
                        for (int i = 0; i < bd.length - 1; i++) bd[i + 1] = bp.broadcastDimensions().get(i) + 1;
                        return Primitive.BatchResult.single(Lax.broadcastInDim(x, shape, bd), 0);
                    }),
            (p, ct, ops) -> {
                BroadcastParams bp = (BroadcastParams) p;
                ShapedArray operand = Defs.avalOf(ops.getFirst());
                List<Integer> sumAxes = new ArrayList<>();
                for (int j = 0; j < bp.shape().size(); j++) {
                    int i = bp.broadcastDimensions().indexOf(j);
                    if (i < 0 || (operand.dim(i) == 1 && bp.shape().get(j) != 1)) sumAxes.add(j);
                }
                Array summed = Lax.reduceSum(ct.getFirst(), sumAxes.stream().mapToInt(Integer::intValue).toArray());
                return List.of(Lax.reshape(summed, operand.dims()));
            });

    static ShapedArray broadcastAval(BroadcastParams p, ShapedArray x) {
        int[] shape = p.shape().toArray();
        Ints bd = p.broadcastDimensions();
        if (bd.size() != x.ndim()) {
            throw new Jax4jException("broadcast_in_dim: operand " + x.str() + " has " + x.ndim()
                    + " axes but broadcast_dimensions " + bd + " names " + bd.size());
        }
        for (int i = 0; i < bd.size(); i++) {
            int j = bd.get(i);
            if (j < 0 || j >= shape.length || (i > 0 && j <= bd.get(i - 1)) || (x.dim(i) != 1 && x.dim(i) != shape[j])) {
                throw new Jax4jException("broadcast_in_dim: cannot broadcast " + x.str() + " to shape "
                        + Shape.of(shape) + " with broadcast_dimensions " + bd);
            }
        }
        return new ShapedArray(x.dtype(), Shape.of(shape), x.weakType());
    }

    // ---------------------------------------------------------------- reshape
    public record ReshapeParams(Ints newSizes) implements Params {}

    /** Same elements in row-major order, new shape; transpose: reshape back. */
    public static final Primitive RESHAPE = Defs.defLinear(new Primitive("reshape")
                    .withProperties(Primitive.Property.MOVEMENT)
                    .abstractEval((p, in) -> {
                        ShapedArray x = in.getFirst();
                        Shape s = Shape.of(((ReshapeParams) p).newSizes().toArray());
                        if (s.size() != x.size()) {
                            throw new Jax4jException("reshape: cannot reshape " + x.str() + " (" + x.size()
                                    + " elements) into shape " + s + " (" + s.size() + " elements)");
                        }
                        return List.of(x.withShape(s));
                    })
                    .impl((p, in) -> List.of(in.getFirst().withAval(
                            in.getFirst().aval().withShape(Shape.of(((ReshapeParams) p).newSizes().toArray())))))
                    .batch((p, xs, dims) -> {
                        Array x = Batching.moveAxis(xs.getFirst(), dims[0], 0, xs.getFirst().dim(dims[0]));
                        return Primitive.BatchResult.single(
                                Lax.reshape(x, prepend(x.dim(0), ((ReshapeParams) p).newSizes().toArray())), 0);
                    }),
            (p, ct, ops) -> List.of(Lax.reshape(ct.getFirst(), Defs.avalOf(ops.getFirst()).dims())));

    // ---------------------------------------------------------------- transpose
    public record TransposeParams(Ints permutation) implements Params {}

    /** Output axis i is operand axis perm[i]; transpose: the inverse permutation. */
    public static final Primitive TRANSPOSE = Defs.defLinear(new Primitive("transpose")
                    .withProperties(Primitive.Property.MOVEMENT)
                    .abstractEval((p, in) -> {
                        ShapedArray x = in.getFirst();
                        int[] perm = ((TransposeParams) p).permutation().toArray();
                        checkPermutation(perm, x);
                        int[] out = new int[perm.length];
                        for (int i = 0; i < perm.length; i++) out[i] = x.dim(perm[i]);
                        return List.of(x.withShape(Shape.of(out)));
                    })
                    .impl((p, in) -> {
                        ArrayImpl x = in.getFirst();
                        int[] perm = ((TransposeParams) p).permutation().toArray();
                        long[] xs = x.aval().shape().strides();
                        int[] outShape = new int[perm.length];
                        long[] strides = new long[perm.length];
                        for (int i = 0; i < perm.length; i++) {
                            outShape[i] = x.dim(perm[i]);
                            strides[i] = xs[perm[i]];
                        }
                        return List.of(Indexing.gather(x, Indexing.offsets(outShape, strides, 0), x.aval().withShape(Shape.of(outShape))));
                    })
                    .batch((p, xs, dims) -> {
                        Array x = Batching.moveAxis(xs.getFirst(), dims[0], 0, xs.getFirst().dim(dims[0]));
                        int[] perm = ((TransposeParams) p).permutation().toArray();
                        int[] np = new int[perm.length + 1];
                        for (int i = 0; i < perm.length; i++) np[i + 1] = perm[i] + 1;
                        return Primitive.BatchResult.single(Lax.transpose(x, np), 0);
                    }),
            (p, ct, ops) -> {
                int[] perm = ((TransposeParams) p).permutation().toArray();
                int[] inv = new int[perm.length];
                for (int i = 0; i < perm.length; i++) inv[perm[i]] = i;
                return List.of(Lax.transpose(ct.getFirst(), inv));
            });

    private static void checkPermutation(int[] perm, ShapedArray x) {
        boolean[] seen = new boolean[perm.length];
        boolean ok = perm.length == x.ndim();
        for (int a : perm) {
            if (!ok || a < 0 || a >= perm.length || seen[a]) {
                ok = false;
                break;
            }
            seen[a] = true;
        }
        if (!ok) throw new Jax4jException("transpose: permutation " + Arrays.toString(perm) + " is not a permutation of the axes of " + x.str());
    }

    // ---------------------------------------------------------------- convert_element_type
    public record ConvertParams(DType newDtype, boolean weakType) implements Params {}

    /** Linear between float dtypes; the tangent of a conversion to an integer dtype is zero. */
    public static final Primitive CONVERT_ELEMENT_TYPE = new Primitive("convert_element_type")
            .withProperties(Primitive.Property.ELEMENTWISE)
            .abstractEval((p, in) -> {
                ConvertParams cp = (ConvertParams) p;
                return List.of(new ShapedArray(cp.newDtype(), in.getFirst().shape(), cp.weakType()));
            })
            .impl((p, in) -> {
                ConvertParams cp = (ConvertParams) p;
                ArrayImpl x = in.getFirst();
                ShapedArray out = new ShapedArray(cp.newDtype(), x.aval().shape(), cp.weakType());
                boolean viaLong = !x.dtype().isFloating() && !cp.newDtype().isFloating();
                ArrayImpl r = ArrayImpl.allocate(out);
                for (long i = 0; i < x.size(); i++) {
                    if (viaLong) r.setLong(i, x.getLong(i));
                    else r.setDouble(i, x.getDouble(i));
                }
                return List.of(r);
            })
            .jvp((p, primals, tangents) -> {
                ConvertParams cp = (ConvertParams) p;
                List<Array> out = List.of(Lax.convertElementType(primals.getFirst(), cp.newDtype(), cp.weakType()));
                Array t = tangents.getFirst();
                boolean differentiable = cp.newDtype().isFloating() && primals.getFirst().dtype().isFloating();
                return new Primitive.JvpResult(out, Arrays.asList(t == null || !differentiable ? null
                        : Lax.convertElementType(t, cp.newDtype(), cp.weakType())));
            })
            .transpose((p, ct, ops) -> {
                ShapedArray in = Defs.avalOf(ops.getFirst());
                return List.of(Lax.convertElementType(ct.getFirst(), in.dtype(), in.weakType()));
            })
            .batch((p, xs, dims) -> Primitive.BatchResult.single(
                    Lax.convertElementType(xs.getFirst(), ((ConvertParams) p).newDtype(), ((ConvertParams) p).weakType()), dims[0]));

    // ---------------------------------------------------------------- select_n
    /** {@code cases[which]} elementwise; {@code which} is bool (2 cases) or int32. Linear in the cases. */
    public static final Primitive SELECT_N = new Primitive("select_n")
            .withProperties(Primitive.Property.ELEMENTWISE)
            .abstractEval((p, in) -> {
                ShapedArray which = in.getFirst();
                ShapedArray c0 = in.get(1);
                if (which.dtype() != DType.BOOL && which.dtype() != DType.I32) {
                    throw new Jax4jException("select_n: the selector must be bool or int32, got " + which.str());
                }
                for (int i = 1; i < in.size(); i++) {
                    if (!in.get(i).sameTypeAs(c0) || !in.get(i).shape().equals(which.shape())) {
                        throw new Jax4jException("select_n: selector and cases must have one shape (and the cases one dtype), got "
                                + in.stream().map(ShapedArray::str).toList());
                    }
                }
                boolean weak = true;
                for (int i = 1; i < in.size(); i++) weak &= in.get(i).weakType();
                return List.of(new ShapedArray(c0.dtype(), c0.shape(), weak));
            })
            .impl((p, in) -> {
                ArrayImpl which = in.getFirst();
                ShapedArray aval = in.get(1).aval();
                boolean weak = true;
                for (int i = 1; i < in.size(); i++) weak &= in.get(i).aval().weakType();
                ArrayImpl r = ArrayImpl.allocate(new ShapedArray(aval.dtype(), aval.shape(), weak));
                boolean floating = aval.dtype().isFloating();
                for (long i = 0; i < r.size(); i++) {
                    ArrayImpl c = in.get(1 + (int) which.getLong(i));
                    if (floating) r.setDouble(i, c.getDouble(i));
                    else r.setLong(i, c.getLong(i));
                }
                return List.of(r);
            })
            .jvp((p, primals, tangents) -> {
                Array out = Lax.selectN(primals.getFirst(), primals.subList(1, primals.size()));
                boolean any = false;
                for (int i = 1; i < tangents.size(); i++) any |= tangents.get(i) != null;
                if (!any) return new Primitive.JvpResult(List.of(out), Defs.nulls(1));
                List<Array> ts = new ArrayList<>();
                for (int i = 1; i < tangents.size(); i++) {
                    ts.add(tangents.get(i) != null ? tangents.get(i) : Lax.zerosLike(primals.get(i)));
                }
                return new Primitive.JvpResult(List.of(out), List.of(Lax.selectN(primals.getFirst(), ts)));
            })
            .transpose((p, ct, ops) -> {
                Array which = (Array) ops.getFirst();
                Array c = ct.getFirst();
                Array zero = Lax.zerosLike(c);
                List<Array> result = new ArrayList<>(Defs.nulls(ops.size()));
                for (int i = 1; i < ops.size(); i++) {
                    if (!Defs.isUndefined(ops.get(i))) continue;
                    List<Array> cases = new ArrayList<>();
                    for (int k = 1; k < ops.size(); k++) cases.add(k == i ? c : zero);
                    result.set(i, Lax.selectN(which, cases));
                }
                return result;
            });

    static {
        SELECT_N.batch(Defs.broadcasting(SELECT_N, false));   // its cases must have the selector's shape
    }

    static int[] prepend(int first, int[] rest) {
        int[] out = new int[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }
}
