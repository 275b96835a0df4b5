package io.jax4j.autodiff;

import io.jax4j.core.Jax4jException;

import java.util.Arrays;
import java.util.List;

/**
 * {@code jax.sharding.Mesh}: named axes of replicas, e.g. {@code Mesh.of("data", 4)} or
 * {@code Mesh.of(List.of("data", "model"), 2, 2)}. Here the replicas are the entries of a batched
 * program in this process ({@link Jax#shardMap}), not physical devices.
 */
public record Mesh(List<String> axisNames, int[] shape) {
    public Mesh {
        axisNames = List.copyOf(axisNames);
        shape = shape.clone();
        if (axisNames.size() != shape.length) {
            throw new Jax4jException("Mesh: " + axisNames.size() + " axis names for a shape of " + shape.length + " axes " + Arrays.toString(shape));
        }
        if (axisNames.stream().distinct().count() != axisNames.size()) throw new Jax4jException("Mesh: axis names repeat: " + axisNames);
        for (int s : shape) if (s < 1) throw new Jax4jException("Mesh: every axis needs at least one replica, got " + Arrays.toString(shape));
    }

    /** A one-axis mesh. */
    public static Mesh of(String axisName, int size) { return new Mesh(List.of(axisName), new int[]{size}); }

    /** A mesh of several named axes. */
    public static Mesh of(List<String> axisNames, int... shape) { return new Mesh(axisNames, shape); }

    /** The number of replicas along {@code axisName}. */
    public int size(String axisName) {
        int i = axisNames.indexOf(axisName);
        if (i < 0) throw new Jax4jException("Mesh: no axis named " + axisName + " in " + axisNames);
        return shape[i];
    }

    @Override
    public int[] shape() { return shape.clone(); }

    @Override
    public boolean equals(Object o) { return o instanceof Mesh m && axisNames.equals(m.axisNames) && Arrays.equals(shape, m.shape); }

    @Override
    public int hashCode() { return axisNames.hashCode() * 31 + Arrays.hashCode(shape); }

    @Override
    public String toString() { return "Mesh(" + axisNames + ", " + Arrays.toString(shape) + ")"; }
}
