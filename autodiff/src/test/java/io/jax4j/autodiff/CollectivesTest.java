package io.jax4j.autodiff;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Lax;
import io.jax4j.Np;
import io.jax4j.Random;
import io.jax4j.core.Jax4jException;
import io.vavr.Function1;
import io.vavr.Function2;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Collectives over named axes under vmap/pmap, against loops over the replicas; data-parallel gradients. */
class CollectivesTest {
    private static final Array X = Np.reshape(Np.astype(Np.arange(12), DType.F32), 4, 3);     // 4 replicas of f32[3]

    @Test
    void reductionsAreTheSameOnEveryReplica() {
        Array sum = Np.sum(X, 0), max = Np.max(X, 0);
        Array ps = Jax.pmap((Array x) -> Lax.psum(x, "i"), "i").apply(X);
        Array pm = Jax.pmap((Array x) -> Lax.pmean(x, "i"), "i").apply(X);
        Array px = Jax.pmap((Array x) -> Lax.pmax(x, "i"), "i").apply(X);
        Array pn = Jax.pmap((Array x) -> Lax.pmin(x, "i"), "i").apply(X);
        for (int r = 0; r < 4; r++) {
            assertArrayEquals(sum.toFloatArray(), ps.get(r).toFloatArray(), "psum, replica " + r);
            assertArrayEquals(Np.divide(sum, Array.scalar(4f)).toFloatArray(), pm.get(r).toFloatArray(), "pmean, replica " + r);
            assertArrayEquals(max.toFloatArray(), px.get(r).toFloatArray(), "pmax, replica " + r);
            assertArrayEquals(Np.min(X, 0).toFloatArray(), pn.get(r).toFloatArray(), "pmin, replica " + r);
        }
        // a replicated (unmapped) value summed over 4 replicas is 4 times itself
        Array constant = Jax.pmap((Array x) -> Lax.psum(Array.scalar(2f), "i"), "i").apply(X);
        assertArrayEquals(new float[]{8f, 8f, 8f, 8f}, constant.toFloatArray());
    }

    @Test
    void psumScatterKeepsEachReplicasBlockOfTheSum() {
        Array x = Np.reshape(Np.astype(Np.arange(4 * 4 * 3), DType.F32), 4, 4, 3);   // 4 replicas of f32[4, 3]
        Array sum = Np.sum(x, 0);                                                      // f32[4, 3]
        Array scattered = Jax.pmap((Array v) -> Lax.psumScatter(v, "i"), "i").apply(x);
        assertArrayEquals(new int[]{4, 3}, scattered.shape());
        for (int r = 0; r < 4; r++) assertArrayEquals(sum.get(r).toFloatArray(), scattered.get(r).toFloatArray(), "replica " + r + " keeps row r");
        // tiled along dimension 1 of f32[2, 8]: replica r keeps columns [2r, 2r + 2)
        Array y = Np.reshape(Np.astype(Np.arange(4 * 2 * 8), DType.F32), 4, 2, 8);
        Array tiled = Jax.jit(Jax.pmap((Array v) -> Lax.psumScatter(v, "i", 1, true), "i")).apply(y);
        assertArrayEquals(new int[]{4, 2, 2}, tiled.shape());
        Array ysum = Np.sum(y, 0);
        for (int r = 0; r < 4; r++) {
            assertArrayEquals(Lax.slice(ysum, new int[]{0, 2 * r}, new int[]{2, 2 * r + 2}).toFloatArray(), tiled.get(r).toFloatArray(), "tiled, replica " + r);
        }
        // psum_scatter then all_gather is psum (an all-reduce in two halves)
        Array twoHalves = Jax.pmap((Array v) -> Lax.allGather(Lax.psumScatter(v, "i", 0, true), "i", 0, true), "i").apply(x);
        Array whole = Jax.pmap((Array v) -> Lax.psum(v, "i"), "i").apply(x);
        assertArrayEquals(whole.toFloatArray(), twoHalves.toFloatArray());
        // its transpose is all_gather: d/dx sum(w * psum_scatter(x)) = w gathered, on every replica
        Array w = Np.reshape(Np.astype(Np.arange(4 * 3), DType.F32), 4, 3);
        Array g = Jax.grad((Array v) -> Np.sum(Np.multiply(w, Jax.pmap((Array u) -> Lax.psumScatter(u, "i"), "i").apply(v)))).apply(x);
        for (int r = 0; r < 4; r++) assertArrayEquals(w.toFloatArray(), g.get(r).toFloatArray(), "gradient, replica " + r);
        var e = assertThrows(Jax4jException.class, () -> Jax.pmap((Array v) -> Lax.psumScatter(v, "i", 1, false), "i").apply(x));
        assertTrue(e.getMessage().contains("must equal the axis size 4"), e.getMessage());
    }

