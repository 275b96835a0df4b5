package io.jax4j.checkpoint;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jax4j.Array;
import io.jax4j.fuzz.ParsesOrRefuses;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Issue 15, fuzzing: any {@code metadata.json} is either read or refused with a {@link CheckpointException}
 * (directly) or a {@link DamagedCheckpointException} naming the step (through a manager's step directory),
 * never with another exception type, nor with one of the JVM's runtime errors wrapped inside. Seeds, in
 * {@code CheckpointMetadataFuzzTestInputs/metadata/}: files written by {@link CheckpointManager#save}.
 */
class CheckpointMetadataFuzzTest {
    private static final Path DIR;
    private static final CheckpointManager MANAGER;

    static {
        try {
            DIR = Files.createTempDirectory("jax4j-metadata-fuzz");
            MANAGER = new CheckpointManager(DIR, CheckpointOptions.defaults(), w -> {});
            MANAGER.save(1, Map.of("params", Map.of("w", Array.of(1f, 2f))));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                MANAGER.close();
                try {
                    StepDirectory.deleteRecursively(DIR);
                } catch (IOException ignored) {
                    // a temporary directory
                }
            }));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "15s")
    void metadata(byte[] input) throws IOException {
        ParsesOrRefuses.check("CheckpointMetadata.fromJson", input.length, CheckpointException.class,
                () -> CheckpointMetadata.fromJson(input, "metadata.json"));
        Files.write(DIR.resolve("1").resolve(StepDirectory.METADATA_FILE), input);
        ParsesOrRefuses.check("CheckpointManager.metadata", input.length, DamagedCheckpointException.class, () -> MANAGER.metadata(1));
    }
}
