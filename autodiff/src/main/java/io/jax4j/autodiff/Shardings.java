package io.jax4j.autodiff;

import io.jax4j.Array;
import io.jax4j.Sharding;
import io.jax4j.core.ArrayImpl;
import io.jax4j.core.Jax4jException;
import io.jax4j.core.JitFunction;
import io.jax4j.ir.Atom;
import io.jax4j.ir.Eqn;
import io.jax4j.ir.Jaxpr;
import io.jax4j.ir.Var;
import io.jax4j.prims.LinearAlgebra;
import io.jax4j.prims.Reductions;
import io.jax4j.prims.Structural;
import io.jax4j.tree.Tree;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Shardings at the boundary of a jitted call: inputs placed by {@code inShardings}, outputs by
 * {@code outShardings} or, without them, by propagating the inputs' {@link PartitionSpec}s through the
 * traced program, one equation after another: elementwise results keep their operands' spec,
 * {@code transpose} permutes it, reductions drop the reduced axes, {@code dot_general} keeps the batch
 * and free axes of both sides, {@code broadcast_in_dim} moves it to the broadcast dimensions. An output
 * the propagation cannot place is replicated over the mesh (every device holds it whole).
 *
 * <p>The values never depend on shardings: on the host every virtual device shares the memory, and a
 * sharding says which block each device holds.
 */
final class Shardings {
    private Shardings() {}

    /** Whether any array was ever placed with a sharding in this process (jit skips the check until then). */
    private static volatile boolean everPlaced;

    static void placedOne() { everPlaced = true; }

    /** Whether any array leaf of {@code args} was placed with a sharding. */
    static boolean anyPlaced(List<Object> args) {
        if (!everPlaced) return false;
        for (Object leaf : Tree.flatten(args).leaves()) if (leaf instanceof ArrayImpl a && a.placedSharding() != null) return true;
        return false;
    }

