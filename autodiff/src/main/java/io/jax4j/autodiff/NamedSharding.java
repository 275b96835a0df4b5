package io.jax4j.autodiff;

import io.jax4j.Device;
import io.jax4j.Sharding;
import io.jax4j.core.Jax4jException;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code jax.sharding.NamedSharding(mesh, spec)}: array axis d is split in equal blocks over the mesh
 * axis {@code spec[d]} names (whole where it names none); devices along the mesh axes no spec entry
 * names hold the same blocks (replication). The mesh must have devices ({@link Jax#makeMesh}).
 */
public record NamedSharding(Mesh mesh, PartitionSpec spec) implements Sharding {
    public NamedSharding {
        if (!mesh.hasDevices()) {
            throw new Jax4jException("NamedSharding: " + mesh + " has no devices; make it with Jax.makeMesh(shape, names), which lays the devices out");
        }
        for (String a : spec.axes()) {
            if (a != null && !mesh.axisNames().contains(a)) {
                throw new Jax4jException("NamedSharding: the spec " + spec + " names the axis '" + a + "', which " + mesh + " does not have");
            }
        }
    }

    /** {@code NamedSharding(mesh, P())}: every device holds the whole array. */
    public static NamedSharding replicated(Mesh mesh) { return new NamedSharding(mesh, PartitionSpec.of()); }

    @Override
    public List<Device> devices() { return mesh.devices(); }

    @Override
    public Map<Device, int[][]> devicesIndicesMap(int[] shape) {
        check(shape);
        Map<Device, int[][]> out = new LinkedHashMap<>();
        List<String> names = mesh.axisNames();
        int[] meshShape = mesh.shape();
        for (int k = 0; k < mesh.size(); k++) {
            int[] c = mesh.coordinates(k);
            int[][] ix = new int[shape.length][];
            for (int d = 0; d < shape.length; d++) {
                String m = d < spec.axes().size() ? spec.axes().get(d) : null;
                if (m == null) {
                    ix[d] = new int[]{0, shape[d]};
                } else {
                    int i = names.indexOf(m), block = shape[d] / meshShape[i];
                    ix[d] = new int[]{c[i] * block, (c[i] + 1) * block};
                }
            }
            out.put(mesh.devices().get(k), ix);
        }
        return out;
    }

    private void check(int[] shape) {
        if (spec.axes().size() > shape.length) {
            throw new Jax4jException("NamedSharding: the spec " + spec + " has " + spec.axes().size() + " entries for an array of shape "
                    + Arrays.toString(shape) + " (" + shape.length + " axes)");
        }
        for (int d = 0; d < spec.axes().size(); d++) {
            String m = spec.axes().get(d);
            if (m != null && shape[d] % mesh.size(m) != 0) {
                throw new Jax4jException("NamedSharding: axis " + d + " of an array of shape " + Arrays.toString(shape) + " is split over '" + m
                        + "' of size " + mesh.size(m) + ", which does not divide " + shape[d] + "; pad the array or choose another spec");
            }
        }
    }

    @Override
    public String toString() { return "NamedSharding(" + mesh + ", " + spec + ")"; }
}
