package io.jax4j.examples;

import io.jax4j.examples.cli.Jax4jCli;
import io.jax4j.examples.conformance.CheckResult;
import io.jax4j.examples.conformance.ConformanceRunner;
import io.jax4j.examples.conformance.Report;
import io.jax4j.examples.conformance.RunOptions;
import io.jax4j.examples.conformance.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The runner on small hand-written fixture files: PASS, FAIL with the error, SKIP with the reason, the summary, the CLI. */
class ConformanceRunnerTest {
    @TempDir
    Path dir;

    static String arr(String shape, String dtype, String data) {
        return "{\"shape\": " + shape + ", \"dtype\": \"" + dtype + "\", \"data\": " + data + "}";
    }

    Path opsFile(String name, String tanhOutput) throws IOException {
        // tanh(0) = 0, tanh(0.5) = 0.46211716; d tanh = 1 - tanh²
        String tanh = "{\"name\": \"tanh\", \"inputs\": [" + arr("[2]", "float32", "[0.0, 0.5]") + "], \"float_inputs\": [0], "
                + "\"output\": " + arr("[2]", "float32", tanhOutput) + ", "
                + "\"cotangent\": " + arr("[2]", "float32", "[1.0, 2.0]") + ", "
                + "\"vjp\": [" + arr("[2]", "float32", "[1.0, " + (float) (2 * (1 - Math.pow(Math.tanh(0.5), 2))) + "]") + "], "
                + "\"tangents\": [" + arr("[2]", "float32", "[3.0, 0.0]") + "], "
                + "\"jvp\": " + arr("[2]", "float32", "[3.0, 0.0]") + "}";
        String unknown = "{\"name\": \"no_such_case\", \"inputs\": [], \"float_inputs\": [], \"output\": " + arr("[]", "float32", "[1.0]") + "}";
        Path p = dir.resolve(name);
        Files.writeString(p, "{\"cases\": [" + tanh + ", " + unknown + "]}");
        return p;
    }

    @Test
    void passesFailsAndSkips() throws IOException {
        Path good = opsFile("ops_good.json", "[0.0, " + (float) Math.tanh(0.5) + "]");
        Path bad = opsFile("ops_bad.json", "[0.0, 0.4625]");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Report r = new ConformanceRunner(RunOptions.EAGER).run(List.of(good, bad), new PrintStream(buf, true, StandardCharsets.UTF_8));
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(5, r.count(Status.PASS), out);      // good: output, vjp[0], jvp; bad: vjp[0], jvp
        assertEquals(1, r.count(Status.FAIL), out);
        assertEquals(2, r.count(Status.SKIP), out);
        CheckResult fail = r.results().stream().filter(c -> c.status() == Status.FAIL).findFirst().orElseThrow();
        assertEquals("ops_bad.json", fail.file());
        assertEquals("tanh", fail.caseName());
        assertEquals("output", fail.field());
        assertTrue(fail.line().startsWith("FAIL ops_bad.json:tanh:output max_abs_err="), fail.line());
        assertTrue(fail.line().contains("atol=1e-6 rtol=1e-5"), fail.line());
        assertTrue(out.contains("SKIP ops_good.json:no_such_case:output not implemented"), out);
        assertTrue(out.strip().endsWith("5 passed, 1 failed, 2 skipped"), out);
    }

