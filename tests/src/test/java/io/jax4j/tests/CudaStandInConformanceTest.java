package io.jax4j.tests;

import io.jax4j.examples.conformance.CheckResult;
import io.jax4j.examples.conformance.ConformanceRunner;
import io.jax4j.examples.conformance.Report;
import io.jax4j.examples.conformance.RunOptions;
import io.jax4j.examples.conformance.Status;
import io.jax4j.spi.Backend;
import io.jax4j.spi.Backends;
import io.jax4j.xla.cuda.CudaStandInBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every conformance fixture through jit on the cuda backend's host side, with no GPU: the CUDA
 * stand-in driver (xla-lower's tests) runs each program's launch plan (device-resident arrays,
 * staging, graphs, cuBLAS products, convolutions as gathers and products, dedicated kernels) with
 * the C build of the same kernels, so every Flax, Optax and ops check that passes on the GPU's
 * program structure is checked here on every build.
 */
class CudaStandInConformanceTest {
    private static Backend previous;

    @BeforeAll
    static void selectStandIn() {
        previous = Backends.current();
        Backends.use(CudaStandInBackend.create());
    }

    @AfterAll
    static void restore() {
        if (previous != null) Backends.use(previous);
    }

    @Test
    void everyFixtureFilePassesThroughTheCudaBackendsHostSide() throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(ConformanceTest.fixtures())) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        }
        Report report = new ConformanceRunner(RunOptions.JIT).run(files, null);
        List<String> failures = new ArrayList<>();
        for (CheckResult r : report.results()) {
            if (r.status() == Status.FAIL) failures.add(r.line());
            if (r.status() == Status.SKIP && !ConformanceTest.NOT_YET_IMPLEMENTED.containsKey(r.file() + ":" + r.caseName())
                    && !ConformanceTest.NOT_YET_IMPLEMENTED.containsKey(r.file() + ":*")) failures.add("unexpected skip: " + r.line());
        }
        assertTrue(report.count(Status.PASS) > 400, report.summary());
        assertEquals(List.of(), failures, "cuda stand-in: " + report.summary());
    }
}
