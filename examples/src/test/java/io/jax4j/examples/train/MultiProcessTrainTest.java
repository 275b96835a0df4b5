package io.jax4j.examples.train;

import io.jax4j.Array;
import io.jax4j.distributed.Distributed;
import io.jax4j.tree.Tree;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The main job's training over 2 MPI processes ({@code mpirun -np 2}, one replica each, the pmean of
 * the gradients an {@code MPI_Allreduce}) ends with the single-process parameters up to
 * floating-point reduction order; both processes hold the same state, and process 0 alone wrote the
 * checkpoints. ({@code .ci/run} installs Debian's {@code openmpi-bin}.)
 */
class MultiProcessTrainTest {
    @Test
    void twoProcessesTrainTheSameParametersAsOne(@TempDir Path dir) throws Exception {
        Trainer.Result one = DataParallelTest.train(dir.resolve("one"), 1);
        Path w = dir.resolve("two");
        List<String> worker = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xss8m",
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                MultiProcessTrainWorker.class.getName(), w.toString(), "1"));
        run(Distributed.mpirunCommand(2, worker), 300);

        List<float[]> p0 = MultiProcessTrainWorker.read(w.resolve("params-0.txt")), p1 = MultiProcessTrainWorker.read(w.resolve("params-1.txt"));
        List<Array> expected = Tree.leavesOfType(one.state().params(), Array.class);
        assertEquals(expected.size(), p0.size());
        double scale = 0;
        for (Array x : expected) for (float v : x.toFloatArray()) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(p0.get(i), p1.get(i), "leaf " + i + ": both processes hold the same parameters");
            float[] e = expected.get(i).toFloatArray();
            for (int k = 0; k < e.length; k++) {
                assertEquals(e[k], p0.get(i)[k], 2e-5 * scale, "leaf " + i + "[" + k + "] against one process");
            }
        }
        assertTrue(Files.isDirectory(w.resolve("checkpoints").resolve(Integer.toString(one.steps()))), "process 0 wrote the last checkpoint");
        assertTrue(Files.isRegularFile(w.resolve("metrics.json")));
        assertTrue(Files.readString(w.resolve("metrics.json")).contains("\"processes\" : 2"));
    }

    static void run(List<String> command, long seconds) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("cannot start mpirun (" + e.getMessage() + "): install Open MPI (apt-get install openmpi-bin; .ci/run does)", e);
        }
        byte[] out = p.getInputStream().readAllBytes();
        boolean done = p.waitFor(seconds, TimeUnit.SECONDS);
        String text = new String(out, StandardCharsets.UTF_8);
        if (!done) p.destroyForcibly();
        assertTrue(done, "mpirun did not end within " + seconds + " s\n" + text);
        assertEquals(0, p.exitValue(), () -> String.join(" ", command) + "\n" + text);
    }
}
