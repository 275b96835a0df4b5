package io.jax4j.distributed;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Lax;
import io.jax4j.Np;
import io.jax4j.autodiff.InAxes;
import io.jax4j.autodiff.Jax;
import io.vavr.Function1;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One process of {@link MultiProcessTest}: with {@code args[0]} processes of 2 replicas each, the
 * collectives over a pmap axis that spans them, eager and jitted, and the gradient of a pmapped loss;
 * each result on a line of {@code args[1]/process-R.txt}. Run without MPI ({@code args[0] = 1}, 4
 * replicas in one process) it writes the reference lines.
 */
public final class CollectivesWorker {
    public static void main(String[] args) throws Exception {
        int processes = Integer.parseInt(args[0]);
        if (processes > 1) Distributed.initialize(processes, Integer.parseInt(System.getenv("OMPI_COMM_WORLD_RANK")));
        int me = Jax.processIndex(), local = 4 / processes;
        // the global input: 4 replicas of f32[3]; this process holds rows [me * local, (me + 1) * local)
        Array global = Np.reshape(Np.astype(Np.arange(12), DType.F32), 4, 3).mul(0.5f).add(-1f);
        Array mine = Lax.slice(global, new int[]{me * local, 0}, new int[]{(me + 1) * local, 3});
        Map<String, Array> out = new LinkedHashMap<>();
        Function1<Array, Array> sum = Jax.pmap((Array x) -> Lax.psum(x, "i"), "i");
        out.put("psum", sum.apply(mine));
        out.put("psum jitted", Jax.jit(sum).apply(mine));
        out.put("pmean", Jax.pmap((Array x) -> Lax.pmean(Np.square(x), "i"), "i").apply(mine));
        out.put("pmax", Jax.jit(Jax.pmap((Array x) -> Lax.pmax(x, "i"), "i")).apply(mine));
        out.put("pmin", Jax.pmap((Array x) -> Lax.pmin(x, "i"), "i").apply(mine));
        out.put("axis_index", Jax.pmap((Array x) -> Lax.axisIndex("i").astype(DType.F32), "i").apply(mine));
        out.put("axis_size", Jax.pmap((Array x) -> Array.scalar((float) Lax.axisSize("i")), "i").apply(mine));
        out.put("all_gather", Jax.pmap((Array x) -> Lax.allGather(x, "i"), "i").apply(mine));
        out.put("psum_scatter", Jax.pmap((Array x) -> Lax.psumScatter(Np.reshape(Np.tile(x, 4), 4, 3), "i"), "i").apply(mine));
        out.put("ppermute ring", Jax.jit(Jax.pmap((Array x) -> Lax.ppermute(x, "i", new int[][]{{0, 1}, {1, 2}, {2, 3}, {3, 0}}), "i")).apply(mine));
        // data-parallel gradient: each replica's loss on its rows, the gradient averaged over all replicas
        Array w = Array.of(0.3f, -0.2f, 0.1f);
        var grad = Jax.pmap((Array params, Array x) -> Lax.pmean(Jax.grad((Array p) -> Np.sum(Np.tanh(Np.multiply(p, x)))).apply(params), "i"),
                "i", InAxes.of(null, 0));
        out.put("pmean of grad", grad.apply(w, mine));
        out.put("grad of psum", Jax.grad((Array x) -> Np.sum(Jax.pmap((Array v) -> Np.square(Lax.psum(v, "i")), "i").apply(x))).apply(mine));
        StringBuilder text = new StringBuilder();
        out.forEach((k, v) -> text.append(k).append(' ').append(Arrays.toString(v.shape())).append(' ')
                .append(Arrays.toString(v.toFloatArray())).append('\n'));
        Files.writeString(Path.of(args[1]).resolve("process-" + me + ".txt"), text.toString());
        if (processes > 1) Distributed.shutdown();
    }
}
