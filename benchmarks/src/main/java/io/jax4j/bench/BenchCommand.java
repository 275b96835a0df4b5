package io.jax4j.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.jax4j.examples.cli.CliCommand;
import io.jax4j.spi.Backends;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code jax4j bench}: the workloads W1–W7 (listed in the README) and the scaling rows S1, S2 (W1, W2 data-parallel on 2 and 4
 * virtual devices) and SMPI (an MPI all-reduce of 1, 16, 64 MB; W1, W2 over 2 processes), each with the reference measured in the
 * same run (see {@link References}). Prints a table of the median and best of several repeats, the
 * reference and the ratio; {@code --json FILE} writes
 * {@code {"W1": {"value": .., "unit": "steps/s", "reference": .., "ratio": ..}, ...}} with the median
 * as value. The ratio is value / reference for W5 (a fraction of OpenBLAS's GFLOP/s) and our time /
 * the reference's time for W1–W4 (how many times the GEMMs alone, or the hand-written loop, we take),
 * each the median over repeats of the ratio of a pair timed back to back (on a shared machine whose
 * speed drifts, the pair sees one speed); value and reference are the medians of their own repeats.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Runs the workloads W1-W7 and the scaling rows S1, S2, SMPI (see the README) with their in-run references; "
                + "prints a table, optionally JSON.")
public final class BenchCommand implements CliCommand {
    @Option(names = "--json", description = "write the results as JSON to this file")
    Path json;

    @Option(names = "--only", split = ",", description = "run only these workloads, e.g. W1,W5 (default: all)")
    List<String> only;

    @Option(names = "--repeats", defaultValue = "5", description = "timed repeats per workload (median and best are reported)")
    int repeats;

    @Option(names = "--soak", description = "also run 10,000 W1 steps (state donated) and report native and resident memory every 1000 steps")
    boolean soak;

    @Option(names = "--soak-no-donate", description = "the same soak with W1's train state not donated (each step allocates a new state)")
    boolean soakNoDonate;

    @Option(names = "--soak-steps", defaultValue = "10000", hidden = true)
    int soakSteps;

    @Option(names = "--backend", description = "the backend to measure: cpu, cuda or reference (default: the best available)")
    String backend;

    /** One line of the table / one JSON entry. */
    public record Row(String id, String what, double value, double best, String unit, double reference, String refWhat, double ratio,
                      String target) {}

    @Override
    public Integer call() throws Exception {
        Locale.setDefault(Locale.ROOT);
        if (backend != null) Backends.use(backend.trim());
        System.out.println("backend: " + Backends.current().describe());
        System.out.printf("machine: %d processors, load average %s%n", Runtime.getRuntime().availableProcessors(), loadAverage());
        Backends.current().isAvailable();  // the cpu backend sets its thread defaults before OpenBLAS loads
        List<Row> rows = new ArrayList<>();
        Set<String> sel = only == null ? Set.of("W1", "W2", "W3", "W4", "W5", "W6", "W7", "S1", "S2", "SMPI")
                : Set.copyOf(only.stream().map(s -> s.toUpperCase(Locale.ROOT)).toList());
        int r = Math.max(1, repeats);
        // the JSON is rewritten after each workload, so that a run stopped by a time limit keeps what it measured
        if (sel.contains("W7")) measured(rows, Runs.w7());  // first: the first call of a fresh JVM's W1 step is what W7 measures
        if (sel.contains("W1")) measured(rows, List.of(Runs.trainStep("W1", "MLP 784-512-512-10 Adam", Workloads.w1(), r, 100)));
        if (sel.contains("W2")) measured(rows, List.of(Runs.trainStep("W2", "Flax MNIST CNN SGD momentum", Workloads.w2(), r, 10)));
        if (sel.contains("W3")) measured(rows, List.of(Runs.trainStep("W3", "MLP + BatchNorm + Dropout, Adam cosine", Workloads.w3(), r, 100)));
        if (sel.contains("W4")) measured(rows, List.of(Runs.w4(r)));
        if (sel.contains("W5")) measured(rows, Runs.w5(r));
        if (sel.contains("W6")) measured(rows, List.of(Runs.w6(r)));
        if (sel.contains("S1") || sel.contains("S2")) {
            if (io.jax4j.autodiff.Jax.localDeviceCount() < 4 && Backends.current().device().platform().equals("cpu")) {
                System.setProperty("jax4j.cpuDevices", "4");   // virtual host devices for the replicas
            }
            for (int n : new int[]{2, 4}) {
                if (sel.contains("S1")) measured(rows, List.of(Runs.scaling("S1x" + n, false, n, r, 50)));
                if (sel.contains("S2")) measured(rows, List.of(Runs.scaling("S2x" + n, true, n, r, 5)));
            }
        }
        if (sel.contains("SMPI")) measured(rows, mpi(r));
        Map<String, Object> soakResult = soak ? Runs.soak(soakSteps, true) : null;
        Map<String, Object> soakNoDonateResult = soakNoDonate ? Runs.soak(soakSteps, false) : null;
        print(rows);
        System.out.printf("load average at the end: %s%n", loadAverage());
        writeJson(rows, soakResult, soakNoDonateResult);
        if (json != null) System.out.println("wrote " + json);
        return 0;
    }

