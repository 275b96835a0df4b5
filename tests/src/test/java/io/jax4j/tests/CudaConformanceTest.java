package io.jax4j.tests;

import io.jax4j.examples.conformance.CheckResult;
import io.jax4j.examples.conformance.ConformanceRunner;
import io.jax4j.examples.conformance.Report;
import io.jax4j.examples.conformance.RunOptions;
import io.jax4j.examples.conformance.Status;
import io.jax4j.spi.Backend;
import io.jax4j.spi.Backends;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
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
 * Every conformance fixture through jit on the cuda backend (float32 products in true FP32, as the
 * fixtures were made on JAX's CPU backend). Without a CUDA device every file is skipped, saying why.
 */
@Tag("gpu")
class CudaConformanceTest {
    private static String previous;

    static Stream<String> files() throws IOException, URISyntaxException {
        try (Stream<Path> s = Files.list(ConformanceTest.fixtures())) {
            return s.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".json")).sorted().toList().stream();
        }
    }

    /** Per test, so that each file counts as skipped (with the reason) where there is no device. */
    @BeforeEach
    void selectCuda() {
        Backend cuda = Backends.all().stream().filter(b -> b.name().equals("cuda")).findFirst().orElseThrow();
        Assumptions.assumeTrue(cuda.isAvailable(), () -> "GPU conformance skipped: " + cuda.unavailableReason());
        if (previous == null) previous = Backends.current().name();
        System.setProperty("jax4j.matmulPrecision", "highest");
        Backends.use("cuda");
    }

    @AfterAll
    static void restore() {
        if (previous != null) Backends.use(previous);
        System.clearProperty("jax4j.matmulPrecision");
    }

    @ParameterizedTest(name = "{0} on cuda")
    @MethodSource("files")
    void fixtureFilePassesOnTheGpu(String file) throws URISyntaxException {
        Report report = new ConformanceRunner(RunOptions.JIT).run(List.of(ConformanceTest.fixtures().resolve(file)), null);
        List<String> failures = new ArrayList<>();
        for (CheckResult r : report.results()) {
            if (r.status() == Status.FAIL) failures.add(r.line());
            if (r.status() == Status.SKIP && !ConformanceTest.NOT_YET_IMPLEMENTED.containsKey(r.file() + ":" + r.caseName())
                    && !ConformanceTest.NOT_YET_IMPLEMENTED.containsKey(r.file() + ":*")) failures.add("unexpected skip: " + r.line());
        }
        assertTrue(report.count(Status.PASS) > 0, "no check ran on " + file + ": " + report.summary());
        assertEquals(List.of(), failures, "cuda: " + report.summary());
    }
}
