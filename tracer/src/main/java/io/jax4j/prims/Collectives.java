package io.jax4j.prims;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Lax;
import io.jax4j.Np;
import io.jax4j.Shape;
import io.jax4j.ShapedArray;
import io.jax4j.core.Batching;
import io.jax4j.core.Jax4jException;
import io.jax4j.core.Params;
import io.jax4j.core.Primitive;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Collectives over a named mapped axis ({@code psum}, {@code pmax}, {@code pmin},
 * {@code all_gather}, {@code ppermute}, {@code axis_index}), as JAX's {@code lax.p*} primitives:
 * they mean something only inside a transformation that binds the axis name ({@code vmap} or
 * {@code pmap} with {@code axisName}), whose trace applies their {@link NamedAxisRule} to the whole
 * mapped axis. Under another (outer) name they batch like elementwise operations; outside any, their
 * reference implementation raises JAX's "unbound axis name" error. Linear ones transpose as JAX's do
 * (psum to psum, ppermute to the inverse permutation, all_gather to a sum and one's own slice).
 */
public final class Collectives {
    private Collectives() {}

    /** The parameters of every collective: the axis it reduces or gathers over. */
    public interface Named extends Params {
        String axisName();
    }

    /** {@code psum}, {@code pmax}, {@code pmin}, {@code axis_index}: the axis name alone. */
    public record AxisParams(String axisName) implements Named {}

    /** {@code all_gather(x, axis_name, axis=axis, tiled=tiled)}; {@code axisSize} fixed when bound, as JAX's param. */
    public record AllGatherParams(String axisName, int axisSize, int axis, boolean tiled) implements Named {}

    /** {@code ppermute(x, axis_name, perm)}: {@code perm} as (source, destination) index pairs. */
    public record PpermuteParams(String axisName, List<List<Integer>> perm) implements Named {}

    /** A collective applied by the trace that maps its axis: operands with their batch dims, outputs with theirs. */
    @FunctionalInterface
    public interface NamedAxisRule {
        Primitive.BatchResult apply(Params params, List<Array> operands, int[] batchDims, int axisSize);
    }

    private static Primitive collective(String name) {
        return new Primitive(name).impl((p, in) -> {
            throw unbound(((Named) p).axisName(), name);
        });
    }

    /** JAX's error for a collective whose axis name no enclosing vmap/pmap binds. */
    public static Jax4jException unbound(String axisName, String op) {
        return new Jax4jException(op + ": unbound axis name: " + axisName + " (collectives run inside Jax.vmap(f, ..., axisName) or "
                + "Jax.pmap(f, axisName) with that name)");
    }

    // ---------------------------------------------------------------- psum, pmax, pmin

    public static final Primitive PSUM = collective("psum")
            .abstractEval((p, in) -> List.of(in.getFirst().strong()))
            .jvp((p, primals, tangents) -> new Primitive.JvpResult(
                    List.of(Collectives.PSUM.bind1(p, primals.getFirst())),
                    Arrays.asList(tangents.getFirst() == null ? null : Collectives.PSUM.bind1(p, tangents.getFirst()))))
            .transpose((p, ct, ops) -> Arrays.asList(ct.getFirst() == null ? null : Collectives.PSUM.bind1(p, ct.getFirst())))
            .batch((p, xs, dims) -> Primitive.BatchResult.single(Collectives.PSUM.bind1(p, xs.getFirst()), dims[0]));

    public static final Primitive PMAX = reducing("pmax");
    public static final Primitive PMIN = reducing("pmin");

    private static Primitive reducing(String name) {
        Primitive[] self = new Primitive[1];
        self[0] = collective(name)
                .abstractEval((p, in) -> List.of(in.getFirst().strong()))
                .jvp((p, primals, tangents) -> {
                    if (tangents.getFirst() != null) {
                        throw new Jax4jException(name + " is not differentiable (JAX defines no derivative for it either); "
                                + "differentiate through psum/pmean, or stop the gradient first");
                    }
                    return new Primitive.JvpResult(List.of(self[0].bind1(p, primals.getFirst())), Defs.nulls(1));
                })
                .batch((p, xs, dims) -> Primitive.BatchResult.single(self[0].bind1(p, xs.getFirst()), dims[0]));
        return self[0];
    }

    // ---------------------------------------------------------------- all_gather

    public static final Primitive ALL_GATHER = collective("all_gather")
            .abstractEval((p, in) -> List.of(gatheredAval((AllGatherParams) p, in.getFirst())))
            .jvp((p, primals, tangents) -> new Primitive.JvpResult(
                    List.of(Collectives.ALL_GATHER.bind1(p, primals.getFirst())),
                    Arrays.asList(tangents.getFirst() == null ? null : Collectives.ALL_GATHER.bind1(p, tangents.getFirst()))))
            .transpose((p, ct, ops) -> {
                AllGatherParams g = (AllGatherParams) p;
                Array c = ct.getFirst();
                if (c == null) return Defs.nulls(1);
                // the sum over replicas of the gathered cotangent, then this replica's slice of it
                Array summed = Collectives.PSUM.bind1(new AxisParams(g.axisName()), c);
                Array index = Collectives.AXIS_INDEX.bind1(new AxisParams(g.axisName()));
                ShapedArray in = Defs.avalOf(ops.getFirst());
                int chunk = g.tiled() ? in.dim(g.axis()) : 1;
                List<Array> starts = new ArrayList<>();
                for (int i = 0; i < summed.ndim(); i++) {
                    starts.add(i == g.axis() ? Lax.mul(index, Lax.scalar(chunk, DType.I32)) : Lax.scalar(0, DType.I32));
                }
                int[] sizes = summed.shape();
                sizes[g.axis()] = chunk;
                Array slice = Lax.dynamicSlice(summed, starts, sizes);
                return List.of(Lax.reshape(slice, in.dims()));
            })
            .batch((p, xs, dims) -> {
                AllGatherParams g = (AllGatherParams) p;
                int d = dims[0];
                int axis = g.axis() >= d ? g.axis() + 1 : g.axis();
                Array out = Collectives.ALL_GATHER.bind1(new AllGatherParams(g.axisName(), g.axisSize(), axis, g.tiled()), xs.getFirst());
                int outDim = !g.tiled() && axis <= d ? d + 1 : d;
                return Primitive.BatchResult.single(out, outDim);
            });

    private static ShapedArray gatheredAval(AllGatherParams p, ShapedArray x) {
        if (p.axis() < 0 || p.axis() > x.ndim() || p.tiled() && p.axis() == x.ndim()) {
            throw new Jax4jException("all_gather: axis " + p.axis() + " is out of range for " + x.str());
        }
        int[] d = x.dims();
        if (p.tiled()) {
            d[p.axis()] *= p.axisSize();
            return new ShapedArray(x.dtype(), Shape.of(d));
        }
        int[] out = new int[d.length + 1];
        for (int i = 0, j = 0; i < out.length; i++) out[i] = i == p.axis() ? p.axisSize() : d[j++];
        return new ShapedArray(x.dtype(), Shape.of(out));
    }

    // ---------------------------------------------------------------- ppermute, axis_index

    public static final Primitive PPERMUTE = collective("ppermute")
            .abstractEval((p, in) -> List.of(in.getFirst().strong()))
            .jvp((p, primals, tangents) -> new Primitive.JvpResult(
                    List.of(Collectives.PPERMUTE.bind1(p, primals.getFirst())),
                    Arrays.asList(tangents.getFirst() == null ? null : Collectives.PPERMUTE.bind1(p, tangents.getFirst()))))
            .transpose((p, ct, ops) -> {
                PpermuteParams pp = (PpermuteParams) p;
                List<List<Integer>> inverse = new ArrayList<>();
                for (List<Integer> pair : pp.perm()) inverse.add(List.of(pair.get(1), pair.get(0)));
                return Arrays.asList(ct.getFirst() == null ? null
                        : Collectives.PPERMUTE.bind1(new PpermuteParams(pp.axisName(), List.copyOf(inverse)), ct.getFirst()));
            })
            .batch((p, xs, dims) -> Primitive.BatchResult.single(Collectives.PPERMUTE.bind1(p, xs.getFirst()), dims[0]));

    public static final Primitive AXIS_INDEX = collective("axis_index")
            .abstractEval((p, in) -> List.of(ShapedArray.of(DType.I32)))
            .zeroJvp()
            .batch((p, xs, dims) -> { throw new IllegalStateException("axis_index has no operands to batch"); });

    // ---------------------------------------------------------------- on the mapped axis

    private static final Set<Primitive> ALL = Set.of(PSUM, PMAX, PMIN, ALL_GATHER, PPERMUTE, AXIS_INDEX);

    public static boolean isCollective(Primitive p) { return ALL.contains(p); }

    /** The rule the trace that maps {@code p}'s axis applies: the whole axis at once. */
    public static NamedAxisRule namedAxisRule(Primitive p) {
        if (p == PSUM) return (params, xs, dims, n) -> reduced(xs.getFirst(), dims[0], n, "sum");
        if (p == PMAX) return (params, xs, dims, n) -> reduced(xs.getFirst(), dims[0], n, "max");
        if (p == PMIN) return (params, xs, dims, n) -> reduced(xs.getFirst(), dims[0], n, "min");
        if (p == AXIS_INDEX) return (params, xs, dims, n) -> Primitive.BatchResult.single(Lax.iota(DType.I32, n), 0);
        if (p == ALL_GATHER) return (params, xs, dims, n) -> {
            AllGatherParams g = (AllGatherParams) params;
            Array x = Batching.moveAxis(xs.getFirst(), dims[0], 0, n);          // [n, ...per example]
            Array gathered = Np.moveaxis(x, 0, g.axis());
            if (g.tiled()) {
                int[] s = gathered.shape();
                int[] merged = new int[s.length - 1];
                for (int i = 0, j = 0; i < s.length; i++) {
                    if (i == g.axis()) merged[j] = s[i] * s[i + 1];
                    else if (i == g.axis() + 1) continue;
                    else merged[j] = s[i];
                    j++;
                }
                gathered = Lax.reshape(gathered, merged);
            }
            return Primitive.BatchResult.single(gathered, Batching.NOT_MAPPED);
        };
        if (p == PPERMUTE) return (params, xs, dims, n) -> {
            PpermuteParams pp = (PpermuteParams) params;
            Array x = Batching.moveAxis(xs.getFirst(), dims[0], 0, n);
            int[] source = new int[n];
            Arrays.fill(source, -1);
            for (List<Integer> pair : pp.perm()) {
                int from = pair.get(0), to = pair.get(1);
                if (from < 0 || from >= n || to < 0 || to >= n || source[to] >= 0) {
                    throw new Jax4jException("ppermute: perm " + pp.perm() + " must pair distinct sources with distinct destinations in [0, " + n + ")");
                }
                source[to] = from;
            }
            int[] clamped = Arrays.stream(source).map(s -> Math.max(s, 0)).toArray();
            boolean[] received = new boolean[n];
            for (int i = 0; i < n; i++) received[i] = source[i] >= 0;
            Array moved = Np.take(x, Array.of(clamped), 0);
            Array mask = Lax.reshape(Array.of(received), concat(new int[]{n}, ones(x.ndim() - 1)));
            return Primitive.BatchResult.single(Np.where(mask, moved, Np.zerosLike(moved)), 0);
        };
        throw new IllegalArgumentException(p.name() + " is not a collective");
    }

    private static Primitive.BatchResult reduced(Array x, int dim, int n, String op) {
        if (dim == Batching.NOT_MAPPED) {
            Array out = op.equals("sum") ? Lax.mul(x, Lax.fullLike(x, n)) : x;
            return Primitive.BatchResult.single(out, Batching.NOT_MAPPED);
        }
        Array out = switch (op) {
            case "sum" -> Lax.reduceSum(x, dim);
            case "max" -> Lax.reduceMax(x, dim);
            default -> Lax.reduceMin(x, dim);
        };
        return Primitive.BatchResult.single(out, Batching.NOT_MAPPED);
    }

    private static int[] ones(int n) {
        int[] s = new int[n];
        Arrays.fill(s, 1);
        return s;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