    /**
     * The multi-process rows: {@link MpiBench} as 2 processes of {@code mpirun} with this JVM's class
     * path and backend; none, saying why, where Open MPI is missing or the run fails.
     */
    private List<Row> mpi(int repeats) throws Exception {
        Path out = java.nio.file.Files.createTempFile("jax4j-mpi-bench", ".json");
        List<String> worker = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xss8m",
                "-Djax4j.backend=" + Backends.current().name(), "-cp", System.getProperty("java.class.path"),
                MpiBench.class.getName(), out.toString(), Integer.toString(repeats)));
        List<String> command = io.jax4j.distributed.Distributed.mpirunCommand(2, worker);
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                System.out.println("SMPI: mpirun failed (exit " + p.exitValue() + "):\n" + text);
                return List.of();
            }
            List<Row> rows = new ArrayList<>();
            for (Row r : new ObjectMapper().readValue(out.toFile(), Row[].class)) {
                if (r.id().startsWith("S-MPI-W")) {   // the one-device step in this process, with the machine to itself
                    boolean w2 = r.id().endsWith("W2");
                    double reference = Runs.oneDevice(w2, repeats, w2 ? 5 : 50);
                    r = new Row(r.id(), r.what(), r.value(), r.best(), r.unit(), reference, r.refWhat(), r.value() / reference, r.target());
                }
                rows.add(r);
            }
            return rows;
        } catch (java.io.IOException e) {
            System.out.println("SMPI: skipped, mpirun cannot start (" + e.getMessage() + "); install Open MPI (apt-get install openmpi-bin)");
            return List.of();
        } finally {
            java.nio.file.Files.deleteIfExists(out);
        }
    }

    private void measured(List<Row> rows, List<Row> more) throws java.io.IOException {
        rows.addAll(more);
        writeJson(rows, null, null);
    }

    private void writeJson(List<Row> rows, Map<String, Object> soakResult, Map<String, Object> soakNoDonateResult) throws java.io.IOException {
        if (json != null) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Row row : rows) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("value", row.value());
                m.put("unit", row.unit());
                m.put("reference", row.reference());
                m.put("ratio", row.ratio());
                m.put("best", row.best());
                m.put("reference_is", row.refWhat());
                m.put("target", row.target());
                out.put(row.id(), m);
            }
            if (soakResult != null) out.put("soak", soakResult);
            if (soakNoDonateResult != null) out.put("soak_no_donate", soakNoDonateResult);
            out.put("load_average", loadAverage());
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), out);
        }
    }

    static void print(List<Row> rows) {
        System.out.printf("%n%-7s %-40s %12s %12s %-9s %12s  %-34s %7s  %s%n", "id", "workload", "median", "best", "unit", "reference",
                "reference is", "ratio", "target");
        for (Row r : rows) {
            System.out.printf("%-7s %-40s %12.3f %12.3f %-9s %12.3f  %-34s %7.3f  %s%n", r.id(), r.what(), r.value(), r.best(), r.unit(),
                    r.reference(), r.refWhat(), r.ratio(), r.target());
        }
    }

    static String loadAverage() {
        try {
            String[] f = java.nio.file.Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (Exception e) {
            return "unknown";
        }
    }

    /** The median and the best of sorted samples. */
    static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    static double min(double[] xs) { return Arrays.stream(xs).min().orElse(Double.NaN); }

    static double max(double[] xs) { return Arrays.stream(xs).max().orElse(Double.NaN); }
}
