package io.jax4j.tests;

import io.jax4j.examples.conformance.CheckResult;
import io.jax4j.examples.conformance.ConformanceRunner;
import io.jax4j.examples.conformance.Report;
import io.jax4j.examples.conformance.RunOptions;
import io.jax4j.examples.conformance.Status;
import io.jax4j.spi.Backend;
import io.jax4j.spi.Backends;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code jax4j conformance FILE --backend cpu} on every fixture file: every check runs through jit
 * on the cpu backend (generated C + OpenBLAS) and passes as on the reference backend. Skipped, with
 * the reason, only where the cpu backend cannot run (no C compiler).
 */
class CpuConformanceTest {
    static Stream<String> files() throws IOException, URISyntaxException {
        try (Stream<Path> s = Files.list(ConformanceTest.fixtures())) {
            return s.filter(f -> f.toString().endsWith(".json")).map(p -> p.getFileName().toString()).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0} --backend cpu")
    @MethodSource("files")
    void fixtureFilePassesOnTheCpuBackend(String file) throws URISyntaxException {
        Backend cpu = Backends.byName("cpu");
        Assumptions.assumeTrue(cpu.isAvailable(), () -> "cpu backend unavailable: " + cpu.unavailableReason());
        Backend before = Backends.current();
        Backends.use("cpu");
        try {
            assertEquals("cpu", Backends.current().name());
            Report report = new ConformanceRunner(RunOptions.JIT).run(List.of(ConformanceTest.fixtures().resolve(file)), null);
            List<String> failures = new ArrayList<>(), unexpectedSkips = new ArrayList<>();
            for (CheckResult r : report.results()) {
                if (r.status() == Status.FAIL) failures.add(r.line());
                if (r.status() == Status.SKIP && !ConformanceTest.NOT_YET_IMPLEMENTED.containsKey(r.file() + ":" + r.caseName())
                        && !ConformanceTest.NOT_YET_IMPLEMENTED.containsKey(r.file() + ":*")) unexpectedSkips.add(r.line());
            }
            assertTrue(report.count(Status.PASS) > 0, "no check ran on " + file + ": " + report.summary());
            assertEquals(List.of(), failures, "--backend cpu: " + report.summary());
            assertEquals(List.of(), unexpectedSkips, "skips not listed in ConformanceTest.NOT_YET_IMPLEMENTED");
        } finally {
            Backends.use(before.name());
        }
    }
}
