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
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
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
 *
 * <p>Only entries of {@code dir} itself whose whole name is one this class writes
 * ({@code <step>.tmp-<uuid>} or {@code <step>.tmp-delete-<uuid>}, directories, not links) are ever
 * deleted as leftovers; any other file, such as {@code notes.tmp-backup.txt}, is left alone.
 *
 * <p>One writer per directory: {@code dir/writer.lock} holds the pid of the process whose manager
 * writes there. A manager that cannot take it (another live process, or another manager of this
 * process, holds it; or the directory is read-only) can still list and restore, but does not write and
 * does not clean leftovers. A lock whose process is dead is stale and taken over.
 */
final class StepDirectory {
    static final String STATE_FILE = "state.msgpack";
    static final String METADATA_FILE = "metadata.json";
    static final String COMMIT_FILE = "commit_success.txt";
    static final String TMP_INFIX = ".tmp-";
    static final String LOCK_FILE = "writer.lock";
    /** The names of the temporary entries this class creates, and only those. */
    static final Pattern TMP_NAME = Pattern.compile(
            "[0-9]{1,18}\\.tmp-(delete-)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    /** An unreadable lock file younger than this may be one being written; older, it is the leftover of a crash. */
    private static final long UNREADABLE_LOCK_GRACE_MILLIS = 10_000;
    /** The directories whose writer lock a manager of this process holds. */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    /**
     * Runs with the temporary directory of a step whose files are all written and synced, just before
     * it is renamed into place: the moment a crash must leave the previous steps loadable. A no-op;
     * the package's tests observe the moment through it (kill the process there, or slow a save down).
     */
    static volatile Consumer<Path> beforeRename = tmp -> {};

    private static final Pattern STEP_NAME = Pattern.compile("[0-9]{1,18}");

    private final Path dir;
    private final Consumer<String> warn;
    private boolean locked;
    private Path heldKey;

    StepDirectory(Path dir, Consumer<String> warn) {
        this.dir = dir.normalize();
        this.warn = warn;
    }

    Path dir() { return dir; }

    Path stepPath(long step) { return dir.resolve(Long.toString(step)); }

    /**
     * Creates the directory if needed, takes the writer lock if it can and, holding it, deletes the
     * leftovers of killed saves and deletions. Returns null when this directory may be written, else why not.
     * A leftover that cannot be deleted is reported through the warning sink, not thrown: it is invisible.
     */
    String open() {
        try {
            if (!Files.isDirectory(dir)) Files.createDirectories(dir);
        } catch (IOException e) {
            throw io("cannot open the checkpoint directory " + dir + (Files.exists(dir) ? " (it exists but is not a directory)" : ""), e);
        }
        String refused = tryLock();
        if (refused != null) return refused;
        boolean removed = false;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                if (!isLeftover(p)) continue;
                try {
                    deleteRecursively(p);
                    removed = true;
                } catch (IOException | UncheckedIOException e) {
                    warn.accept("cannot delete the leftover " + p + " of a killed save (" + e.getMessage() + "); it is ignored");
                }
            }
        } catch (IOException e) {
            warn.accept("cannot list " + dir + " for leftovers of killed saves (" + e.getMessage() + ")");
        }
        if (removed) {
            try {
                fsyncDirectory(dir);
            } catch (IOException ignored) {
                // the deletions are not needed for correctness
            }
        }
        return null;
    }

    /** A temporary directory this class wrote: the exact name pattern, a directory, not a link. */
    static boolean isLeftover(Path p) {
        return TMP_NAME.matcher(p.getFileName().toString()).matches()
                && Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    // ---- the writer lock

    Path lockPath() { return dir.resolve(LOCK_FILE); }

    /** Takes the writer lock: null when taken, else who holds it or why it cannot be taken. */
    private String tryLock() {
        Path key;
        try {
            key = dir.toRealPath();                            // one key however the directory is spelled (links)
        } catch (IOException e) {
            key = dir;
        }
        if (!HELD.add(key)) return "another CheckpointManager of this process (pid " + ProcessHandle.current().pid() + ") writes to it";
        heldKey = key;
        try {
            for (int attempt = 0; attempt < 3; attempt++) {
                try (FileChannel ch = FileChannel.open(lockPath(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    String text = "pid " + ProcessHandle.current().pid() + "\nsince " + java.time.Instant.now() + "\n";
                    ch.write(ByteBuffer.wrap(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                    ch.force(true);
                    locked = true;
                    return null;
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    String holder = liveHolder();
                    if (holder != null) return holder;
                    try {
                        Files.deleteIfExists(lockPath());
                    } catch (IOException d) {
                        return "its stale lock " + lockPath() + " cannot be removed (" + d + ")";
                    }
                }
            }
            return "its lock " + lockPath() + " keeps being taken by other processes";
        } catch (IOException e) {
            return "the directory is not writable (" + e + ")";
        } finally {
            if (!locked) HELD.remove(key);
        }
    }

    /** Who holds the existing lock file, or null when the lock is stale (its process is dead). */
    private String liveHolder() {
        String text;
        try {
            text = Files.readString(lockPath());
        } catch (IOException e) {
            return null;                                       // gone meanwhile: try again
        }
        long pid = -1;
        for (String line : text.lines().toList()) {
            if (line.startsWith("pid ")) {
                try {
                    pid = Long.parseLong(line.substring(4).trim());
                } catch (NumberFormatException ignored) {
                    // unreadable: as if absent
                }
            }
        }
        if (pid <= 0) {
            long age;
            try {
                age = System.currentTimeMillis() - Files.getLastModifiedTime(lockPath()).toMillis();
            } catch (IOException e) {
                return null;
            }
            if (age < UNREADABLE_LOCK_GRACE_MILLIS) return "another process is taking its lock " + lockPath();
            warn.accept("taking over the unreadable lock " + lockPath() + " (" + age / 1000 + " s old)");
            return null;
        }
        // our own pid without our registry entry: a lock of an earlier process that had the same pid
        boolean alive = pid != ProcessHandle.current().pid()
                && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        if (alive) {
            String cmd = ProcessHandle.of(pid).flatMap(h -> h.info().command()).map(c -> ", " + c).orElse("");
            return "process " + pid + cmd + " holds its writer lock " + lockPath();
        }
        warn.accept("taking over the stale lock " + lockPath() + " of process " + pid + ", which is no longer running");
        return null;
    }

    /** Releases the writer lock if this directory holds it. */
    void unlock() {
        if (!locked) return;
        locked = false;
        try {
            String text = Files.readString(lockPath());
            if (text.startsWith("pid " + ProcessHandle.current().pid() + "\n")) Files.deleteIfExists(lockPath());
        } catch (IOException e) {
            // already gone, or unreadable: the next manager treats it as stale
        } finally {
            HELD.remove(heldKey);
        }
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
            beforeRename.accept(tmp);
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

    /**
     * Moves a committed step out of the listing, keeping its files: {@code dir/<step>} becomes
     * {@code dir/<step>.damaged} (or {@code .damaged-2}, ...). Returns the new path.
     */
    Path quarantine(long step) {
        try {
            Path target = dir.resolve(step + ".damaged");
            for (int i = 2; Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS); i++) target = dir.resolve(step + ".damaged-" + i);
            Files.move(stepPath(step), target, StandardCopyOption.ATOMIC_MOVE);
            fsyncDirectory(dir);
            return target;
        } catch (IOException e) {
            throw io("cannot move the damaged step " + step + " aside in " + dir, e);
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

    private static CheckpointException io(String what, IOException e) {
        return new CheckpointException("CheckpointManager: " + what + ": " + e, e);
    }
}
