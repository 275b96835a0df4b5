package io.jax4j.autodiff;

import io.jax4j.Array;
import io.jax4j.Device;
import io.jax4j.Lax;
import io.jax4j.Np;
import io.jax4j.Random;
import io.jax4j.Sharding;
import io.jax4j.core.Jax4jException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code jax.make_mesh}, {@code NamedSharding}, {@code device_put(x, sharding)} and jit over sharded
 * arrays, on the 4 virtual host devices the build gives tests: each device's block against the slice
 * of the array it must hold, and the shardings jit gives its outputs against what XLA's propagation gives.
 */
class ShardingTest {
    private static final Array X = Random.normal(Random.key(0), 8, 6);

    @Test
    void aMeshLaysTheDevicesOutRowMajorAndNamedShardingSaysWhichBlockEachHolds() {
        Mesh mesh = Jax.makeMesh(new int[]{2, 2}, "data", "model");
        assertEquals(Jax.devices().subList(0, 4), mesh.devices());
        Array x = Jax.devicePut(X, new NamedSharding(mesh, PartitionSpec.of("data", "model")));
        assertEquals(new NamedSharding(mesh, PartitionSpec.of("data", "model")), x.sharding());
        assertArrayEquals(new int[]{4, 3}, x.sharding().shardShape(x.shape()));
        List<Sharding.Shard> shards = x.addressableShards();
        assertEquals(4, shards.size());
        int[][] rows = {{0, 4}, {0, 4}, {4, 8}, {4, 8}}, cols = {{0, 3}, {3, 6}, {0, 3}, {3, 6}};
        for (int k = 0; k < 4; k++) {
            Sharding.Shard s = shards.get(k);
            assertEquals(mesh.devices().get(k), s.device());
            assertArrayEquals(rows[k], s.index()[0], "device " + k + " rows");
            assertArrayEquals(cols[k], s.index()[1], "device " + k + " columns");
            assertArrayEquals(Lax.slice(X, new int[]{rows[k][0], cols[k][0]}, new int[]{rows[k][1], cols[k][1]}).toFloatArray(), s.data().toFloatArray());
        }
        assertArrayEquals(X.toFloatArray(), x.toFloatArray(), "the values are the array's");

        // split over "data" only: devices along "model" hold the same block
        Array y = Jax.devicePut(X, new NamedSharding(mesh, PartitionSpec.of("data")));
        assertArrayEquals(y.addressableShards().get(0).data().toFloatArray(), y.addressableShards().get(1).data().toFloatArray());
        assertTrue(Jax.devicePut(X, NamedSharding.replicated(mesh)).sharding().isFullyReplicated(X.shape()));
        assertEquals(new Sharding.Single(Device.CPU), X.sharding(), "an array never placed is on its device alone");
    }

    @Test
    void badMeshesAndSpecsAreErrorsThatNameTheProblem() {
        String tooMany = assertThrows(Jax4jException.class, () -> Jax.makeMesh(new int[]{16}, "data")).getMessage();
        assertTrue(tooMany.contains("needs 16 devices") && tooMany.contains("jax4j.cpuDevices=16"), tooMany);
        Mesh mesh = Jax.makeMesh(new int[]{4}, "data");
        String uneven = assertThrows(Jax4jException.class,
                () -> Jax.devicePut(Random.normal(Random.key(1), 6, 2), new NamedSharding(mesh, PartitionSpec.of("data")))).getMessage();
        assertTrue(uneven.contains("axis 0") && uneven.contains("does not divide 6"), uneven);
        String unknown = assertThrows(Jax4jException.class, () -> new NamedSharding(mesh, PartitionSpec.of("model"))).getMessage();
        assertTrue(unknown.contains("'model'"), unknown);
        String abstractMesh = assertThrows(Jax4jException.class, () -> new NamedSharding(Mesh.of("data", 4), PartitionSpec.of("data"))).getMessage();
        assertTrue(abstractMesh.contains("Jax.makeMesh"), abstractMesh);
        String rank = assertThrows(Jax4jException.class,
                () -> Jax.devicePut(Array.scalar(1f), new NamedSharding(mesh, PartitionSpec.of("data")))).getMessage();
        assertTrue(rank.contains("1 entries"), rank);
    }

