package io.jax4j.distributed;

import io.jax4j.core.Jax4jException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two processes started by Open MPI's {@code mpirun}, each with 2 replicas of a pmap axis that spans
 * both, compute what one process computes with all 4 replicas: every collective, eager and jitted,
 * and gradients through them ({@code .ci/run} installs Debian's {@code openmpi-bin}).
 */
class MultiProcessTest {
    static String classPath() { return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")); }

    static String java() { return Path.of(System.getProperty("java.home"), "bin", "java").toString(); }

    /** Runs {@code command}, failing with its output when it does not end with 0 within {@code seconds}. */
    static String run(List<String> command, long seconds) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new AssertionError("cannot start " + command.getFirst() + " (" + e.getMessage() + "): the multi-process tests need Open MPI's "
                    + "mpirun (Debian/Ubuntu: apt-get install openmpi-bin; .ci/run installs it)", e);
        }
        byte[] out = p.getInputStream().readAllBytes();
        boolean done = p.waitFor(seconds, TimeUnit.SECONDS);
        String text = new String(out, StandardCharsets.UTF_8);
        if (!done) {
            p.destroyForcibly();
            throw new AssertionError("did not end within " + seconds + " s: " + command + "\n" + text);
        }
        assertEquals(0, p.exitValue(), () -> String.join(" ", command) + "\n" + text);
        return text;
    }

    @Test
    void twoProcessesComputeWhatOneComputesWithEveryReplica(@TempDir Path dir) throws Exception {
        Path single = Files.createDirectories(dir.resolve("single")), multi = Files.createDirectories(dir.resolve("multi"));
        List<String> worker = new ArrayList<>(List.of(java(), "--enable-native-access=ALL-UNNAMED", "-Djax4j.cpuDevices=4", "-cp", classPath(),
                CollectivesWorker.class.getName()));
        List<String> one = new ArrayList<>(worker);
        one.addAll(List.of("1", single.toString()));
        run(one, 120);
        List<String> two = new ArrayList<>(worker);
        two.addAll(List.of("2", multi.toString()));
        run(Distributed.mpirunCommand(2, two), 180);

        List<String> all = Files.readAllLines(single.resolve("process-0.txt"));
        List<String> p0 = Files.readAllLines(multi.resolve("process-0.txt")), p1 = Files.readAllLines(multi.resolve("process-1.txt"));
        assertEquals(all.size(), p0.size());
        for (int i = 0; i < all.size(); i++) {
            String name = all.get(i).substring(0, all.get(i).indexOf(" ["));
            Rows reference = Rows.parse(all.get(i)), first = Rows.parse(p0.get(i)), second = Rows.parse(p1.get(i));
            assertEquals(reference.text(0, 2), first.text(0, 2), name + ": process 0 holds replicas 0 and 1");
            assertEquals(reference.text(2, 4), second.text(0, 2), name + ": process 1 holds replicas 2 and 3");
        }
    }

    /** One result line: its shape (the replicas of this process leading) and values. */
    record Rows(int[] shape, String[] values) {
        static Rows parse(String line) {
            String shape = line.substring(line.indexOf(" [") + 2, line.indexOf(']'));
            String vals = line.substring(line.lastIndexOf('[') + 1, line.lastIndexOf(']'));
            int[] s = shape.isEmpty() ? new int[0] : java.util.Arrays.stream(shape.split(", ")).mapToInt(Integer::parseInt).toArray();
            return new Rows(s, vals.split(", "));
        }

        /** Replicas {@code from .. to} as text, each value rounded to 6 significant digits (reduction order may differ). */
        String text(int from, int to) {
            int per = values.length / shape[0];
            StringBuilder b = new StringBuilder();
            for (int i = from * per; i < to * per; i++) b.append(String.format("%.6g ", Double.parseDouble(values[i])));
            return b.toString();
        }
    }

    @Test
    void initializeOutsideMpirunSaysHowToStart() {
        var e = assertThrows(Jax4jException.class, Distributed::initialize);
        assertTrue(e.getMessage().contains("mpirun -np N"), e.getMessage());
        assertTrue(!Distributed.isInitialized());
    }
}