    @Test
    void pmapMapsAtMostOneReplicaPerDevice() {   // the build gives the tests 4 virtual host devices (-Djax4j.cpuDevices=4)
        Array eight = Np.zeros(8, 3);
        var e = assertThrows(Jax4jException.class, () -> Jax.pmap((Array x) -> Lax.psum(x, "i"), "i").apply(eight));
        assertTrue(e.getMessage().contains("the mapped axis has 8 entries but this process has 4 cpu devices"), e.getMessage());
        assertTrue(e.getMessage().contains("-Djax4j.cpuDevices=8"), e.getMessage());
        // vmap has no such limit: its entries are not devices
        assertArrayEquals(new float[24], Jax.vmap((Array x) -> Lax.psum(x, "i"), InAxes.of(0), 0, "i").apply(eight).toFloatArray());
    }

    @Test
    void axisIndexAllGatherAndPpermute() {
        assertArrayEquals(new float[]{0, 1, 2, 3}, Jax.pmap((Array x) -> Lax.axisIndex("i").astype(DType.F32), "i").apply(X).toFloatArray());
        Array gathered = Jax.pmap((Array x) -> Lax.allGather(x, "i"), "i").apply(X);
        assertArrayEquals(new int[]{4, 4, 3}, gathered.shape());
        for (int r = 0; r < 4; r++) assertArrayEquals(X.toFloatArray(), gathered.get(r).toFloatArray(), "all_gather, replica " + r);
        Array tiled = Jax.pmap((Array x) -> Lax.allGather(x, "i", 0, true), "i").apply(X);
        assertArrayEquals(new int[]{4, 12}, tiled.shape());
        // a ring shift: replica (r + 1) % 4 receives replica r's value
        Array shifted = Jax.pmap((Array x) -> Lax.ppermute(x, "i", new int[][]{{0, 1}, {1, 2}, {2, 3}, {3, 0}}), "i").apply(X);
        for (int r = 0; r < 4; r++) assertArrayEquals(X.get((r + 3) % 4).toFloatArray(), shifted.get(r).toFloatArray(), "ppermute, replica " + r);
        Array partial = Jax.pmap((Array x) -> Lax.ppermute(x, "i", new int[][]{{0, 2}}), "i").apply(X);
        assertArrayEquals(new float[3], partial.get(1).toFloatArray(), "a replica that receives nothing gets zeros");
    }

    @Test
    void nestedNamedAxesAndJitInside() {
        Array x = Np.reshape(Np.astype(Np.arange(24), DType.F32), 2, 4, 3);
        // outer "rows" over 2, inner "cols" over 4: psum over the outer name from inside the inner vmap
        Function1<Array, Array> inner = Jax.vmap((Array v) -> Lax.psum(v, "rows"), io.jax4j.autodiff.InAxes.of(0), 0, "cols");
        Array out = Jax.pmap(inner, "rows").apply(x);
        Array want = Np.sum(x, 0);
        for (int r = 0; r < 2; r++) assertArrayEquals(want.toFloatArray(), out.get(r).toFloatArray());
        Function1<Array, Array> jitted = Jax.jit((Array v) -> Lax.psum(Np.multiply(v, v), "i"));
        Array sq = Jax.pmap(jitted, "i").apply(X);
        assertArrayEquals(Np.sum(Np.multiply(X, X), 0).toFloatArray(), sq.get(3).toFloatArray(), "jit inside pmap: psum in the jaxpr");
    }

