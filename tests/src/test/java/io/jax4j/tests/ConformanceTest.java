package io.jax4j.tests;

import io.jax4j.examples.conformance.CheckResult;
import io.jax4j.examples.conformance.ConformanceRunner;
import io.jax4j.examples.conformance.Report;
import io.jax4j.examples.conformance.RunOptions;
import io.jax4j.examples.conformance.Status;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the conformance runner on every fixture file in {@code src/test/resources/fixtures/}, eagerly
 * and through jit: no check may fail, and a check may be skipped only when its case is listed in
 * {@link #NOT_YET_IMPLEMENTED} with the issue that implements it.
 */
class ConformanceTest {
    /** {@code file:case} (or {@code file:*} for a whole file) → the issue that removes the skip. */
    static final Map<String, String> NOT_YET_IMPLEMENTED = Map.of();

    static Path fixtures() throws URISyntaxException {
        return Path.of(Objects.requireNonNull(ConformanceTest.class.getResource("/fixtures"), "fixtures on the test class path").toURI());
    }

    static Stream<Arguments> files() throws IOException, URISyntaxException {
        List<Arguments> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(fixtures())) {
            for (Path p : s.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                out.add(Arguments.of(p.getFileName().toString(), RunOptions.EAGER));
                out.add(Arguments.of(p.getFileName().toString(), RunOptions.JIT));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("files")
    void fixtureFilePasses(String file, RunOptions options) throws URISyntaxException {
        Report report = new ConformanceRunner(options).run(List.of(fixtures().resolve(file)), null);
        List<String> failures = new ArrayList<>(), unexpectedSkips = new ArrayList<>();
        for (CheckResult r : report.results()) {
            if (r.status() == Status.FAIL) failures.add(r.line());
            if (r.status() == Status.SKIP && !NOT_YET_IMPLEMENTED.containsKey(r.file() + ":" + r.caseName())
                    && !NOT_YET_IMPLEMENTED.containsKey(r.file() + ":*")) unexpectedSkips.add(r.line());
        }
        assertTrue(report.count(Status.PASS) > 0, "no check ran on " + file + ": " + report.summary());
        assertEquals(List.of(), failures, options.describe() + ": " + report.summary());
        assertEquals(List.of(), unexpectedSkips, "skips not listed in NOT_YET_IMPLEMENTED");
    }

    @org.junit.jupiter.api.Test
    void everyListedSkipIsStillSkipped() throws URISyntaxException {
        // the list must shrink as cases land: a listed case that now runs is an error here
        Report report = new ConformanceRunner(RunOptions.EAGER).run(List.of(fixtures()), null);
        for (String key : NOT_YET_IMPLEMENTED.keySet()) {
            if (key.endsWith(":*")) continue;
            boolean skipped = report.results().stream().anyMatch(r -> (r.file() + ":" + r.caseName()).equals(key) && r.status() == Status.SKIP);
            boolean ran = report.results().stream().anyMatch(r -> (r.file() + ":" + r.caseName()).equals(key) && r.status() != Status.SKIP);
            assertFalse(ran && !skipped, key + " runs now: remove it from NOT_YET_IMPLEMENTED");
        }
    }
}