    /**
     * {@code tree} with every array leaf under a sharding of the prefix {@code shardings} placed by it:
     * a {@link Sharding} places everything below it, a list (or tuple) matches the tree's list
     * entry by entry, {@code null} leaves a part as it is.
     */
    static Object place(String fn, String which, Object tree, Object shardings) {
        if (shardings == null) return tree;
        if (shardings instanceof Sharding s) return Jax.devicePut(tree, s);
        if (shardings instanceof List<?> l && tree instanceof List<?> t && l.size() == t.size()) {
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < t.size(); i++) out.add(place(fn, which, t.get(i), l.get(i)));
            return out;
        }
        if (shardings instanceof io.vavr.Tuple2<?, ?> l && tree instanceof io.vavr.Tuple2<?, ?> t) {
            return io.vavr.Tuple.of(place(fn, which, t._1, l._1), place(fn, which, t._2, l._2));
        }
        throw new Jax4jException("jit(" + fn + "): " + which + "_shardings must be a Sharding, or a list or tuple of them (null for "
                + "parts left as they are) with the structure of the " + which + "puts; got " + shardings.getClass().getSimpleName() + " for "
                + (tree == null ? "null" : tree.getClass().getSimpleName()));
    }

    /** The outputs of a jitted call placed by the shardings propagated from its inputs' through its program. */
    static Object propagate(JitFunction jf, List<Object> args, Object out) {
        JitFunction.Traced traced = jf.tracedFor(args);
        Jaxpr j = traced.closed().jaxpr();
        Mesh mesh = null;
        Map<Var, List<String>> specs = new HashMap<>();
        int k = 0;
        for (Object leaf : Tree.flatten(args).leaves()) {
            if (!(leaf instanceof Array a)) continue;
            Var v = j.invars().get(k++);
            if (a instanceof ArrayImpl c && c.placedSharding() instanceof NamedSharding ns) {
                if (mesh != null && !mesh.equals(ns.mesh())) {
                    throw new Jax4jException("jit(" + jf.name() + "): the inputs are sharded over different meshes, " + mesh + " and " + ns.mesh()
                            + "; place them on one (Jax.devicePut(x, new NamedSharding(mesh, spec)))");
                }
                mesh = ns.mesh();
                specs.put(v, padded(ns.spec().axes(), a.ndim()));
            }
        }
        if (mesh == null) return out;
        for (Eqn e : j.eqns()) rule(e, specs);
        List<Atom> outvars = j.outvars().toJavaList();
        Mesh m = mesh;
        int[] i = {0};
        return Tree.map((Object leaf) -> {
            if (!(leaf instanceof Array)) return leaf;
            Atom atom = outvars.get(i[0]++);
            if (!(leaf instanceof ArrayImpl a)) return leaf;
            List<String> spec = atom instanceof Var v ? specs.get(v) : null;
            NamedSharding s = spec == null ? NamedSharding.replicated(m) : new NamedSharding(m, new PartitionSpec(trimmed(spec)));
            return a.withSharding(divides(s, a.shape()) ? s : NamedSharding.replicated(m));
        }, out);
    }

    /** Primitives whose bodies the propagation does not enter: their outputs are replicated. */
    private static final Set<String> CONTROL_FLOW = Set.of("scan", "while", "cond");

    /** The spec of {@code e}'s outputs from its operands' (iterative: one equation at a time). */
    private static void rule(Eqn e, Map<Var, List<String>> specs) {
        List<List<String>> in = new ArrayList<>();
        boolean any = false;
        for (Atom a : e.inputs()) {
            List<String> s = a instanceof Var v ? specs.get(v) : null;
            in.add(s);
            any |= s != null;
        }
        if (!any) return;
        String name = e.primitive().name();
        if (CONTROL_FLOW.contains(name)) return;
        for (Var out : e.outvars()) {
            int[] shape = out.aval().dims();
            List<String> s = switch (e.params()) {
                case Structural.TransposeParams p when in.get(0) != null -> permuted(in.get(0), p.permutation().toArray());
                case Reductions.AxesParams p when in.get(0) != null && shape.length == in.get(0).size() - p.axes().size() -> without(in.get(0), p.axes().toArray());
                case LinearAlgebra.DotParams p -> dot(p, in, e);
                case Structural.BroadcastParams p when in.get(0) != null -> broadcast(in.get(0), p.broadcastDimensions().toArray(), e.inputs().get(0).aval().dims(), shape);
                default -> sameShape(e, in, shape);
            };
            if (s != null && s.stream().anyMatch(x -> x != null) && distinct(s)) specs.put(out, s);
        }
    }

    /** An elementwise result: the spec its operands of the same shape agree on. */
    private static List<String> sameShape(Eqn e, List<List<String>> in, int[] shape) {
        List<String> s = null;
        for (int i = 0; i < in.size(); i++) {
            if (in.get(i) == null || !Arrays.equals(e.inputs().get(i).aval().dims(), shape)) continue;
            if (s == null) s = in.get(i);
            else if (!s.equals(in.get(i))) return null;
        }
        return s;
    }

    private static List<String> dot(LinearAlgebra.DotParams p, List<List<String>> in, Eqn e) {
        int lhsRank = e.inputs().get(0).aval().ndim(), rhsRank = e.inputs().get(1).aval().ndim();
        List<String> l = in.get(0) != null ? in.get(0) : padded(List.of(), lhsRank), r = in.get(1) != null ? in.get(1) : padded(List.of(), rhsRank);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < p.lhsBatch().size(); i++) {
            String a = l.get(p.lhsBatch().get(i)), b = r.get(p.rhsBatch().get(i));
            out.add(a != null ? a : b);
        }
        for (int d = 0; d < lhsRank; d++) if (!p.lhsBatch().contains(d) && !p.lhsContracting().contains(d)) out.add(l.get(d));
        for (int d = 0; d < rhsRank; d++) if (!p.rhsBatch().contains(d) && !p.rhsContracting().contains(d)) out.add(r.get(d));
        return out;
    }

    private static List<String> broadcast(List<String> s, int[] dims, int[] inShape, int[] outShape) {
        List<String> out = padded(List.of(), outShape.length);
        for (int i = 0; i < dims.length; i++) if (inShape[i] == outShape[dims[i]]) out.set(dims[i], s.get(i));
        return out;
    }

    private static List<String> permuted(List<String> s, int[] perm) {
        List<String> out = new ArrayList<>();
        for (int p : perm) out.add(s.get(p));
        return out;
    }

    private static List<String> without(List<String> s, int[] axes) {
        List<String> out = new ArrayList<>();
        for (int d = 0; d < s.size(); d++) {
            int dim = d;
            if (Arrays.stream(axes).noneMatch(a -> a == dim)) out.add(s.get(d));
        }
        return out;
    }

    private static boolean distinct(List<String> s) {
        List<String> named = s.stream().filter(x -> x != null).toList();
        return named.stream().distinct().count() == named.size();
    }

    private static boolean divides(NamedSharding s, int[] shape) {
        List<String> axes = s.spec().axes();
        if (axes.size() > shape.length) return false;
        for (int d = 0; d < axes.size(); d++) if (axes.get(d) != null && shape[d] % s.mesh().size(axes.get(d)) != 0) return false;
        return true;
    }

    private static List<String> padded(List<String> s, int n) {
        List<String> out = new ArrayList<>(s);
        while (out.size() < n) out.add(null);
        return out;
    }

    /** Trailing unsplit axes left out, as JAX prints specs. */
    private static List<String> trimmed(List<String> s) {
        int n = s.size();
        while (n > 0 && s.get(n - 1) == null) n--;
        return new ArrayList<>(s.subList(0, n));
    }
}
