package io.jax4j.examples.conformance;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Runs fixture files (format of the fixtures README: arrays as {@code {shape, dtype, data}}) against
 * jax4j and reports one line per check — {@code PASS}, {@code FAIL} or {@code SKIP}, then
 * {@code file:case:field} and the error found — and last {@code N passed, M failed, K skipped}.
 * The kind of a file is its name's prefix; a directory stands for the fixture files in it.
 *
 * <h2>Tolerances</h2>
 * A check passes when every element satisfies {@code |actual - expected| <= atol + rtol * |expected|},
 * shapes and dtypes are equal, NaN matches NaN and infinities match exactly.
 * <table>
 *   <caption>Tolerance classes</caption>
 *   <tr><th>class</th><th>rtol</th><th>atol</th><th>used for</th></tr>
 *   <tr><td>exact</td><td>0</td><td>0</td><td>integer and boolean results, PRNG keys and bits</td></tr>
 *   <tr><td>elementwise</td><td>1e-5</td><td>1e-6</td><td>float32 results of elementwise functions
 *       and short reductions (a dozen terms or fewer per output): every ops case not listed below,
 *       {@code higher_order}</td></tr>
 *   <tr><td>long</td><td>1e-4</td><td>1e-5</td><td>float32 matmuls, convolutions and long
 *       reductions, whose sums XLA accumulates in another order: ops cases {@code matmul},
 *       {@code bmm}, {@code einsum_*}, {@code vecdot}, {@code matvec}, {@code dense},
 *       {@code attention}, {@code mlp2}, {@code conv_*}, {@code avg_pool*}
 *       ({@code OpsCases.LONG}), and {@code vmap_grad}</td></tr>
   <tr><td>ulp</td><td colspan="2">float32 within 1 ulp, integers exact</td><td>PRNG draws and
 *       initializers ({@link PrngSuite}: XLA's float32 erf/log polynomials)</td></tr>
 *   <tr><td>init</td><td>3e-7</td><td>1e-7</td><td>module init values drawn through a truncated
 *       normal and rescaled ({@link FlaxSuite#INIT})</td></tr>
 * </table>
 * A case's class applies to all its checks (value, VJP, JVP). Nothing is looser; a suite that
 * needs a looser bound must say why next to it. The suites: {@link OpsSuite} ({@code ops_}),
 * {@link PrngSuite} ({@code prng_}), {@link OptaxSuite} ({@code optax_}), {@link FlaxSuite} and
 * {@link FlaxTraining} ({@code flax_}, with the msgpack files next to it), {@link ClipSuite}
 * ({@code clip_}, with the checkpoint directory next to it); each documents its checks and the
 * classes it uses (Optax: elementwise; Flax: elementwise for MLP outputs, long for convolutions,
 * attention and the 20-step training runs; CLIP: long).
 */
public final class ConformanceRunner {
    /** The suites by file prefix. */
    public static final List<CheckSuite> SUITES = List.of(
            new OpsSuite(),
            new PrngSuite(),
            new OptaxSuite(),
            new FlaxSuite(),
            new ClipSuite());

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private final List<CheckSuite> suites;
    private final RunOptions options;

    public ConformanceRunner(RunOptions options) { this(SUITES, options); }

    public ConformanceRunner(List<CheckSuite> suites, RunOptions options) {
        this.suites = List.copyOf(suites);
        this.options = options;
    }

    /**
     * Runs every file (directories expanded to their fixture files, sorted) into a new report. A run
     * that checked nothing fails: an empty file, a file none of whose fields its suite reads, or a
     * directory without fixture files is a FAIL line, and a run without a single PASS or FAIL ends with
     * a FAIL line saying so.
     */
    public Report run(List<Path> paths, PrintStream out) {
        Report report = new Report(out);
        for (Path p : expand(paths, report)) runFile(p, report);
        if (report.count(Status.PASS) + report.count(Status.FAIL) == 0) {
            report.fail("-", "-", "", "nothing was checked (" + report.count(Status.SKIP) + " skipped): a run that checks nothing fails");
        }
        if (out != null) out.println(report.summary());
        return report;
    }

    /** The suite for a file name, or null. */
    public CheckSuite suiteFor(String fileName) {
        for (CheckSuite s : suites) if (fileName.startsWith(s.prefix())) return s;
        return null;
    }

    private List<Path> expand(List<Path> paths, Report report) {
        List<Path> files = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                int before = files.size();
                try (Stream<Path> s = Files.list(p)) {
                    s.filter(f -> f.getFileName().toString().endsWith(".json") && suiteFor(f.getFileName().toString()) != null)
                            .sorted().forEach(files::add);
                } catch (IOException e) {
                    report.fail(p.toString(), "-", "", "cannot list the directory: " + e.getMessage());
                    continue;
                }
                if (files.size() == before) {
                    report.fail(p.toString(), "-", "", "no fixture files in the directory: a fixture file is named "
                            + suites.stream().map(s -> s.prefix() + "*.json").toList());
                }
            } else files.add(p);
        }
        return files;
    }

    private void runFile(Path p, Report report) {
        String name = p.getFileName().toString();
        if (!Files.exists(p)) {
            report.fail(name, "-", "", "no such file: " + p);
            return;
        }
        CheckSuite suite = suiteFor(name);
        if (suite == null) {
            report.fail(name, "-", "", "unknown fixture kind: the name must start with one of "
                    + suites.stream().map(CheckSuite::prefix).toList());
            return;
        }
        JsonNode root;
        try {
            root = JSON.readTree(p.toFile());
        } catch (IOException e) {
            report.fail(name, "-", "", "cannot read " + p + ": " + e.getMessage());
            return;
        }
        if (root == null || root.isMissingNode()) {
            report.fail(name, "-", "", "the file is empty: " + p);
            return;
        }
        if (!root.isObject()) {
            report.fail(name, "-", "", "not a fixture: the file holds a JSON " + root.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
                    + ", a fixture file holds an object");
            return;
        }
        int before = report.results().size();
        suite.run(new FixtureFile(p, name, root), options, report);
        if (report.results().size() == before) {
            var keys = new ArrayList<String>();
            root.fieldNames().forEachRemaining(keys::add);
            report.fail(name, "-", "", "nothing to check: none of the fields the " + suite.prefix() + "* suite reads is in the file"
                    + " (its top-level keys: " + keys + "); is it a fixture of another kind, or of another schema?");
        }
    }
}
