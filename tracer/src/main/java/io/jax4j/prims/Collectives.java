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
import io.jax4j.core.ArrayImpl;
import io.jax4j.core.Primitive;
import io.jax4j.spi.ProcessGroup;
import io.jax4j.spi.ProcessGroups;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Collectives over a named mapped axis ({@code psum}, {@code pmax}, {@code pmin},
 * {@code all_gather}, {@code reduce_scatter} (psum_scatter), {@code ppermute}, {@code axis_index}), as JAX's {@code lax.p*} primitives:
 * they mean something only inside a transformation that binds the axis name ({@code vmap} or
 * {@code pmap} with {@code axisName}), whose trace applies their {@link NamedAxisRule} to the whole
 * mapped axis. Under another (outer) name they batch like elementwise operations; outside any, their
 * reference implementation raises JAX's "unbound axis name" error. Linear ones transpose as JAX's do
 * (psum to psum, ppermute to the inverse permutation, all_gather to a sum and one's own slice,
 * psum_scatter to all_gather).
 *
 * <p>Across processes: a pmap axis that spans the processes of an MPI run reduces its local
 * replicas, then calls {@link #PROCESS_ALLREDUCE} / {@link #PROCESS_ALLGATHER}, real primitives in
 * the jaxpr (host ops in jitted code) that the installed {@link ProcessGroup} carries out.
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

    /**
     * {@code psum_scatter(x, axis_name, scatter_dimension=..., tiled=...)} (JAX's {@code reduce_scatter}):
     * {@code axisSize} fixed when bound.
     */
    public record ReduceScatterParams(String axisName, int axisSize, int scatterDimension, boolean tiled) implements Named {}

    /** {@code ppermute(x, axis_name, perm)}: {@code perm} as (source, destination) index pairs. */
    public record PpermuteParams(String axisName, List<List<Integer>> perm) implements Named {}

    /**
     * A collective applied by the trace that maps its axis: operands with their batch dims, outputs
     * with theirs. {@code axisSize} is this process's share of the axis; {@code span} is the group of
     * processes the axis spans (a multi-process {@code pmap}), or null when the axis is this process's alone.
     */
    @FunctionalInterface
    public interface NamedAxisRule {
        Primitive.BatchResult apply(Params params, List<Array> operands, int[] batchDims, int axisSize, ProcessGroup span);
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

    public static final Primitive PSUM = Defs.defLinear(collective("psum")
            .abstractEval((p, in) -> List.of(in.getFirst().strong())),
            (p, ct, ops) -> Arrays.asList(ct.getFirst() == null ? null : Collectives.PSUM.bind1(p, ct.getFirst())))
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

    public static final Primitive ALL_GATHER = Defs.defLinear(collective("all_gather")
            .abstractEval((p, in) -> List.of(gatheredAval((AllGatherParams) p, in.getFirst()))),
            (p, ct, ops) -> {
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

    // ---------------------------------------------------------------- psum_scatter

    /**
     * {@code psum_scatter}: the sum over replicas, of which replica i keeps block i along
     * {@code scatterDimension} (tiled: a block of {@code size / axisSize}; not tiled: the dimension,
     * which must equal the axis size, is removed). Linear; its transpose is the matching all_gather.
     */
    public static final Primitive REDUCE_SCATTER = Defs.defLinear(collective("reduce_scatter")
            .abstractEval((p, in) -> List.of(scatteredAval((ReduceScatterParams) p, in.getFirst()))),
            (p, ct, ops) -> {
                ReduceScatterParams r = (ReduceScatterParams) p;
                Array c = ct.getFirst();
                if (c == null) return Defs.nulls(1);
                return List.of(Collectives.ALL_GATHER.bind1(new AllGatherParams(r.axisName(), r.axisSize(), r.scatterDimension(), r.tiled()), c));
            })
            .batch((p, xs, dims) -> {
                ReduceScatterParams r = (ReduceScatterParams) p;
                int d = dims[0];
                int dim = r.scatterDimension() >= d ? r.scatterDimension() + 1 : r.scatterDimension();
                Array out = Collectives.REDUCE_SCATTER.bind1(new ReduceScatterParams(r.axisName(), r.axisSize(), dim, r.tiled()), xs.getFirst());
                return Primitive.BatchResult.single(out, !r.tiled() && dim < d ? d - 1 : d);
            });

    /** The result of {@code psum_scatter} on each replica's {@code x}, or JAX's error for a dimension that does not split. */
    public static ShapedArray scatteredAval(ReduceScatterParams p, ShapedArray x) {
        int a = p.scatterDimension();
        if (a < 0 || a >= x.ndim()) throw new Jax4jException("psum_scatter: scatter_dimension " + a + " is out of range for " + x.str());
        int[] d = x.dims();
        if (p.tiled()) {
            if (d[a] % p.axisSize() != 0) {
                throw new Jax4jException("psum_scatter: dimension " + a + " of " + x.str() + " (" + d[a] + ") must be a multiple of the axis size "
                        + p.axisSize() + " when tiled");
            }
            d[a] /= p.axisSize();
            return new ShapedArray(x.dtype(), Shape.of(d));
        }
        if (d[a] != p.axisSize()) {
            throw new Jax4jException("psum_scatter: dimension " + a + " of " + x.str() + " (" + d[a] + ") must equal the axis size " + p.axisSize()
                    + " (or pass tiled=true to scatter blocks)");
        }
        int[] out = new int[d.length - 1];
        for (int i = 0, j = 0; i < d.length; i++) if (i != a) out[j++] = d[i];
        return new ShapedArray(x.dtype(), Shape.of(out));
    }

    // ---------------------------------------------------------------- ppermute, axis_index

    public static final Primitive PPERMUTE = Defs.defLinear(collective("ppermute")
            .abstractEval((p, in) -> List.of(in.getFirst().strong())),
            (p, ct, ops) -> {
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

    private static final Set<Primitive> ALL = Set.of(PSUM, PMAX, PMIN, ALL_GATHER, REDUCE_SCATTER, PPERMUTE, AXIS_INDEX);

    public static boolean isCollective(Primitive p) { return ALL.contains(p); }

    /**
     * The rule the trace that maps {@code p}'s axis applies: the whole axis at once. Over processes
     * ({@code span} not null) the axis is every process's replicas in process order: reductions
     * finish with a {@link #PROCESS_ALLREDUCE}, gathers and permutations start from every process's
     * replicas ({@link #PROCESS_ALLGATHER}), and indices count from this process's first replica.
     */
    public static NamedAxisRule namedAxisRule(Primitive p) {
        if (p == PSUM) return (params, xs, dims, n, span) -> acrossProcesses(reduced(xs.getFirst(), dims[0], n, "sum"), "sum", span);
        if (p == PMAX) return (params, xs, dims, n, span) -> acrossProcesses(reduced(xs.getFirst(), dims[0], n, "max"), "max", span);
        if (p == PMIN) return (params, xs, dims, n, span) -> acrossProcesses(reduced(xs.getFirst(), dims[0], n, "min"), "min", span);
        if (p == AXIS_INDEX) return (params, xs, dims, n, span) -> {
            Array local = Lax.iota(DType.I32, n);
            int first = span == null ? 0 : span.processIndex() * n;
            return Primitive.BatchResult.single(first == 0 ? local : Lax.add(local, Lax.fullLike(local, first)), 0);
        };
        if (p == ALL_GATHER) return (params, xs, dims, n, span) -> {
            AllGatherParams g = (AllGatherParams) params;
            Array x = everyReplica(Batching.moveAxis(xs.getFirst(), dims[0], 0, n), span);   // [replicas, ...per example]
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
        if (p == REDUCE_SCATTER) return (params, xs, dims, n, span) -> {
            ReduceScatterParams r = (ReduceScatterParams) params;
            Array sum = acrossProcesses(reduced(xs.getFirst(), dims[0], n, "sum"), "sum", span).outputs().getFirst();
            int total = n * (span == null ? 1 : span.processCount()), first = span == null ? 0 : span.processIndex() * n, a = r.scatterDimension();
            Array blocks = sum;   // [..., total (x block), ...] -> [total, ...]
            if (r.tiled()) blocks = Convolution.reshapeAxisOutOf(a, total, sum);
            blocks = Np.moveaxis(blocks, a, 0);
            int[] start = new int[blocks.ndim()], limit = blocks.shape();
            start[0] = first;
            limit[0] = first + n;
            return Primitive.BatchResult.single(Lax.slice(blocks, start, limit), 0);
        };
        if (p == PPERMUTE) return (params, xs, dims, n, span) -> {
            PpermuteParams pp = (PpermuteParams) params;
            Array x = everyReplica(Batching.moveAxis(xs.getFirst(), dims[0], 0, n), span);
            int total = x.dim(0), first = span == null ? 0 : span.processIndex() * n;
            int[] source = new int[total];
            Arrays.fill(source, -1);
            for (List<Integer> pair : pp.perm()) {
                int from = pair.get(0), to = pair.get(1);
                if (from < 0 || from >= total || to < 0 || to >= total || source[to] >= 0) {
                    throw new Jax4jException("ppermute: perm " + pp.perm() + " must pair distinct sources with distinct destinations in [0, " + total + ")");
                }
                source[to] = from;
            }
            int[] clamped = new int[n];
            boolean[] received = new boolean[n];
            for (int i = 0; i < n; i++) {
                clamped[i] = Math.max(source[first + i], 0);
                received[i] = source[first + i] >= 0;
            }
            Array moved = Np.take(x, Array.of(clamped), 0);
            Array mask = Lax.reshape(Array.of(received), concat(new int[]{n}, ones(x.ndim() - 1)));
            return Primitive.BatchResult.single(Np.where(mask, moved, Np.zerosLike(moved)), 0);
        };
        throw new IllegalArgumentException(p.name() + " is not a collective");
    }

    /** A replica-reduced value, reduced over the other processes too when the axis spans them. */
    private static Primitive.BatchResult acrossProcesses(Primitive.BatchResult local, String op, ProcessGroup span) {
        if (span == null) return local;
        return Primitive.BatchResult.single(PROCESS_ALLREDUCE.bind1(new ProcessReduceParams(op), local.outputs().getFirst()), Batching.NOT_MAPPED);
    }

    /** This process's replicas {@code [n, ...]}, or every process's {@code [processes * n, ...]} in process order. */
    private static Array everyReplica(Array local, ProcessGroup span) {
        if (span == null) return local;
        Array all = PROCESS_ALLGATHER.bind1(new ProcessGatherParams(span.processCount()), local);
        int[] s = local.shape();
        s[0] *= span.processCount();
        return Lax.reshape(all, s);
    }

    // ---------------------------------------------------------------- across processes

    /** {@code process_allreduce}: the reduction ({@code sum}, {@code max}, {@code min}) over processes. */
    public record ProcessReduceParams(String op) implements Params {
        public ProcessReduceParams {
            if (!Set.of("sum", "max", "min").contains(op)) throw new IllegalArgumentException("process_allreduce: op " + op + " is not sum, max or min");
        }
    }

    /** {@code process_allgather}: every process's operand stacked on a new leading axis of {@code processes}. */
    public record ProcessGatherParams(int processes) implements Params {}

    /**
     * Every process's operand reduced elementwise (MPI's {@code Allreduce}), the same result on every
     * process; run by {@link ProcessGroups#current()} when the program runs (a host op in jitted code).
     * Sum is linear (it transposes to itself, as {@code psum}); max and min have no derivative.
     */
    public static final Primitive PROCESS_ALLREDUCE = new Primitive("process_allreduce")
            .impl((p, in) -> {
                ArrayImpl x = in.getFirst();
                ArrayImpl out = ArrayImpl.allocateUninitialized(x.aval().strong());
                ProcessGroups.current().allReduce(x.segment(), out.segment(), x.aval().size(), x.aval().dtype(), ((ProcessReduceParams) p).op());
                return List.of(out);
            })
            .abstractEval((p, in) -> List.of(in.getFirst().strong()))
            .jvp((p, primals, tangents) -> {
                Array t = tangents.getFirst();
                if (t != null && !((ProcessReduceParams) p).op().equals("sum")) {
                    throw new Jax4jException("p" + ((ProcessReduceParams) p).op() + " across processes is not differentiable; differentiate through psum/pmean");
                }
                return new Primitive.JvpResult(List.of(Collectives.PROCESS_ALLREDUCE.bind1(p, primals.getFirst())),
                        Arrays.asList(t == null ? null : Collectives.PROCESS_ALLREDUCE.bind1(p, t)));
            })
            .transpose((p, ct, ops) -> Arrays.asList(ct.getFirst() == null ? null : Collectives.PROCESS_ALLREDUCE.bind1(p, ct.getFirst())))
            .batch((p, xs, dims) -> Primitive.BatchResult.single(Collectives.PROCESS_ALLREDUCE.bind1(p, xs.getFirst()), dims[0]));

    /**
     * Every process's operand, stacked in process order on a new leading axis (MPI's
     * {@code Allgather}). Linear: its transpose sums the cotangent over processes and keeps this
     * process's row.
     */
    public static final Primitive PROCESS_ALLGATHER = Defs.defLinear(new Primitive("process_allgather")
            .impl((p, in) -> {
                ArrayImpl x = in.getFirst();
                ProcessGroup g = ProcessGroups.current();
                int processes = ((ProcessGatherParams) p).processes();
                if (g.processCount() != processes) {
                    throw new Jax4jException("process_allgather: traced for " + processes + " processes but this run has " + g.processCount()
                            + " (" + g.describe() + ")");
                }
                ArrayImpl out = ArrayImpl.allocateUninitialized(stacked(x.aval(), processes));
                g.allGather(x.segment(), out.segment(), x.aval().size() * x.aval().dtype().byteSize());
                return List.of(out);
            })
            .abstractEval((p, in) -> List.of(stacked(in.getFirst(), ((ProcessGatherParams) p).processes()))),
            (p, ct, ops) -> {
                Array c = ct.getFirst();
                if (c == null) return Defs.nulls(1);
                Array summed = Collectives.PROCESS_ALLREDUCE.bind1(new ProcessReduceParams("sum"), c);
                int me = ProcessGroups.current().processIndex();
                int[] start = new int[c.ndim()], limit = c.shape();
                start[0] = me;
                limit[0] = me + 1;
                return List.of(Lax.reshape(Lax.slice(summed, start, limit), Defs.avalOf(ops.getFirst()).dims()));
            })
            .batch((p, xs, dims) -> Primitive.BatchResult.single(Collectives.PROCESS_ALLGATHER.bind1(p, xs.getFirst()), dims[0] + 1));

    private static ShapedArray stacked(ShapedArray x, int processes) {
        return new ShapedArray(x.dtype(), Shape.of(concat(new int[]{processes}, x.dims())));
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