    @Test
    void dataParallelGradientsEqualTheFullBatchGradient() {
        // 4 replicas, each a quarter of the batch; pmean of the per-replica gradients = the full-batch gradient of the mean loss
        Map<String, Array> params = Map.of("w", Random.normal(Random.key(1), 3, 2), "b", Array.of(0.1f, -0.2f));
        Array xs = Random.normal(Random.key(2), 8, 3), ys = Random.normal(Random.key(3), 8, 2);
        Function2<Map<String, Array>, Array[], Array> loss = (p, batch) -> Np.mean(Np.square(Np.subtract(
                Np.add(Np.matmul(batch[0], p.get("w")), p.get("b")), batch[1])));
        Function1<Map<String, Array>, Map<String, Array>> full = Jax.grad((Map<String, Array> p) -> loss.apply(p, new Array[]{xs, ys}));
        Map<String, Array> want = full.apply(params);

        Function2<Map<String, Array>, Array, Map<String, Array>> step = (p, shard) -> {
            Array x = Np.slice(shard, new int[]{0, 0}, new int[]{2, 3}, new int[]{1, 1}), y = Np.slice(shard, new int[]{0, 3}, new int[]{2, 5}, new int[]{1, 1});
            Map<String, Array> g = Jax.grad((Map<String, Array> q) -> loss.apply(q, new Array[]{x, y})).apply(p);
            return Lax.pmean(g, "batch");
        };
        Array shards = Np.reshape(Np.concatenate(java.util.List.of(xs, ys), 1), 4, 2, 5);
        Map<String, Array> got = Jax.pmap(step, "batch", InAxes.of(null, 0)).apply(params, shards);
        for (String k : new String[]{"w", "b"}) {
            for (int r = 0; r < 4; r++) {
                assertArrayEquals(want.get(k).toFloatArray(), got.get(k).get(r).toFloatArray(), 1e-6f, k + " on replica " + r);
            }
        }
    }

    @Test
    void reverseModeThroughCollectives() {
        // f(x) = sum over replicas of ppermute(x)^2: each replica's x lands on the next, so d/dx = 2x (the inverse permutation)
        Function1<Array, Array> f = x -> Np.sum(Jax.pmap((Array v) -> Np.square(Lax.ppermute(v, "i", new int[][]{{0, 1}, {1, 2}, {2, 3}, {3, 0}})), "i").apply(x));
        assertArrayEquals(Np.multiply(X, Array.scalar(2f)).toFloatArray(), Jax.grad(f).apply(X).toFloatArray(), 1e-5f);
        Function1<Array, Array> g = x -> Np.sum(Jax.pmap((Array v) -> Np.multiply(Lax.allGather(v, "i"), Np.reshape(Np.arange(4.0, 8.0, 1.0), 4, 1)), "i").apply(x));
        // every replica sees all four rows, row k weighted by 4 + k: d/dx_k = 4 (replicas) * (4 + k)
        Array gx = Jax.grad(g).apply(X);
        for (int k = 0; k < 4; k++) assertArrayEquals(new float[]{4f * (4 + k), 4f * (4 + k), 4f * (4 + k)}, gx.get(k).toFloatArray(), 1e-4f);
    }

    @Test
    void anUnboundAxisNameIsJaxsError() {
        Jax4jException e = assertThrows(Jax4jException.class, () -> Lax.psum(X, "i"));
        assertTrue(e.getMessage().contains("unbound axis name: i"), e.getMessage());
        e = assertThrows(Jax4jException.class, () -> Jax.pmap((Array x) -> Lax.psum(x, "j"), "i").apply(X));
        assertTrue(e.getMessage().contains("unbound axis name: j"), e.getMessage());
        // differentiating pmax inside the mapped function (outside, the mapped axis is an ordinary reduce_max)
        e = assertThrows(Jax4jException.class,
                () -> Jax.pmap((Array v) -> Jax.grad((Array u) -> Np.sum(Lax.pmax(u, "i"))).apply(v), "i").apply(X));
        assertTrue(e.getMessage().contains("not differentiable"), e.getMessage());
    }
}
