package io.jax4j.autodiff;

import io.jax4j.Array;
import io.jax4j.core.Jax4jException;
import io.jax4j.tree.Tree;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A whole argument of {@code jit(f, staticArgnums)} carried as one static leaf: part of the cache
 * key by {@code equals} (arrays of Java values deeply), handed to the function unwrapped.
 */
final class StaticArgument {
    private final Object value;

    private StaticArgument(Object value) { this.value = value; }

    /** The arguments with each static one wrapped; an argument holding an array is refused. */
    static List<Object> wrap(String name, List<Object> args, Set<Integer> staticArgnums) {
        List<Object> out = new ArrayList<>(args);
        for (int i : staticArgnums) {
            Object v = args.get(i);
            for (Object leaf : Tree.leaves(v)) {
                if (leaf instanceof Array a) {
                    throw new Jax4jException("jit(" + name + "): static argument " + i + " holds an array " + a.aval().str()
                            + "; arrays cannot be static (JAX: non-hashable static arguments are not supported): pass it as a"
                            + " traced argument (remove " + i + " from staticArgnums), or pass the Java values it holds");
                }
            }
            out.set(i, new StaticArgument(v));
        }
        return out;
    }

    /** The arguments as the user's function expects them. */
    static List<Object> unwrap(List<Object> args) {
        List<Object> out = new ArrayList<>(args.size());
        for (Object a : args) out.add(a instanceof StaticArgument s ? s.value : a);
        return out;
    }

    @Override
    public boolean equals(Object o) { return o instanceof StaticArgument s && Objects.deepEquals(value, s.value); }

    @Override
    public int hashCode() { return Arrays.deepHashCode(new Object[]{value}); }

    @Override
    public String toString() { return "static " + value; }
}
