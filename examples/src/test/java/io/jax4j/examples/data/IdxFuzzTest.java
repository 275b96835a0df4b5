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
 * dimensions promise. The input is tried as a gzip images file beside a valid labels file, as a gzip
 * labels file, and uncompressed. Seeds, in {@code IdxFuzzTestInputs/read/}: files written by
 * {@link Idx#encode} (and gzip).
 */
class IdxFuzzTest {
    /** Runtime errors that are bugs, wherever they appear in a cause chain. */
    private static final List<Class<? extends Throwable>> BUGS = List.of(OutOfMemoryError.class, StackOverflowError.class,
            NegativeArraySizeException.class, IndexOutOfBoundsException.class, ClassCastException.class,
            NullPointerException.class, ArithmeticException.class, IllegalStateException.class);

    private static final Path DIR, IMAGES, LABELS, INPUT_LABELS, RAW;

    static {
        try {
            DIR = Files.createTempDirectory("jax4j-idx-fuzz");
            IMAGES = DIR.resolve("train-images-idx3-ubyte.gz");
            LABELS = DIR.resolve("train-labels-idx1-ubyte.gz");
            INPUT_LABELS = DIR.resolve("input-labels-idx1-ubyte.gz");
            RAW = DIR.resolve("input-idx3-ubyte");
            var gz = new ByteArrayOutputStream();
            try (var out = new GZIPOutputStream(gz)) {
                out.write(Idx.encode(new int[]{2}, new byte[]{3, 9}));
            }
            Files.write(LABELS, gz.toByteArray());
            for (Path p : List.of(IMAGES, LABELS, INPUT_LABELS, RAW, DIR)) p.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "15s")
    void read(byte[] input) throws IOException {
        Files.write(IMAGES, input);
        Files.write(INPUT_LABELS, input);
        Files.write(RAW, input);
        check("FashionMnist.read", input.length, () -> FashionMnist.read(IMAGES, LABELS));
        check("Idx.read(labels.gz, 1)", input.length, () -> consistent(Idx.read(INPUT_LABELS, 1)));
        check("Idx.read(raw, 3)", input.length, () -> consistent(Idx.read(RAW, 3)));
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