    @Test
    void unknownKindsAndUnknownNamesAreReported() throws IOException {
        Path other = dir.resolve("weird.json");
        Files.writeString(other, "{}");
        Path prng = dir.resolve("prng_x.json");
        Files.writeString(prng, "{\"keys\": [{\"seed\": 0, \"key_data\": " + arr("[2]", "uint32", "[0, 0]")
                + ", \"gumbel_8\": " + arr("[1]", "float32", "[0.0]") + "}, 2], \"jax_threefry_partitionable\": true}");
        Path optax = dir.resolve("optax_x.json");
        Files.writeString(optax, "{\"params0\": {\"a\": " + arr("[1]", "float32", "[1.0]") + "}, \"grads\": [{\"a\": " + arr("[1]", "float32", "[1.0]")
                + "}], \"trajectories\": {\"sgd_0.1\": [{\"a\": " + arr("[1]", "float32", "[0.9]") + "}], \"nadam_x\": [{\"a\": "
                + arr("[1]", "float32", "[0.9]") + "}]}}");
        Report r = new ConformanceRunner(RunOptions.EAGER).run(List.of(other, prng, optax), null);
        List<String> lines = r.results().stream().map(CheckResult::line).toList();
        assertTrue(lines.getFirst().startsWith("FAIL weird.json:-") && lines.getFirst().contains("unknown fixture kind"), lines.toString());
        assertTrue(lines.contains("PASS prng_x.json:seed_0:key_data max_abs_err=0 ulps<=1"), lines.toString());
        assertTrue(lines.contains("SKIP prng_x.json:seed_0:gumbel_8 not implemented: unknown PRNG entry 'gumbel_8'"), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("FAIL prng_x.json:keys a seed entry must be an object")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("PASS optax_x.json:trajectories.sgd_0.1:after_update[1]")), lines.toString());
        assertTrue(lines.contains("SKIP optax_x.json:trajectories.nadam_x:after_update[1] not implemented: unknown optimizer 'nadam_x'"), lines.toString());
        assertEquals(2, r.count(Status.PASS), lines.toString());
        assertEquals(2, r.count(Status.SKIP), lines.toString());
        assertEquals(2, r.count(Status.FAIL), lines.toString());
    }

    @Test
    void cliFindsItsSubcommandsAndExitsNonZeroOnFailure() throws IOException {
        CommandLine cl = Jax4jCli.commandLine();
        assertTrue(cl.getSubcommands().containsKey("info"));
        assertTrue(cl.getSubcommands().containsKey("conformance"));
        Path bad = opsFile("ops_bad.json", "[0.0, 0.4625]");
        Path good = opsFile("ops_good.json", "[0.0, " + (float) Math.tanh(0.5) + "]");
        PrintStream saved = System.out;
        try {
            System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            assertEquals(1, Jax4jCli.commandLine().execute("conformance", bad.toString()));
            assertEquals(0, Jax4jCli.commandLine().execute("conformance", "--jit", good.toString()));
            assertEquals(0, Jax4jCli.commandLine().execute("conformance", "--backend", "reference", good.toString()));
        } finally {
            System.setOut(saved);
        }
    }

    // ---------------------------------------------------------------- issue 15: a run that checked nothing fails

    Report runQuietly(Path... paths) {
        return new ConformanceRunner(RunOptions.EAGER).run(List.of(paths), null);
    }

    static String lines(Report r) {
        return String.join("\n", r.results().stream().map(CheckResult::line).toList());
    }

    @Test
    void anEmptyFileAnUnknownSchemaAndAnEmptyDirectoryFail() throws IOException {
        Path empty = Files.writeString(dir.resolve("ops_empty.json"), "");
        Report r = runQuietly(empty);
        assertTrue(r.failed(), lines(r));
        assertTrue(lines(r).contains("FAIL ops_empty.json:- the file is empty"), lines(r));

        Path foo = Files.writeString(dir.resolve("ops_foo.json"), "{\"foo\": 1}");
        r = runQuietly(foo);
        assertTrue(r.failed(), lines(r));
        assertTrue(lines(r).contains("FAIL ops_foo.json:- nothing to check") && lines(r).contains("[foo]"), lines(r));

        Path prngFoo = Files.writeString(dir.resolve("prng_foo.json"), "{\"foo\": 1}");    // its one line is a SKIP of 'foo'
        r = runQuietly(prngFoo);
        assertTrue(r.failed(), lines(r));
        assertTrue(lines(r).contains("nothing was checked (1 skipped)"), lines(r));

        Path emptyDir = Files.createDirectory(dir.resolve("fixtures"));
        Files.writeString(emptyDir.resolve("README.md"), "not a fixture");
        r = runQuietly(emptyDir);
        assertTrue(r.failed(), lines(r));
        assertTrue(lines(r).contains("no fixture files in the directory"), lines(r));

        Path array = Files.writeString(dir.resolve("ops_list.json"), "[1, 2]");
        r = runQuietly(array);
        assertTrue(lines(r).contains("FAIL ops_list.json:- not a fixture: the file holds a JSON array"), lines(r));

        PrintStream saved = System.out;
        try {
            System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            assertEquals(1, Jax4jCli.commandLine().execute("conformance", emptyDir.toString()));
            assertEquals(1, Jax4jCli.commandLine().execute("conformance", foo.toString()));
        } finally {
            System.setOut(saved);
        }
    }

    @Test
    void anAbsentExpectedOutputIsASkipWithItsReason() throws IOException {
        String noOutput = "{\"name\": \"tanh\", \"inputs\": [" + arr("[1]", "float32", "[0.0]") + "], \"float_inputs\": [0], "
                + "\"tangents\": [" + arr("[1]", "float32", "[1.0]") + "], \"jvp\": " + arr("[1]", "float32", "[1.0]") + "}";
        Path p = Files.writeString(dir.resolve("ops_partial.json"), "{\"cases\": [" + noOutput + "]}");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Report r = new ConformanceRunner(RunOptions.EAGER).run(List.of(p), new PrintStream(buf, true, StandardCharsets.UTF_8));
        String out = buf.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("SKIP ops_partial.json:tanh:output the fixture gives no expected 'output' for this case"), out);
        assertTrue(out.strip().endsWith("1 passed, 0 failed, 1 skipped"), out);
        assertFalse(r.failed(), out);
    }

    @Test
    void aMissingFileIsNoSuchFileWhateverItsName() {
        Report r = runQuietly(dir.resolve("results.json"), dir.resolve("ops_gone.json"));
        assertTrue(lines(r).contains("FAIL results.json:- no such file: " + dir.resolve("results.json")), lines(r));
        assertTrue(lines(r).contains("FAIL ops_gone.json:- no such file"), lines(r));
        assertFalse(lines(r).contains("unknown fixture kind"), lines(r));
    }

    @Test
    void anUnknownBackendIsOneLineAndExitCode2() {
        PrintStream saved = System.err;
        var err = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(2, Jax4jCli.commandLine().execute("conformance", "--backend", "nonexistent", dir.toString()));
        } finally {
            System.setErr(saved);
        }
        String e = err.toString(StandardCharsets.UTF_8).strip();
        assertEquals(1, e.lines().count(), e);
        assertTrue(e.startsWith("jax4j conformance: --backend nonexistent: unknown backend"), e);
    }
}