    @Test
    void jitPlacesItsOutputsAsShardingPropagationWould() {
        Mesh mesh = Jax.makeMesh(new int[]{4}, "data");
        NamedSharding rows = new NamedSharding(mesh, PartitionSpec.of("data"));
        Array x = Jax.devicePut(X, rows);
        Array w = Random.normal(Random.key(2), 6, 5);

        Array elementwise = Jax.jit((Array a) -> Np.multiply(Np.tanh(a), Array.scalar(2f))).apply(x);
        assertEquals(rows, elementwise.sharding(), "elementwise ops keep the rows where they are");
        assertArrayEquals(Np.multiply(Np.tanh(X), Array.scalar(2f)).toFloatArray(), elementwise.toFloatArray(), 1e-6f);

        Array product = Jax.jit((Array a, Array b) -> Nn2.relu(Np.matmul(a, b))).apply(x, w);
        assertEquals(rows, product.sharding(), "a matrix product keeps the batch rows' split");
        assertArrayEquals(Nn2.relu(Np.matmul(X, w)).toFloatArray(), product.toFloatArray(), 1e-5f);

        Array transposed = Jax.jit((Array a) -> Np.transpose(a)).apply(x);
        assertEquals(new NamedSharding(mesh, PartitionSpec.of(null, "data")), transposed.sharding());

        Array columnSums = Jax.jit((Array a) -> Np.sum(a, 0)).apply(x);
        assertEquals(NamedSharding.replicated(mesh), columnSums.sharding(), "a sum over the split axis is replicated");
        Array rowSums = Jax.jit((Array a) -> Np.sum(a, 1)).apply(x);
        assertEquals(rows, rowSums.sharding(), "a sum along the rows keeps their split");

        // explicit in_shardings / out_shardings
        var placed = Jax.jit((Array a) -> Np.exp(a), JitOptions.shardings(List.of(rows), NamedSharding.replicated(mesh)));
        Array out = placed.apply(X);
        assertEquals(NamedSharding.replicated(mesh), out.sharding());
        assertArrayEquals(Np.exp(X).toFloatArray(), out.toFloatArray(), 1e-6f);
        var inOnly = Jax.jit((Array a) -> Np.exp(a), JitOptions.shardings(List.of(rows), null));
        assertEquals(rows, inOnly.apply(X).sharding(), "an input placed by in_shardings propagates");

        Mesh other = Jax.makeMesh(new int[]{2}, "data");
        Array z = Jax.devicePut(X, new NamedSharding(other, PartitionSpec.of("data")));
        String mixed = assertThrows(Jax4jException.class, () -> Jax.jit((Array a, Array b) -> Np.add(a, b)).apply(x, z)).getMessage();
        assertTrue(mixed.contains("different meshes"), mixed);
    }

    @Test
    void jitOfShardMapPlacesItsOutputsByItsOutSpec() {
        Mesh mesh = Jax.makeMesh(new int[]{4}, "data");
        NamedSharding rows = new NamedSharding(mesh, PartitionSpec.of("data"));
        // per block: the block minus the mean over every block (a pmean across the mesh)
        io.vavr.Function1<Array, Array> centred = Jax.shardMap((Array b) -> Np.subtract(b, Lax.pmean(Np.mean(b, new int[]{0}, true), "data")), mesh, PartitionSpec.of("data"),
                PartitionSpec.of("data"));
        Array x = Jax.devicePut(X, rows);
        Array eager = centred.apply(x);
        Array jitted = Jax.jit(centred).apply(x);
        assertEquals(rows, eager.sharding());
        assertEquals(rows, jitted.sharding());
        Array expected = Np.subtract(X, Np.mean(X, new int[]{0}, true));
        assertArrayEquals(expected.toFloatArray(), jitted.toFloatArray(), 1e-5f);
        assertArrayEquals(expected.toFloatArray(), eager.toFloatArray(), 1e-5f);
    }

    /** relu without depending on the nn module. */
    private static final class Nn2 {
        static Array relu(Array a) { return Np.maximum(a, Array.scalar(0f)); }
    }
}
