package io.jax4j.core;

import io.jax4j.Array;
import io.jax4j.tree.Tree;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * {@code vmap} over pytree arguments: {@code inAxes[i]} is the mapped axis of every array leaf of
 * argument i ({@code null}: broadcast, not mapped); outputs get their batch axis at {@code outAxis}.
 */
public final class Vmap {
    private Vmap() {}

    public static Object apply(Function<List<Object>, Object> f, String name, List<Integer> inAxes, int outAxis, List<Object> args) {
        return applyTrees(f, name, inAxes, outAxis, args);
    }

    /**
     * JAX's {@code vmap} with pytree axes: {@code inAxes[i]} is an axis, {@code null}, or a pytree
     * prefix of argument i whose leaves are axes or {@code null} (applied to every leaf below them);
     * {@code outAxes} likewise for the output, where {@code null} marks an output that does not
     * depend on the mapped inputs and is returned without a batch axis.
     */
    public static Object applyTrees(Function<List<Object>, Object> f, String name, List<?> inAxes, Object outAxes, List<Object> args) {
        return applyTrees(f, name, inAxes, outAxes, args, null);
    }

    /** {@link #applyTrees} with the mapped axis named {@code axisName} (null: unnamed), for collectives inside {@code f}. */
    public static Object applyTrees(Function<List<Object>, Object> f, String name, List<?> inAxes, Object outAxes, List<Object> args,
                                    String axisName) {
        return applyTrees(f, name, inAxes, outAxes, args, axisName, null);
    }

    /**
     * {@link #applyTrees} with a named axis that continues in the other processes of {@code span}
     * (each process maps its own entries; collectives over the name reach all of them): {@code pmap}
     * in a multi-process run.
     */
    public static Object applyTrees(Function<List<Object>, Object> f, String name, List<?> inAxes, Object outAxes, List<Object> args,
                                    String axisName, io.jax4j.spi.ProcessGroup span) {
        if (inAxes.size() != args.size()) {
            throw new Jax4jException("vmap(" + name + "): in_axes has " + inAxes.size() + " entries but the function got "
                    + args.size() + " arguments");
        }
        int size = -1;
        String sizeFrom = null;
        List<List<Object>> perArgLeaves = new ArrayList<>();
        List<List<Integer>> perArgAxes = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            List<Object> leaves = Tree.flatten(args.get(i)).leaves();
            List<Integer> axes = leafAxes("vmap(" + name + "): in_axes for argument " + i, inAxes.get(i), args.get(i), leaves.size());
            perArgLeaves.add(leaves);
            perArgAxes.add(axes);
            for (int k = 0; k < leaves.size(); k++) {
                Integer ax = axes.get(k);
                if (ax == null || !(leaves.get(k) instanceof Array a)) continue;
                int axis = ax < 0 ? ax + a.ndim() : ax;
                if (axis < 0 || axis >= a.ndim()) {
                    throw new Jax4jException("vmap(" + name + "): in_axes " + ax + " for argument " + i + " of shape "
                            + a.aval().str() + " is out of range");
                }
                if (size < 0) {
                    size = a.dim(axis);
                    sizeFrom = "argument " + i + " " + a.aval().str() + " axis " + axis;
                } else if (a.dim(axis) != size) {
                    throw new Jax4jException("vmap(" + name + ") got inconsistent sizes for the mapped axis: " + sizeFrom
                            + " has size " + size + " but argument " + i + " " + a.aval().str() + " axis " + axis
                            + " has size " + a.dim(axis));
                }
            }
        }
        if (size < 0) throw new Jax4jException("vmap(" + name + "): no argument is mapped (all in_axes are None); nothing to vectorise");
        BatchTrace trace = new BatchTrace("vmap(" + name + ")", size, axisName, span);
        List<Object> batchedArgs = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            List<Object> leaves = new ArrayList<>();
            for (int k = 0; k < perArgLeaves.get(i).size(); k++) {
                Object leaf = perArgLeaves.get(i).get(k);
                Integer ax = perArgAxes.get(i).get(k);
                if (leaf instanceof Array a && ax != null) leaves.add(trace.wrap(a, ax < 0 ? ax + a.ndim() : ax));
                else leaves.add(leaf);
            }
            batchedArgs.add(Tree.unflatten(Tree.flatten(args.get(i)).def(), leaves));
        }
        Object out = trace.run(() -> f.apply(batchedArgs));
        Tree.Flat flat = Tree.flatten(out);
        List<Integer> outLeafAxes = leafAxes("vmap(" + name + "): out_axes", outAxes, out, flat.leaves().size());
        List<Object> outLeaves = new ArrayList<>();
        for (int k = 0; k < flat.leaves().size(); k++) {
            Object leaf = flat.leaves().get(k);
            Integer ax = outLeafAxes.get(k);
            if (!(leaf instanceof Array a)) {
                outLeaves.add(leaf);
            } else if (ax == null) {
                if (trace.isMapped(a)) {
                    throw new Jax4jException("vmap(" + name + "): out_axes is None for the output at " + flat.def().leafPaths().get(k)
                            + " " + a.aval().str() + ", but it depends on the mapped inputs; give it an axis");
                }
                outLeaves.add(a);
            } else {
                int axis = ax < 0 ? ax + a.ndim() + 1 : ax;
                outLeaves.add(trace.unwrapTo(a, axis));
            }
        }
        trace.finish();
        return Tree.unflatten(flat.def(), outLeaves);
    }

    /** One axis (or null) per leaf of {@code tree}: an axis spec that is an Integer or null applies to all; else a prefix tree of them. */
    private static List<Integer> leafAxes(String context, Object spec, Object tree, int leafCount) {
        List<Integer> out = new ArrayList<>(leafCount);
        if (spec == null || spec instanceof Integer) {
            for (int k = 0; k < leafCount; k++) out.add((Integer) spec);
            return out;
        }
        Tree.Flat prefix = Tree.flatten(spec, x -> x == null || x instanceof Integer || x instanceof Array);
        for (Object axis : prefix.leaves()) {
            if (axis != null && !(axis instanceof Integer)) {
                throw new Jax4jException(context + ": the leaves of an axes tree are axes (Integer) or null, got " + axis.getClass().getSimpleName());
            }
        }
        List<Object> subtrees;
        try {
            subtrees = Tree.flattenUpTo(prefix.def(), tree);
        } catch (io.jax4j.tree.TreeStructureError e) {
            throw new Jax4jException(context + " is not a prefix of its structure: " + e.getMessage());
        }
        for (int s = 0; s < subtrees.size(); s++) {
            int n = Tree.flatten(subtrees.get(s)).leaves().size();
            for (int k = 0; k < n; k++) out.add((Integer) prefix.leaves().get(s));
        }
        return out;
    }
}
