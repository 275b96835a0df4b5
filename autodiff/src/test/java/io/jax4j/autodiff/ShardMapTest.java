package io.jax4j.autodiff;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Lax;
import io.jax4j.Np;
import io.jax4j.core.Jax4jException;
import io.vavr.Function1;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** shard_map over a mesh: blocks per replica, collectives over mesh axes, outputs put back by their specs. */
class ShardMapTest {
    private static final Array X = Np.reshape(Np.astype(Np.arange(24), DType.F32), 8, 3);

    @Test
    void blocksAreProcessedPerReplicaAndReassembled() {
        Mesh mesh = Mesh.of("data", 4);
        // each replica sees 2 rows; doubling them and reassembling is doubling the whole
        Array doubled = Jax.shardMap((Array x) -> Np.multiply(x, Array.scalar(2f)), mesh, PartitionSpec.of("data"), PartitionSpec.of("data")).apply(X);
        assertArrayEquals(Np.multiply(X, Array.scalar(2f)).toFloatArray(), doubled.toFloatArray());
        // a psum over "data" is replicated: out spec P() returns one copy, the column sums
        Array total = Jax.shardMap((Array x) -> Lax.psum(Np.sum(x, 0), "data"), mesh, PartitionSpec.of("data"), PartitionSpec.of()).apply(X);
        assertArrayEquals(Np.sum(X, 0).toFloatArray(), total.toFloatArray());
        // each replica's block shape is the local shape
        Array shapes = Jax.shardMap((Array x) -> Np.reshape(Array.of((float) x.dim(0), (float) x.dim(1)), 1, 2), mesh,
                PartitionSpec.of("data"), PartitionSpec.of("data")).apply(X);
        assertArrayEquals(new float[]{2, 3, 2, 3, 2, 3, 2, 3}, shapes.toFloatArray());
    }

    @Test
    void twoMeshAxes() {
        Mesh mesh = Mesh.of(List.of("rows", "cols"), 2, 3);
        // split rows over "rows" and columns over "cols": each replica gets a 4 x 1 block; the sum over both axes
        Function1<Array, Array> f = Jax.shardMap((Array x) -> Lax.psum(Lax.psum(Np.sum(x), "rows"), "cols"), mesh, PartitionSpec.of("rows", "cols"),
                PartitionSpec.of());
        assertArrayEquals(new float[]{(float) Np.sum(X).item()}, Np.reshape(f.apply(X), 1).toFloatArray());
        // axis_index along each axis, reassembled into the mesh layout
        Array index = Jax.shardMap((Array x) -> Np.reshape(Np.add(Np.multiply(Lax.axisIndex("rows"), Array.scalar(10)), Lax.axisIndex("cols")), 1, 1),
                mesh, PartitionSpec.of("rows", "cols"), PartitionSpec.of("rows", "cols")).apply(X);
        assertArrayEquals(new float[]{0, 1, 2, 10, 11, 12}, Np.astype(index, DType.F32).toFloatArray());
    }

    @Test
    void anInputReplicatedAlongAMeshAxis() {
        // the mesh axis "data" is not in the spec: every replica sees the whole array
        Array out = Jax.shardMap((Array x) -> Np.reshape(Np.sum(x), 1), Mesh.of("data", 4), PartitionSpec.of(), PartitionSpec.of("data")).apply(X);
        float s = (float) Np.sum(X).item();
        assertArrayEquals(new float[]{s, s, s, s}, out.toFloatArray());
    }

    @Test
    void errorsSayWhatDoesNotFit() {
        Mesh mesh = Mesh.of("data", 3);
        Jax4jException e = assertThrows(Jax4jException.class,
                () -> Jax.shardMap((Array x) -> x, mesh, PartitionSpec.of("data"), PartitionSpec.of("data")).apply(X));
        assertTrue(e.getMessage().contains("does not divide 8"), e.getMessage());
        e = assertThrows(Jax4jException.class, () -> Jax.shardMap((Array x) -> x, mesh, PartitionSpec.of("model"), PartitionSpec.of()).apply(X));
        assertTrue(e.getMessage().contains("does not have"), e.getMessage());
        e = assertThrows(Jax4jException.class,
                () -> Jax.shardMap((Array x) -> x, Mesh.of("data", 4), PartitionSpec.of("data"), PartitionSpec.of()).apply(X));
        assertTrue(e.getMessage().contains("depends on the mapped inputs"), "an unreplicated output declared replicated: " + e.getMessage());
    }
}
