package io.jax4j.xla.cpu;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The split of a large generated source into translation units compiled concurrently. */
class CCompilerSplitTest {
    static final String PRELUDE = "#include <math.h>\nstatic inline float j4_sq(float x) {\n    return x * x;\n}\n";

    static String source(int kernels, int linesEach) {
        return PRELUDE + IntStream.range(0, kernels).mapToObj(k -> "void k" + k + "(void* const* slots) {\n"
                + "    float* p = (float*) slots[" + k + "];\n" + "    p[0] = j4_sq(p[0]);\n".repeat(linesEach) + "}\n")
                .collect(Collectors.joining("\n"));
    }

    @Test
    void aLargeSourceIsCutBeforeKernelsIntoBalancedPartsEachWithThePrelude() {
        String src = source(12, 60);
        List<String> parts = CCompiler.split(src, 3);
        assertEquals(3, parts.size());
        for (String p : parts) assertTrue(p.startsWith(PRELUDE), p);
        for (int k = 0; k < 12; k++) {
            String head = "void k" + k + "(";
            assertEquals(1, parts.stream().filter(p -> p.contains(head)).count(), head);
        }
        // every kernel body line survives exactly once, in order
        String joined = parts.stream().map(p -> p.substring(PRELUDE.length())).collect(Collectors.joining());
        assertEquals(src.substring(PRELUDE.length()).strip(), joined.strip());
        int[] sizes = parts.stream().mapToInt(p -> p.split("\n").length).toArray();
        assertTrue(sizes[0] > 150 && sizes[2] > 150, java.util.Arrays.toString(sizes));
    }

    @Test
    void aSmallSourceOrOneCoreIsOneUnit() {
        assertEquals(1, CCompiler.split(source(3, 5), 4).size());
        assertEquals(1, CCompiler.split(source(12, 60), 1).size());
        assertEquals(1, CCompiler.split(source(1, 900), 4).size());
    }
}
