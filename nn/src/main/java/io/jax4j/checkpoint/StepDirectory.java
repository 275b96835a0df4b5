package io.jax4j.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The files of a checkpoint directory and the one way a step gets there:
 * <pre>
 * dir/&lt;step&gt;.tmp-&lt;uuid&gt;/   written file by file, each file fsynced, then the directory fsynced
 *     rename (atomic)       dir/&lt;step&gt;/ = state.msgpack, metadata.json, commit_success.txt
 * fsync dir                 the rename itself is durable
 * </pre>
 * A step is committed when {@code dir/<step>/commit_success.txt} exists. A process killed before the
 * rename leaves only a {@code .tmp-} directory, which no listing sees and the next manager deletes; a
 * process killed after it leaves a complete step. Deletion renames the step to a {@code .tmp-} name
 * first, so a half-deleted step is never listed either.
 */
final class StepDirectory {
    static final String STATE_FILE = "state.msgpack";
    static final String METADATA_FILE = "metadata.json";
    static final String COMMIT_FILE = "commit_success.txt";
    static final String TMP_INFIX = ".tmp-";

    /**
     * Test hook: milliseconds to sleep after a step's files are written and before the rename, so that
     * a test can kill the process there. It prints one line to stderr, {@code PAUSE_LINE <tmp dir>},
     * before sleeping.
     */
    static final String PAUSE_PROPERTY = "jax4j.checkpoint.testPauseBeforeRenameMillis";
    static final String PAUSE_LINE = "jax4j.checkpoint: pausing before the rename of";

    private static final Pattern STEP_NAME = Pattern.compile("[0-9]{1,18}");

    private final Path dir;

    StepDirectory(Path dir) {
        this.dir = dir;
    }

    Path dir() { return dir; }

    Path stepPath(long step) { return dir.resolve(Long.toString(step)); }

    /** Creates the directory if needed and deletes the {@code .tmp-} leftovers of killed saves and deletions. */
    List<Path> open() {
        var removed = new ArrayList<Path>();
        try {
            Files.createDirectories(dir);
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path p : entries) {
                    if (p.getFileName().toString().contains(TMP_INFIX)) {
                        deleteRecursively(p);
                        removed.add(p);
                    }
                }
            }
            if (!removed.isEmpty()) fsyncDirectory(dir);
        } catch (IOException e) {
            throw io("cannot open the checkpoint directory " + dir, e);
        }
        return removed;
    }

    /** The committed steps, ascending. */
    List<Long> committedSteps() {
        var steps = new ArrayList<Long>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (STEP_NAME.matcher(name).matches() && Files.isRegularFile(p.resolve(COMMIT_FILE))) steps.add(Long.parseLong(name));
            }
        } catch (IOException e) {
            throw io("cannot list the checkpoint directory " + dir, e);
        }
        steps.sort(Comparator.naturalOrder());
        return steps;
    }

    boolean isCommitted(long step) {
        return Files.isRegularFile(stepPath(step).resolve(COMMIT_FILE));
    }

    /** Writes {@code files} (name to bytes, the commit marker added last) as step {@code step}, atomically. */
    void writeStep(long step, Map<String, byte[]> files) {
        Path tmp = dir.resolve(step + TMP_INFIX + UUID.randomUUID());
        try {
            Files.createDirectory(tmp);
            var all = new LinkedHashMap<>(files);
            all.put(COMMIT_FILE, ("step " + step + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            for (var f : all.entrySet()) writeSynced(tmp.resolve(f.getKey()), f.getValue());
            fsyncDirectory(tmp);
            pauseForTests(tmp);
            Files.move(tmp, stepPath(step), StandardCopyOption.ATOMIC_MOVE);
            fsyncDirectory(dir);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw io("cannot write step " + step + " into " + dir, e);
        } catch (RuntimeException | Error e) {
            deleteQuietly(tmp);
            throw e;
        }
    }

    byte[] read(long step, String file) {
        Path p = stepPath(step).resolve(file);
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw io("cannot read " + p, e);
        }
    }

    /** Deletes a committed step: renamed away first (atomic), then removed. */
    void deleteStep(long step) {
        Path doomed = dir.resolve(step + TMP_INFIX + "delete-" + UUID.randomUUID());
        try {
            Files.move(stepPath(step), doomed, StandardCopyOption.ATOMIC_MOVE);
            fsyncDirectory(dir);
            deleteRecursively(doomed);
        } catch (IOException e) {
            throw io("cannot delete step " + step + " from " + dir, e);
        }
    }

    // ---- files

    private static void writeSynced(Path file, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) ch.write(buf);
            ch.force(true);
        }
    }

    /** fsync of a directory (its entries); where the platform cannot open a directory (Windows) this is a no-op. */
    static void fsyncDirectory(Path d) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(d, StandardOpenOption.READ);
        } catch (IOException | UnsupportedOperationException e) {
            return;
        }
        try (ch) {
            ch.force(true);
        } catch (IOException e) {
            // some file systems refuse fsync on a directory; the files themselves are synced
        }
    }

    static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            deleteRecursively(p);
        } catch (IOException | UncheckedIOException ignored) {
            // the next manager removes the leftover .tmp- directory
        }
    }

    private static void pauseForTests(Path tmp) {
        String ms = System.getProperty(PAUSE_PROPERTY);
        if (ms == null) return;
        System.err.println(PAUSE_LINE + " " + tmp);
        System.err.flush();
        try {
            Thread.sleep(Long.parseLong(ms));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static CheckpointException io(String what, IOException e) {
        return new CheckpointException("CheckpointManager: " + what + ": " + e, e);
    }
}
