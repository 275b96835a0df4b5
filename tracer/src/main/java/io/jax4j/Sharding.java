package io.jax4j;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How an array's elements are laid out over devices, as JAX's {@code jax.sharding.Sharding}: every
 * device holds the block of the array its index names ({@link #devicesIndicesMap}); blocks may repeat
 * (replication). {@link Array#sharding()} says an array's; {@code Jax.devicePut(x, sharding)} places one.
 */
public interface Sharding {
    /** The devices that hold a block, in the sharding's order. */
    List<Device> devices();

    /**
     * For an array of {@code shape}: per device, the {@code [start, stop)} range it holds along every
     * axis ({@code sharding.devices_indices_map(shape)}). Throws, naming the axis, where the layout
     * does not divide the shape.
     */
    Map<Device, int[][]> devicesIndicesMap(int[] shape);

    /** The shape of one device's block ({@code sharding.shard_shape(shape)}). */
    default int[] shardShape(int[] shape) {
        int[][] first = devicesIndicesMap(shape).values().iterator().next();
        int[] out = new int[shape.length];
        for (int d = 0; d < shape.length; d++) out[d] = first[d][1] - first[d][0];
        return out;
    }

    /** Whether every device holds the whole array. */
    default boolean isFullyReplicated(int[] shape) { return java.util.Arrays.equals(shardShape(shape), shape); }

    /** One device holds the whole array: the sharding of an array that was not placed with another. */
    record Single(Device device) implements Sharding {
        @Override
        public List<Device> devices() { return List.of(device); }

        @Override
        public Map<Device, int[][]> devicesIndicesMap(int[] shape) {
            int[][] all = new int[shape.length][];
            for (int d = 0; d < shape.length; d++) all[d] = new int[]{0, shape[d]};
            Map<Device, int[][]> out = new LinkedHashMap<>();
            out.put(device, all);
            return out;
        }

        @Override
        public String toString() { return "SingleDeviceSharding(" + device + ")"; }
    }

    /** One device's block of an array ({@code x.addressable_shards[i]}): the device, its index ranges and its data. */
    record Shard(Device device, int[][] index, Array data) {
        @Override
        public String toString() {
            StringBuilder s = new StringBuilder("Shard(" + device + ", [");
            for (int d = 0; d < index.length; d++) s.append(d == 0 ? "" : ", ").append(index[d][0]).append(':').append(index[d][1]);
            return s.append("], ").append(data.aval().str()).append(')').toString();
        }
    }
}
