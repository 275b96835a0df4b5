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
        if (inAxes.size() != args.size()) {
            throw new Jax4jException("vmap(" + name + "): in_axes has " + inAxes.size() + " entries but the function got "
                    + args.size() + " arguments");
        }
        int size = -1;
        String sizeFrom = null;
        List<List<Object>> perArgLeaves = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            Integer ax = inAxes.get(i);
            List<Object> leaves = Tree.flatten(args.get(i)).leaves();
            perArgLeaves.add(leaves);
            if (ax == null) continue;
            for (Object leaf : leaves) {
                if (!(leaf instanceof Array a)) continue;
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
        BatchTrace trace = new BatchTrace("vmap(" + name + ")", size);
        List<Object> batchedArgs = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            Integer ax = inAxes.get(i);
            List<Object> leaves = new ArrayList<>();
            for (Object leaf : perArgLeaves.get(i)) {
                if (leaf instanceof Array a && ax != null) leaves.add(trace.wrap(a, ax < 0 ? ax + a.ndim() : ax));
                else leaves.add(leaf);
            }
            batchedArgs.add(Tree.unflatten(Tree.flatten(args.get(i)).def(), leaves));
        }
        Object out = trace.run(() -> f.apply(batchedArgs));
        Tree.Flat flat = Tree.flatten(out);
        List<Object> outLeaves = new ArrayList<>();
        for (Object leaf : flat.leaves()) {
            if (leaf instanceof Array a) {
                int axis = outAxis < 0 ? outAxis + a.ndim() + 1 : outAxis;
                outLeaves.add(trace.unwrapTo(a, axis));
            } else outLeaves.add(leaf);
        }
        trace.finish();
        return Tree.unflatten(flat.def(), outLeaves);
    }
}
