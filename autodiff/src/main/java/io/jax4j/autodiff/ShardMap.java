package io.jax4j.autodiff;

import io.jax4j.Array;
import io.jax4j.Lax;
import io.jax4j.core.Jax4jException;
import io.jax4j.core.Vmap;
import io.jax4j.tree.Tree;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * {@link Jax#shardMap} as nested named vmaps, one per mesh axis: for axis {@code m} of size n, every
 * leaf whose spec splits an array axis d over {@code m} is reshaped so that d becomes (n, d / n) and
 * mapped over the n; the outputs are mapped back at their spec's axis and merged, or left unmapped
 * where the spec does not name {@code m} (vmap refuses a value that still depends on the axis).
 */
final class ShardMap {
    private ShardMap() {}

    static Object apply(Function<Object, Object> f, String name, Mesh mesh, PartitionSpec inSpec, PartitionSpec outSpec, Object input) {
        for (Array leaf : Tree.leavesOfType(input, Array.class)) checkSpec(name, "in", mesh, inSpec, leaf);
        return level(f, name, mesh, inSpec, outSpec, input, 0);
    }

    private static Object level(Function<Object, Object> f, String name, Mesh mesh, PartitionSpec inSpec, PartitionSpec outSpec, Object input,
                                int meshAxis) {
        if (meshAxis == mesh.axisNames().size()) return f.apply(input);
        String axis = mesh.axisNames().get(meshAxis);
        int n = mesh.shape()[meshAxis];
        int inDim = inSpec.axisOf(axis), outDim = outSpec.axisOf(axis);
        // leaves split over this axis: d -> (n, d / n), mapped at d; with no split the input is replicated,
        // and an iota of the replicas (ignored) carries the mapped axis
        Object split = Tree.<Array, Object>mapLeavesOfType(Array.class, x -> inDim < 0 ? x : splitAxis(x, inDim, n), input);
        Object outAxes = outDim < 0 ? null : outDim;
        List<Object> inAxes = new ArrayList<>();
        inAxes.add(inDim < 0 ? null : inDim);
        inAxes.add(0);
        Object out = Vmap.applyTrees(args -> {
            Object local = level(f, name, mesh, inSpec, outSpec, args.get(0), meshAxis + 1);
            for (Array leaf : Tree.leavesOfType(local, Array.class)) checkSpec(name, "out", mesh, outSpec, leaf, meshAxis);
            return local;
        }, "shard_map(" + name + ")", inAxes, outAxes, new ArrayList<>(List.of(split, Lax.iota(io.jax4j.DType.I32, n))), axis);
        return outDim < 0 ? out : Tree.<Array, Object>mapLeavesOfType(Array.class, y -> mergeAxis(y, outDim), out);
    }

    private static Array splitAxis(Array x, int d, int n) {
        int[] s = x.shape();
        int[] out = new int[s.length + 1];
        for (int i = 0, j = 0; i < s.length; i++) {
            if (i == d) {
                out[j++] = n;
                out[j++] = s[i] / n;
            } else out[j++] = s[i];
        }
        return Lax.reshape(x, out);
    }

    private static Array mergeAxis(Array y, int d) {
        int[] s = y.shape();
        int[] out = new int[s.length - 1];
        for (int i = 0, j = 0; i < s.length; i++) {
            if (i == d) {
                out[j++] = s[i] * s[i + 1];
                i++;
            } else out[j++] = s[i];
        }
        return Lax.reshape(y, out);
    }

    private static void checkSpec(String name, String which, Mesh mesh, PartitionSpec spec, Array leaf) { checkSpec(name, which, mesh, spec, leaf, -1); }

    private static void checkSpec(String name, String which, Mesh mesh, PartitionSpec spec, Array leaf, int level) {
        if (spec.axes().size() > leaf.ndim()) {
            throw new Jax4jException("shard_map(" + name + "): " + which + "_specs " + spec.axes() + " has more entries than " + leaf.aval().str()
                    + " has axes");
        }
        for (int d = 0; d < spec.axes().size(); d++) {
            String m = spec.axes().get(d);
            if (m == null) continue;
            if (!mesh.axisNames().contains(m)) {
                throw new Jax4jException("shard_map(" + name + "): " + which + "_specs names the axis " + m + ", which " + mesh + " does not have");
            }
            if (level < 0 && leaf.dim(d) % mesh.size(m) != 0) {
                throw new Jax4jException("shard_map(" + name + "): axis " + d + " of the input " + leaf.aval().str() + " is split over " + m
                        + " of size " + mesh.size(m) + ", which does not divide " + leaf.dim(d));
            }
        }
    }
}
