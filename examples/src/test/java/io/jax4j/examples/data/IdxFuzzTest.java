package io.jax4j.examples.data;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Issue 15, fuzzing: any file given to the Fashion-MNIST reader (IDX, gzip-compressed or not) either
 * reads or is refused with a {@link DataException}; a tensor that reads holds exactly the bytes its
 * dimensions promise. The input is parsed as IDX content (3 and 1 dimensions), read as the content of a
 * gzip images file beside a valid labels file, and read as the bytes of a {@code .gz} file itself. Seeds,
 * in {@code IdxFuzzTestInputs/read/}: files written by {@link Idx#encode} (and gzip), and a header whose
 * dimensions' product wraps around to 0 (which read as an empty tensor of 2^64 bytes before the fix).
 */
class IdxFuzzTest {
    /** Runtime errors that are bugs, wherever they appear in a cause chain. */
    private static final List<Class<? extends Throwable>> BUGS = List.of(OutOfMemoryError.class, StackOverflowError.class,
            NegativeArraySizeException.class, IndexOutOfBoundsException.class, ClassCastException.class,
            NullPointerException.class, ArithmeticException.class, IllegalStateException.class);

    private static final Path DIR, IMAGES, LABELS, INPUT_LABELS;

    static {
        try {
            DIR = Files.createTempDirectory("jax4j-idx-fuzz");
            IMAGES = DIR.resolve("train-images-idx3-ubyte.gz");
            LABELS = DIR.resolve("train-labels-idx1-ubyte.gz");
            INPUT_LABELS = DIR.resolve("input-labels-idx1-ubyte.gz");
            Files.write(LABELS, gzip(Idx.encode(new int[]{2}, new byte[]{3, 9})));
            for (Path p : List.of(IMAGES, LABELS, INPUT_LABELS, DIR)) p.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "15s")
    void read(byte[] input) throws IOException {
        check("Idx.parse(raw, 3)", input.length, () -> consistent(Idx.parse("input", input, 3)));
        check("Idx.parse(raw, 1)", input.length, () -> consistent(Idx.parse("input", input, 1)));
        Files.write(IMAGES, gzip(input));                       // the input as IDX content of a well-formed gzip file
        check("FashionMnist.read(gzip(input), labels)", input.length, () -> FashionMnist.read(IMAGES, LABELS));
        Files.write(INPUT_LABELS, input);                       // the input as the bytes of a .gz file
        check("Idx.read(input as .gz, 1)", input.length, () -> consistent(Idx.read(INPUT_LABELS, 1)));
    }

    private static byte[] gzip(byte[] b) throws IOException {
        var out = new ByteArrayOutputStream();
        try (var g = new GZIPOutputStream(out)) {
            g.write(b);
        }
        return out.toByteArray();
    }

    private static void consistent(Idx.Tensor t) {
        long size = 1;
        for (int d : t.dims()) size = Math.multiplyExact(size, d);
        assertEquals(size, t.data().length, "the data length of an IDX tensor of dims " + java.util.Arrays.toString(t.dims()));
    }

    private static void check(String what, int inputBytes, Runnable parse) {
        try {
            parse.run();
        } catch (DataException e) {
            for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
                for (var bug : BUGS) {
                    if (bug.isInstance(c)) throw new AssertionError(what + " of " + inputBytes + " bytes: DataException wrapping " + c, e);
                }
            }
        } catch (RuntimeException | Error e) {
            if (e instanceof AssertionError) throw e;
            throw new AssertionError(what + " of " + inputBytes + " bytes threw " + e.getClass().getName()
                    + " instead of DataException: " + e.getMessage(), e);
        }
    }
}
