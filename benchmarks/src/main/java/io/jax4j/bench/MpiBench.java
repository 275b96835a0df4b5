package io.jax4j.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jax4j.DType;
import io.jax4j.autodiff.Jax;
import io.jax4j.distributed.Distributed;
import io.jax4j.spi.ProcessGroup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The multi-process part of {@code jax4j bench} ({@code S-MPI}), run by {@code mpirun -np 2} from
 * {@link BenchCommand}: the MPI all-reduce of 1, 16 and 64 MB of float32 (GB/s of the reduced
 * array, against one process copying the same bytes in memory), and W1/W2 data-parallel over the
 * processes (their one-device reference is measured by the launching JVM afterwards); process 0
 * writes the rows as JSON to {@code args[0]}.
 */
public final class MpiBench {
    public static void main(String[] args) throws Exception {
        ProcessGroup g = Distributed.initialize();
        int repeats = Integer.parseInt(args[1]);
        List<BenchCommand.Row> rows = new ArrayList<>();
        for (int mb : new int[]{1, 16, 64}) rows.add(allReduce(g, mb, Math.max(repeats, 5)));
        rows.add(Runs.scaling("S-MPI-W1", false, 1, repeats, 50));
        rows.add(Runs.scaling("S-MPI-W2", true, 1, repeats, 5));
        // the rows as JSON (their one-device references are NaN here: the launching JVM measures them)
        if (Jax.processIndex() == 0) new ObjectMapper().writeValue(Path.of(args[0]).toFile(), rows);
        Distributed.shutdown();
    }

    private static BenchCommand.Row allReduce(ProcessGroup g, int mb, int repeats) {
        long bytes = mb * 1024L * 1024L, n = bytes / 4;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocate(bytes, 64), out = arena.allocate(bytes, 64), copy = arena.allocate(bytes, 64);
            in.fill((byte) 1);
            for (int i = 0; i < 3; i++) g.allReduce(in, out, n, DType.F32, "sum");
            double[] t = new double[repeats], c = new double[repeats];
            for (int k = 0; k < repeats; k++) {
                t[k] = Runs.seconds(1, () -> g.allReduce(in, out, n, DType.F32, "sum"))[0];
                c[k] = Runs.seconds(1, () -> copy.copyFrom(in))[0];
            }
            double gbs = bytes / BenchCommand.median(t) / 1e9;
            return new BenchCommand.Row("S-AR-" + mb + "MB", "MPI all-reduce of " + mb + " MB f32, " + g.processCount() + " processes", gbs,
                    bytes / BenchCommand.min(t) / 1e9, "GB/s", bytes / BenchCommand.median(c) / 1e9, "a memory copy of the same bytes",
                    Runs.pairedRatio(t, c), "(Open MPI's shared-memory transport)");
        }
    }
}
