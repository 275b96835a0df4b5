package io.jax4j.autodiff;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.ShapedArray;
import io.jax4j.core.ArrayImpl;
import io.jax4j.core.Jax4jException;
import io.jax4j.tree.KeyPath;
import io.jax4j.tree.Tree;
import io.jax4j.tree.TreeDef;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Pytree-level reverse mode: flattens the differentiated arguments, differentiates with respect to
 * their floating-point array leaves, and rebuilds gradients in the arguments' structure (static,
 * non-array leaves are kept as they are).
 */
final class Differentiate {
    private Differentiate() {}

    record Result(Array value, Object aux, List<Object> grads) {}

    /** The value of {@code f(args)} (and its aux) and the gradients with respect to {@code args[argnums]}. */
    static Result valueAndGrad(String name, Function<List<Object>, Object> f, List<Object> args, int[] argnums, boolean hasAux) {
        List<Tree.Flat> flats = new ArrayList<>();
        List<List<Integer>> diffPositions = new ArrayList<>();
        List<Array> primals = new ArrayList<>();
        for (int argnum : argnums) {
            if (argnum < 0 || argnum >= args.size()) {
                throw new Jax4jException("grad(" + name + "): argnums " + argnum + " is out of range for a function of " + args.size() + " arguments");
            }
            Tree.Flat flat = Tree.flatten(args.get(argnum));
            flats.add(flat);
            List<Integer> pos = new ArrayList<>();
            List<KeyPath> paths = flat.def().leafPaths();
            for (int i = 0; i < flat.leaves().size(); i++) {
                if (flat.leaves().get(i) instanceof Array a) {
                    if (!a.dtype().isFloating()) {
                        throw new Jax4jException("grad(" + name + ") requires floating-point inputs, but argument " + argnum
                                + (paths.get(i).isRoot() ? "" : " leaf " + paths.get(i)) + " is " + a.aval().str()
                                + ". Differentiate with respect to the float parameters only (pass the integer data as another argument).");
                    }
                    pos.add(i);
                    primals.add(a);
                }
            }
            diffPositions.add(pos);
        }
        Object[] auxHolder = new Object[1];
        TreeDef[] auxDef = new TreeDef[1];
        Function<List<Array>, List<Array>> flatFn = xs -> {
            List<Object> newArgs = new ArrayList<>(args);
            int k = 0;
            for (int j = 0; j < argnums.length; j++) {
                List<Object> leaves = new ArrayList<>(flats.get(j).leaves());
                for (int pos : diffPositions.get(j)) leaves.set(pos, xs.get(k++));
                newArgs.set(argnums[j], Tree.unflatten(flats.get(j).def(), leaves));
            }
            Object out = f.apply(newArgs);
            Array value;
            List<Array> outs = new ArrayList<>();
            if (hasAux) {
                if (!(out instanceof HasAux<?> ha)) {
                    throw new Jax4jException("valueAndGradWithAux(" + name + "): the function must return HasAux.of(value, aux), got "
                            + (out == null ? "null" : out.getClass().getSimpleName()));
                }
                value = ha.value();
                Tree.Flat auxFlat = Tree.flatten(ha.aux());
                auxDef[0] = auxFlat.def();
                auxHolder[0] = auxFlat.leaves();
                outs.add(checkScalar(name, value));
                for (Object leaf : auxFlat.leaves()) if (leaf instanceof Array a) outs.add(a);
            } else {
                if (!(out instanceof Array a)) {
                    throw new Jax4jException("grad(" + name + "): the function must return a scalar Array, got "
                            + (out == null ? "null" : out.getClass().getSimpleName())
                            + (out instanceof HasAux<?> ? " (use valueAndGradWithAux for functions returning HasAux)" : ""));
                }
                outs.add(checkScalar(name, a));
            }
            return outs;
        };
        Linearize.Linearized lin = Linearize.linearize(name, flatFn, primals);
        Array value = lin.primalsOut().getFirst();
        List<Array> cts = new ArrayList<>();
        cts.add(ones(value.aval()));
        for (int i = 1; i < lin.primalsOut().size(); i++) cts.add(null);
        List<Array> gradsFlat = lin.transpose(cts);
        Object aux = null;
        if (hasAux) {
            @SuppressWarnings("unchecked")
            List<Object> auxLeaves = new ArrayList<>((List<Object>) auxHolder[0]);
            int k = 1;
            for (int i = 0; i < auxLeaves.size(); i++) if (auxLeaves.get(i) instanceof Array) auxLeaves.set(i, lin.primalsOut().get(k++));
            aux = Tree.unflatten(auxDef[0], auxLeaves);
        }
        List<Object> grads = new ArrayList<>();
        int k = 0;
        for (int j = 0; j < argnums.length; j++) {
            List<Object> leaves = new ArrayList<>(flats.get(j).leaves());
            for (int pos : diffPositions.get(j)) {
                Array g = gradsFlat.get(k++);
                Array primal = (Array) leaves.get(pos);
                leaves.set(pos, io.jax4j.Lax.convertElementType(g, primal.dtype(), primal.aval().weakType()));
            }
            grads.add(Tree.unflatten(flats.get(j).def(), leaves));
        }
        return new Result(value, aux, grads);
    }

    private static Array checkScalar(String name, Array value) {
        if (value.ndim() != 0 || !value.dtype().isFloating()) {
            throw new Jax4jException("grad(" + name + ") requires a real scalar output, but the function returned "
                    + value.aval().str() + ". For a non-scalar output, reduce it first (for example Np.sum(...)), "
                    + "or use jacrev/vjp to get the Jacobian.");
        }
        return value;
    }

    static Array ones(ShapedArray aval) {
        DType dt = aval.dtype();
        return ArrayImpl.ofDoubles(new ShapedArray(dt, aval.shape(), false), filled(aval.size()));
    }

    private static double[] filled(long n) {
        double[] d = new double[Math.toIntExact(n)];
        java.util.Arrays.fill(d, 1.0);
        return d;
    }
}
