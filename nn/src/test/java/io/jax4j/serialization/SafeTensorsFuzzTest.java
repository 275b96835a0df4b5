package io.jax4j.serialization;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jax4j.fuzz.ParsesOrRefuses;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Issue 15, fuzzing: any file given to the safetensors reader either reads (every tensor, with and
 * without the int64 conversion) or is refused with a {@link SerializationException}. Seeds, in
 * {@code SafeTensorsFuzzTestInputs/read/}: files written by {@link SafeTensors#write}.
 */
class SafeTensorsFuzzTest {
    private static final Path FILE;

    static {
        try {
            Path dir = Files.createTempDirectory("jax4j-safetensors-fuzz");
            dir.toFile().deleteOnExit();
            FILE = dir.resolve("input.safetensors");
            FILE.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "15s")
    void read(byte[] input) throws IOException {
        Files.write(FILE, input);
        ParsesOrRefuses.check("SafeTensors.read", input.length, SerializationException.class, () -> SafeTensors.read(FILE));
        ParsesOrRefuses.check("SafeTensors.read(convertInt64)", input.length, SerializationException.class,
                () -> SafeTensors.read(FILE, SafeTensors.Options.convertInt64()));
    }
}
