package io.jax4j.examples.train;

import io.jax4j.Array;
import io.jax4j.autodiff.Jax;
import io.jax4j.distributed.Distributed;
import io.jax4j.tree.Tree;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * One process of {@link MultiProcessTrainTest}: {@link TrainerTest#TINY} trained on the synthetic data
 * for {@link DataParallelTest#EPOCHS} epochs of batch {@link DataParallelTest#BATCH}, data-parallel over
 * {@code args[1]} replicas per process (under mpirun: over the processes too), into the workdir
 * {@code args[0]}; every process writes its final parameters to {@code params-R.txt} there.
 */
public final class MultiProcessTrainWorker {
    public static void main(String[] args) throws Exception {
        if (System.getenv("OMPI_COMM_WORLD_SIZE") != null) Distributed.initialize();
        Path dir = Path.of(args[0]);
        int replicas = Integer.parseInt(args[1]);
        Trainer.Result r;
        try (Trainer t = new Trainer(TrainerTest.TINY, TrainerTest.config(dir, DataParallelTest.EPOCHS, DataParallelTest.BATCH),
                TrainerTest.TRAIN, TrainerTest.TEST, Display.silent())) {
            r = t.dataParallel(replicas).run();
        }
        StringBuilder b = new StringBuilder();
        for (Array leaf : Tree.leavesOfType(r.state().params(), Array.class)) b.append(Arrays.toString(leaf.toFloatArray())).append('\n');
        Files.writeString(dir.resolve("params-" + Jax.processIndex() + ".txt"), b.toString());
        Distributed.shutdown();
    }

    /** The parameters a worker wrote, one float array per leaf. */
    static List<float[]> read(Path file) throws java.io.IOException {
        return Files.readAllLines(file).stream().map(line -> {
            String[] parts = line.substring(1, line.length() - 1).split(", ");
            float[] f = new float[parts.length];
            for (int i = 0; i < f.length; i++) f[i] = Float.parseFloat(parts[i]);
            return f;
        }).toList();
    }
}
