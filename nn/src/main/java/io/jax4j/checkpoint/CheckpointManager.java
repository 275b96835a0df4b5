package io.jax4j.checkpoint;

import io.jax4j.serialization.FlaxSerialization;
import io.jax4j.serialization.SerializationException;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Orbax's {@code CheckpointManager}: a directory of training steps, each saved atomically as Flax
 * msgpack ({@code toStateDict(state)}) plus JSON metadata, old steps deleted by the keep policies of
 * {@link CheckpointOptions} once a newer step is committed, and strict restores into a target.
 *
 * <pre>{@code
 * try (var mgr = Checkpoints.manager(dir, CheckpointOptions.defaults().keepLast(3).async())) {
 *     if (mgr.latestStep().isPresent()) state = mgr.restore(mgr.latestStep().getAsLong(), state);
 *     for (...) {
 *         state = trainStep.apply(state, batch);
 *         mgr.save(step, state, Map.of("loss", loss));   // returns at once; the write runs on a virtual thread
 *     }
 * }                                                       // close waits for the last save
 * }</pre>
 *
 * <p>Restoring a {@code TrainState} takes its static fields ({@code applyFn}, {@code tx}) from the
 * target and everything else (step, params, optimizer state, extra fields such as batch stats and the
 * rng key) from the file. Restores are strict: a missing or extra key, or an array of another shape or
 * dtype, is a {@link CheckpointException} naming the key path; deliberate structure changes go through
 * {@link #restore(long, Object, Function)}'s transform.
 *
 * <p>Asynchronous saves: {@code save} converts the state to its state dict on the caller's thread (so
 * traced values are refused at once), then writes on a virtual thread; a new save, a restore and
 * {@link #waitUntilFinished()} first wait for the one in flight. An asynchronous save's error is thrown
 * by the next call of this manager, and by {@link #close()}.
 *
 * <p>One manager writes to a directory at a time: opening takes {@code dir/writer.lock} (the owner's
 * pid; a lock of a dead process is taken over). A manager that cannot take it, because another live
 * process or another manager of this process holds it or the directory is read-only, still lists and
 * restores; its {@code save} and {@code delete} throw a {@link CheckpointException} saying who holds the lock.
 *
 * <p>A damaged step (a file missing, truncated or corrupt) is a {@link DamagedCheckpointException}
 * naming it; {@link #restoreLatestIntact(Object)} restores the newest intact step instead, as Orbax
 * users do by hand.
 */
public final class CheckpointManager implements AutoCloseable {
    private final StepDirectory store;
    private final String writeRefusal;
    private final Consumer<String> warnings;
    private final CheckpointOptions options;
    private final Map<Long, Map<String, ? extends Number>> metricsCache = new ConcurrentHashMap<>();
    private Thread inFlight;
    private volatile Throwable asyncError;
    private volatile long asyncErrorStep;
    private boolean closed;

    CheckpointManager(Path dir, CheckpointOptions options) {
        this(dir, options, w -> System.getLogger("io.jax4j.checkpoint").log(System.Logger.Level.WARNING, "CheckpointManager: " + w));
    }

    /** A manager whose warnings (a skipped damaged metadata file, a stale lock taken over) go to {@code warnings}. */
    CheckpointManager(Path dir, CheckpointOptions options, Consumer<String> warnings) {
        this.warnings = Objects.requireNonNull(warnings, "warnings is null");
        this.store = new StepDirectory(Objects.requireNonNull(dir, "dir is null").toAbsolutePath(), warnings);
        this.options = Objects.requireNonNull(options, "options is null");
        this.writeRefusal = store.open();
    }

    /** Whether this manager holds the directory's writer lock (false: it can only list and restore). */
    public boolean isWriter() { return writeRefusal == null; }

    /** Why this manager cannot write (who holds the lock, or a read-only directory); empty for the writer. */
    public java.util.Optional<String> readOnlyReason() { return java.util.Optional.ofNullable(writeRefusal); }

    private void requireWriter(String what) {
        if (writeRefusal != null) {
            throw new CheckpointException("CheckpointManager." + what + ": this manager cannot write to " + store.dir() + ": " + writeRefusal
                    + ". One CheckpointManager writes to a directory at a time: close the other one (or wait for its process to end),"
                    + " or use another directory; this manager can still restore");
        }
    }

    public Path directory() { return store.dir(); }

    public CheckpointOptions options() { return options; }

    // ---------------------------------------------------------------- steps

    /** The newest committed step, or empty when there is none. */
    public synchronized OptionalLong latestStep() {
        checkUsable();
        List<Long> steps = store.committedSteps();
        return steps.isEmpty() ? OptionalLong.empty() : OptionalLong.of(steps.getLast());
    }

    /** The committed steps, ascending (a save in flight is not among them until it commits). */
    public synchronized List<Long> allSteps() {
        checkUsable();
        return List.copyOf(store.committedSteps());
    }

    // ---------------------------------------------------------------- save

    /** {@link #save(long, Object, Map, boolean)} without force: steps off the save interval are skipped. */
    public boolean save(long step, Object state, Map<String, ? extends Number> metrics) {
        return save(step, state, metrics, false);
    }

    /** {@link #save(long, Object, Map)} with no metrics. */
    public boolean save(long step, Object state) {
        return save(step, state, Map.of(), false);
    }

    /**
     * Saves {@code state} as step {@code step}: {@code dir/<step>/state.msgpack} holds the Flax msgpack of
     * {@code FlaxSerialization.toStateDict(state)}, {@code metadata.json} the step, time, metrics and tree
     * structure. Returns false, writing nothing, when {@code step} is not a multiple of the save interval
     * and {@code force} is false. After the step commits, older steps outside the keep policies are deleted.
     *
     * @throws CheckpointException when the step exists already, a leaf is traced, or the write fails
     *                             (asynchronously: from the next call)
     * @throws IllegalArgumentException when keep-best is set and {@code metrics} lacks its metric
     */
    public synchronized boolean save(long step, Object state, Map<String, ? extends Number> metrics, boolean force) {
        checkUsable();
        Objects.requireNonNull(metrics, "metrics is null");
        if (step < 0) throw new IllegalArgumentException("CheckpointManager.save: step must be >= 0, got " + step);
        requireWriter("save");
        finishInFlight();
        if (!force && step % options.saveIntervalSteps() != 0) return false;
        if (store.isCommitted(step)) {
            throw new CheckpointException("CheckpointManager.save: step " + step + " already exists in " + store.dir()
                    + "; save each step once (or delete the directory " + store.stepPath(step) + " first)");
        }
        checkMetrics(step, metrics);
        Object stateDict = FlaxSerialization.toStateDict(state);
        var metadata = new CheckpointMetadata(CheckpointMetadata.FORMAT_VERSION, step, Instant.now(), new java.util.LinkedHashMap<String, Number>(metrics),
                CheckpointMetadata.describe(stateDict));
        // the arrays are serialized now, as Orbax copies device arrays to the host before an async save
        // returns: the caller may then donate or close them (a jitted step with donate(0)) while the
        // bytes are written
        byte[] bytes = FlaxSerialization.toBytes(stateDict);
        Runnable job = () -> write(step, bytes, metadata);
        if (options.asyncSave()) {
            inFlight = Thread.ofVirtual().name("jax4j-checkpoint-save-" + step).start(() -> {
                try {
                    job.run();
                } catch (Throwable t) {
                    asyncErrorStep = step;
                    asyncError = t;
                }
            });
        } else {
            job.run();
        }
        return true;
    }

    /** Blocks until the save in flight (if any) has committed; throws its error if it failed. */
    public synchronized void waitUntilFinished() {
        finishInFlight();
    }

    private void write(long step, byte[] state, CheckpointMetadata metadata) {
        var files = new LinkedHashMap<String, byte[]>();
        files.put(StepDirectory.STATE_FILE, state);
        files.put(StepDirectory.METADATA_FILE, metadata.toJson());
        store.writeStep(step, files);
        metricsCache.put(step, metadata.metrics());
        // the step has committed: a failure of the retention below must not make the save look failed
        try {
            for (long old : stepsToDelete(store.committedSteps())) {
                store.deleteStep(old);
                metricsCache.remove(old);
            }
        } catch (RuntimeException e) {
            warnings.accept("step " + step + " was saved, but deleting older steps failed: " + e.getMessage());
        }
    }

    private void checkMetrics(long step, Map<String, ? extends Number> metrics) {
        if (options.keepBest() > 0 && !metrics.containsKey(options.bestMetric())) {
            throw new IllegalArgumentException("CheckpointManager.save: the options keep the best " + options.keepBest() + " steps by '"
                    + options.bestMetric() + "' but the metrics of step " + step + " are " + metrics.keySet()
                    + "; pass the metric, e.g. Map.of(\"" + options.bestMetric() + "\", value)");
        }
    }

    /** The steps the keep policies drop: neither latest, nor among the last N, nor among the best N, nor unranked. */
    private List<Long> stepsToDelete(List<Long> steps) {
        if (steps.isEmpty() || (options.keepLast() == 0 && options.keepBest() == 0)) return List.of();
        Set<Long> keep = new LinkedHashSet<>();
        keep.add(steps.getLast());
        if (options.keepLast() > 0) keep.addAll(steps.subList(Math.max(0, steps.size() - options.keepLast()), steps.size()));
        if (options.keepBest() > 0) {
            var ranked = new ArrayList<Long>();
            for (long s : steps) {
                if (metricOf(s) == null) keep.add(s);       // written under other options: never deleted by guesswork
                else ranked.add(s);
            }
            ranked.sort(Comparator.comparingDouble(this::score).thenComparing(Comparator.reverseOrder()));
            keep.addAll(ranked.subList(0, Math.min(options.keepBest(), ranked.size())));
        }
        return steps.stream().filter(s -> !keep.contains(s)).toList();
    }

    /** Smaller is better; NaN is worst. Ties go to the newer step. */
    private double score(long step) {
        double v = metricOf(step);
        if (Double.isNaN(v)) return Double.POSITIVE_INFINITY;
        return options.bestMaximize() ? -v : v;
    }

    /** The step's keep-best metric; null when it has none or its metadata is unreadable (a warning; the step is then kept). */
    private Double metricOf(long step) {
        Map<String, ? extends Number> m = metricsCache.get(step);
        if (m == null) {
            try {
                m = readMetadata(step).metrics();
            } catch (CheckpointException e) {
                warnings.accept("keep-best cannot rank step " + step + " (" + e.getMessage() + "); it is kept and the other steps are ranked");
                m = Map.of();
            }
            metricsCache.put(step, m);
        }
        Number v = m.get(options.bestMetric());
        return v == null ? null : v.doubleValue();
    }

    // ---------------------------------------------------------------- restore

    /**
     * {@code target}'s structure filled with step {@code step}'s values, strictly: every key of the target
     * must be saved and no other, with the target's shapes and dtypes. Static fields (a {@code TrainState}'s
     * {@code applyFn} and {@code tx}) come from the target.
     *
     * @throws CheckpointException naming the key path of the first mismatch, or when the step does not exist
     */
    public <T> T restore(long step, T target) {
        return restore(step, target, Function.identity());
    }

    /**
     * {@link #restore(long, Object)} after {@code transform} rewrites the saved state dict (nested maps
     * with String keys, array leaves): the hook for deliberate structure changes, such as a renamed layer,
     * a new head, or dropping the optimizer state. The transformed dict is then restored strictly.
     */
    public synchronized <T> T restore(long step, T target, Function<Map<String, Object>, Map<String, Object>> transform) {
        Objects.requireNonNull(transform, "transform is null");
        Map<String, Object> raw = restoreRaw(step);
        Map<String, Object> transformed = transform.apply(raw);
        if (transformed == null) throw new IllegalArgumentException("CheckpointManager.restore: the transform returned null for step " + step);
        try {
            return FlaxSerialization.fromStateDict(target, transformed);
        } catch (SerializationException e) {
            throw new CheckpointException("CheckpointManager.restore: step " + step + " in " + store.dir()
                    + " does not fit the target: " + e.getMessage(), e);
        }
    }

    /**
     * {@link #restore(long, Object)} of the latest step.
     *
     * @throws DamagedCheckpointException naming the step when the latest step is damaged, and the newest
     *                                    intact one that {@link #restoreLatestIntact(Object)} would restore
     */
    public <T> T restoreLatest(T target) {
        OptionalLong latest = latestStep();
        if (latest.isEmpty()) throw new CheckpointException("CheckpointManager.restoreLatest: " + store.dir() + " holds no committed step");
        long step = latest.getAsLong();
        try {
            return restore(step, target);
        } catch (DamagedCheckpointException e) {
            List<Long> older = allSteps().stream().filter(s -> s < step).toList();
            String fallback = older.isEmpty() ? "there is no older step"
                    : "restoreLatestIntact(target) restores the newest intact one of the older steps " + older;
            throw new DamagedCheckpointException(step, "CheckpointManager.restoreLatest: the latest step " + step + " is damaged: "
                    + e.getMessage() + "; " + fallback, e);
        }
    }

    /**
     * A restored state and where it came from.
     *
     * @param step    the step restored: the newest intact one
     * @param state   the target filled with its values
     * @param damaged the newer steps passed over, each with what is wrong with it (empty when the latest step was intact)
     */
    public record Restored<T>(long step, T state, Map<Long, String> damaged) {
        public Restored {
            damaged = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(damaged));
        }
    }

    /**
     * Orbax's manual fallback as one call: restores the newest step whose files are intact (its metadata
     * and state read back), passing over damaged newer steps and saying which and why. A step that reads
     * back but does not fit the target is an error, not a reason to fall back.
     *
     * @throws CheckpointException when there is no committed step, every step is damaged, or the newest intact step does not fit
     */
    public <T> Restored<T> restoreLatestIntact(T target) {
        List<Long> steps = allSteps();
        if (steps.isEmpty()) throw new CheckpointException("CheckpointManager.restoreLatestIntact: " + store.dir() + " holds no committed step");
        var damaged = new LinkedHashMap<Long, String>();
        for (long step : steps.reversed()) {
            try {
                metadata(step);
                return new Restored<>(step, restore(step, target), damaged);
            } catch (DamagedCheckpointException e) {
                damaged.put(step, e.getMessage());
            }
        }
        throw new DamagedCheckpointException(steps.getLast(), "CheckpointManager.restoreLatestIntact: every step in " + store.dir()
                + " is damaged: " + damaged, null);
    }

    /** Deletes the committed step {@code step} (Orbax's {@code delete}). */
    public synchronized void delete(long step) {
        checkUsable();
        requireWriter("delete");
        finishInFlight();
        requireStep(step, "delete");
        store.deleteStep(step);
        metricsCache.remove(step);
    }

    /**
     * Moves the committed step {@code step} out of the listing without deleting its files, to
     * {@code dir/<step>.damaged}: for a damaged step that a resumed run would otherwise save over.
     * Returns the path it now has.
     */
    public synchronized Path moveAside(long step) {
        checkUsable();
        requireWriter("moveAside");
        finishInFlight();
        requireStep(step, "moveAside");
        metricsCache.remove(step);
        return store.quarantine(step);
    }

    /** The saved state dict of step {@code step}: nested unmodifiable maps in file order, array and number leaves. */
    @SuppressWarnings("unchecked")
    public synchronized Map<String, Object> restoreRaw(long step) {
        checkUsable();
        finishInFlight();
        requireStep(step, "restore");
        Object raw;
        Path file = store.stepPath(step).resolve(StepDirectory.STATE_FILE);
        try {
            raw = FlaxSerialization.fromBytes(store.read(step, StepDirectory.STATE_FILE));
        } catch (RuntimeException e) {
            throw new DamagedCheckpointException(step, "CheckpointManager.restore: step " + step + " is damaged: " + file
                    + " cannot be read back: " + e.getMessage(), e);
        }
        if (!(raw instanceof Map<?, ?> m)) {
            throw new DamagedCheckpointException(step, "CheckpointManager.restore: step " + step + " is damaged: " + file + " holds a "
                    + (raw == null ? "null" : raw.getClass().getSimpleName()) + ", not a state dict (a map); was it written by CheckpointManager.save?", null);
        }
        return (Map<String, Object>) m;
    }

    /** The metadata of step {@code step}: time, metrics and the saved tree's key paths, dtypes and shapes. */
    public synchronized CheckpointMetadata metadata(long step) {
        checkUsable();
        requireStep(step, "metadata");
        return readMetadata(step);
    }

    private CheckpointMetadata readMetadata(long step) {
        String where = store.stepPath(step).resolve(StepDirectory.METADATA_FILE).toString();
        try {
            return CheckpointMetadata.fromJson(store.read(step, StepDirectory.METADATA_FILE), where);
        } catch (RuntimeException e) {
            throw new DamagedCheckpointException(step, "CheckpointManager: step " + step + " is damaged: " + e.getMessage(), e);
        }
    }

    private void requireStep(long step, String what) {
        if (!store.isCommitted(step)) {
            throw new CheckpointException("CheckpointManager." + what + ": no committed step " + step + " in " + store.dir()
                    + "; the committed steps are " + store.committedSteps());
        }
    }

    // ---------------------------------------------------------------- lifecycle

    /** Waits for the save in flight and throws its error, if any; the manager cannot be used afterwards. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            finishInFlight();
        } finally {
            store.unlock();
        }
    }

    private void checkUsable() {
        if (closed) throw new IllegalStateException("CheckpointManager of " + store.dir() + " is closed");
        Thread t = inFlight;
        if (t != null && !t.isAlive()) finishInFlight();
    }

    /** Joins the save in flight and rethrows its error (once). */
    private void finishInFlight() {
        Thread t = inFlight;
        if (t != null) {
            boolean interrupted = false;
            while (true) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
            inFlight = null;
        }
        Throwable e = asyncError;
        if (e != null) {
            asyncError = null;
            throw new CheckpointException("CheckpointManager: the asynchronous save of step " + asyncErrorStep + " into " + store.dir()
                    + " failed: " + e.getMessage(), e);
        }
    }
}
