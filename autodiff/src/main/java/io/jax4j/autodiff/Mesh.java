package io.jax4j.autodiff;

import io.jax4j.Device;
import io.jax4j.core.Jax4jException;

import java.util.Arrays;
import java.util.List;

/**
 * {@code jax.sharding.Mesh}: named axes of replicas, e.g. {@code Mesh.of("data", 4)} or
 * {@code Mesh.of(List.of("data", "model"), 2, 2)}. Made that way it is abstract (JAX's
 * {@code AbstractMesh}): its replicas are the entries of a batched program in this process
 * ({@link Jax#shardMap}). {@link Jax#makeMesh} lays real devices out on it (row-major over the
 * axes), as {@code jax.make_mesh} does, for {@link NamedSharding}s.
 */
public record Mesh(List<String> axisNames, int[] shape, List<Device> devices) {
    public Mesh {
        axisNames = List.copyOf(axisNames);
        shape = shape.clone();
        devices = List.copyOf(devices);
        if (axisNames.size() != shape.length) {
            throw new Jax4jException("Mesh: " + axisNames.size() + " axis names for a shape of " + shape.length + " axes " + Arrays.toString(shape));
        }
        if (axisNames.stream().distinct().count() != axisNames.size()) throw new Jax4jException("Mesh: axis names repeat: " + axisNames);
        for (int s : shape) if (s < 1) throw new Jax4jException("Mesh: every axis needs at least one replica, got " + Arrays.toString(shape));
        int n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        if (!devices.isEmpty() && devices.size() != n) {
            throw new Jax4jException("Mesh: a mesh of shape " + Arrays.toString(shape) + " needs " + n + " devices, got " + devices.size());
        }
        if (devices.stream().distinct().count() != devices.size()) throw new Jax4jException("Mesh: devices repeat: " + devices);
    }

    /** An abstract mesh (no devices). */
    public Mesh(List<String> axisNames, int[] shape) { this(axisNames, shape, List.of()); }

    /** A one-axis abstract mesh. */
    public static Mesh of(String axisName, int size) { return new Mesh(List.of(axisName), new int[]{size}); }

    /** An abstract mesh of several named axes. */
    public static Mesh of(List<String> axisNames, int... shape) { return new Mesh(axisNames, shape); }

    /** The number of replicas along {@code axisName}. */
    public int size(String axisName) {
        int i = axisNames.indexOf(axisName);
        if (i < 0) throw new Jax4jException("Mesh: no axis named " + axisName + " in " + axisNames);
        return shape[i];
    }

    /** The number of replicas (devices) in the whole mesh. */
    public int size() { return Arrays.stream(shape).reduce(1, (a, b) -> a * b); }

    /** Whether devices are laid out on it ({@link Jax#makeMesh}). */
    public boolean hasDevices() { return !devices.isEmpty(); }

    /** The coordinates of the {@code k}-th device along every mesh axis (row-major). */
    int[] coordinates(int k) {
        int[] c = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            c[d] = k % shape[d];
            k /= shape[d];
        }
        return c;
    }

    @Override
    public int[] shape() { return shape.clone(); }

    @Override
    public boolean equals(Object o) {
        return o instanceof Mesh m && axisNames.equals(m.axisNames) && Arrays.equals(shape, m.shape) && devices.equals(m.devices);
    }

    @Override
    public int hashCode() { return (axisNames.hashCode() * 31 + Arrays.hashCode(shape)) * 31 + devices.hashCode(); }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("Mesh(");
        for (int i = 0; i < shape.length; i++) s.append(i == 0 ? "" : ", ").append('\'').append(axisNames.get(i)).append("': ").append(shape[i]);
        if (!devices.isEmpty()) s.append("; devices ").append(devices);
        return s.append(')').toString();
    }
}
