package io.jax4j.examples.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Random;
import io.jax4j.autodiff.Jax;
import io.jax4j.distributed.Distributed;
import io.jax4j.checkpoint.CheckpointManager;
import io.jax4j.checkpoint.CheckpointOptions;
import io.jax4j.checkpoint.Checkpoints;
import io.jax4j.examples.data.Dataset;
import io.jax4j.linen.TrainState;
import io.jax4j.optim.Schedule;
import io.jax4j.spi.Backends;
import io.vavr.Function3;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The training loop of the tutorial ({@code train_and_evaluate} with {@code train_epoch}): per
 * epoch a key split off the main key shuffles the training set with {@code Random.permutation}, the
 * incomplete last batch is skipped, each batch goes through the jitted {@code train_step}, the test
 * set through {@code eval_step}. Around it: a checkpoint per epoch through a {@link CheckpointManager}
 * ({@code workdir/checkpoints/STEP/}, the newest {@code keepCheckpoints} kept, saved asynchronously),
 * exact resumption, a stop flag checked between steps (Ctrl-C: a checkpoint of the current step, waited
 * for), metrics.json and the PNG of the curves.
 *
 * <p>A checkpoint holds the {@code TrainState} in Flax's layout ({@code step, params, opt_state,
 * batch_stats, key}); its metadata's metrics hold the position in the data order ({@code epoch}
 * completed epochs, {@code batch} batches into the next), the run's settings ({@code config.*}, checked
 * on resume), the seconds spent in the epoch in progress and the last epoch's summary. The per-step
 * records are in {@code metrics.json}, written before each checkpoint, and cut back to the checkpoint's
 * step on resume.
 *
 * <p>The keys are the tutorial's: {@code main, params, dropout = split(key(seed), 3)}, then
 * {@code main, input = split(main)} per epoch. A resumed run recomputes the main key for the epoch
 * it resumes in and skips the steps already done, so it draws exactly the batches an uninterrupted
 * run draws.
 */
public final class Trainer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Cnn model;
    private final TrainConfig config;
    private final Dataset train;
    private final Dataset test;
    private final Display display;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final CheckpointManager checkpoints;
    private long lastSaved = -1;
    private StepListener listener = (trainer, step) -> {};
    /** Replicas of the step in this process (pmap over virtual devices); with the processes, the shards of a batch. */
    private int replicas = 1;
    /** Process 0 of a multi-process run (or the only one): it alone writes checkpoints, metrics.json, curves.png. */
    private final boolean chief = Jax.processIndex() == 0;

    /** Called after each training step with the global step count (1-based); tests use it to interrupt. */
    @FunctionalInterface
    public interface StepListener {
        void afterStep(Trainer trainer, int globalStep);
    }

    /** How a run ended: its final state, its records, whether it was stopped before the end. */
    public record Result(TrainState<Training.Extra> state, RunHistory history, boolean interrupted, int steps) {}

    public Trainer(Cnn model, TrainConfig config, Dataset train, Dataset test, Display display) {
        this.model = model;
        this.config = config;
        this.train = train;
        this.test = test;
        this.display = display;
        if (train.size() < config.batchSize()) {
            throw new IllegalArgumentException("--batch-size " + config.batchSize() + " is larger than the training set ("
                    + train.size() + " examples): no complete batch");
        }
        checkWorkdir(config);
        if (!chief) Distributed.barrier();   // process 0 takes the workdir (its lock, --overwrite) first; the others only read it
        this.checkpoints = Checkpoints.manager(config.workdir().resolve("checkpoints"),
                CheckpointOptions.defaults().keepLast(config.keepCheckpoints()).async());
        if (chief && !checkpoints.isWriter()) {
            String why = checkpoints.readOnlyReason().orElse("");
            checkpoints.close();
            throw new IllegalArgumentException("--workdir " + config.workdir() + ": its checkpoints cannot be written: " + why
                    + "; is another 'jax4j train' running there? Use another --workdir");
        }
        if (chief && config.overwrite()) discardPreviousRun();
        if (chief && Jax.processCount() > 1) Distributed.barrier();
    }

    /**
     * Data-parallel training over {@code localReplicas} replicas in this process (times the processes
     * of a multi-process run): each global batch is split into equal shards, one per replica, and the
     * step is {@link Training#dataParallelTrainStep}; the parameters equal one device's up to
     * floating-point reduction order, so checkpoints resume with any replica count.
     *
     * @throws IllegalArgumentException when the batch size does not split evenly, or there are too few devices
     */
    public Trainer dataParallel(int localReplicas) {
        int shards = localReplicas * Jax.processCount();
        if (localReplicas < 1) throw new IllegalArgumentException("--devices must be at least 1, got " + localReplicas);
        if (config.batchSize() % shards != 0) {
            throw new IllegalArgumentException("--batch-size " + config.batchSize() + " does not split into " + shards + " equal shards ("
                    + localReplicas + " device" + (localReplicas == 1 ? "" : "s") + " x " + Jax.processCount() + " process"
                    + (Jax.processCount() == 1 ? "" : "es") + "): give a multiple of " + shards);
        }
        if (localReplicas > Jax.localDeviceCount()) {
            throw new IllegalArgumentException("--devices " + localReplicas + ": this process has " + Jax.localDeviceCount() + " device(s) "
                    + Jax.localDevices() + "; on the host, -Djax4j.cpuDevices=" + localReplicas + " (./jax4j train --devices sets it) adds virtual ones");
        }
        this.replicas = localReplicas;
        return this;
    }

    /** Whether each step is split over replicas (several devices or processes). */
    private boolean isDataParallel() { return replicas * Jax.processCount() > 1; }

    /**
     * The start-up checks of the workdir, before any data is loaded: it must be a directory (or absent),
     * and a workdir holding checkpoints takes {@code --resume} or {@code --overwrite}, so that a new run
     * never trains an epoch and then stops on a step that exists, having overwritten metrics.json.
     *
     * @throws IllegalArgumentException one sentence naming the workdir and the ways on
     */
    public static void checkWorkdir(TrainConfig config) {
        Path w = config.workdir();
        if (Files.exists(w) && !Files.isDirectory(w)) {
            throw new IllegalArgumentException("--workdir " + w + " is a file, not a directory: give a directory (it is created if absent)");
        }
        Path ckpt = w.resolve("checkpoints");
        if (Files.exists(ckpt) && !Files.isDirectory(ckpt)) {
            throw new IllegalArgumentException("--workdir " + w + ": " + ckpt + " is a file, not a directory of checkpoints: give another --workdir");
        }
        if (config.overwrite()) return;
        java.util.List<Long> steps = Checkpoints.committedSteps(ckpt);
        if (config.resume()) {   // the options of the run to continue, before its data is loaded
            if (steps.isEmpty()) return;
            try {
                checkSameRun(config, Checkpoints.metadata(ckpt, steps.getLast()).metrics(), ckpt);
            } catch (io.jax4j.checkpoint.CheckpointException damaged) {
                // the restore falls back to an older intact step and checks that one
            }
            return;
        }
        if (!steps.isEmpty()) {
            throw new IllegalArgumentException("--workdir " + w + " holds the checkpoints of an earlier run (steps " + steps
                    + "): continue it with --resume, start a new run in another --workdir, or replace it with --overwrite");
        }
    }

    /** {@code --overwrite}: deletes the earlier run's checkpoints, metrics.json and curves.png. */
    private void discardPreviousRun() {
        java.util.List<Long> steps = checkpoints.allSteps();
        for (long s : steps) checkpoints.delete(s);
        try {
            Files.deleteIfExists(config.workdir().resolve("metrics.json"));
            Files.deleteIfExists(config.workdir().resolve("curves.png"));
        } catch (IOException e) {
            throw new UncheckedIOException("--overwrite: cannot delete the earlier run's files in " + config.workdir(), e);
        }
        if (!steps.isEmpty()) display.info("--overwrite: deleted the earlier run's checkpoints (steps " + steps + "), metrics.json and curves.png");
    }

    public Trainer onStep(StepListener l) {
        this.listener = l;
        return this;
    }

    /** Asks the loop to save a checkpoint and return after the current step (Ctrl-C). */
    public void requestStop() { stop.set(true); }

    /** The run's checkpoint manager (open until {@link #close()}). */
    public CheckpointManager checkpoints() { return checkpoints; }

    /** Waits for a checkpoint save in flight and closes the manager. */
    @Override
    public void close() { checkpoints.close(); }

    public int stepsPerEpoch() { return train.size() / config.batchSize(); }

    /** The learning-rate schedule of this run. */
    public Schedule schedule() {
        return Training.learningRateFn(config.learningRate(), config.warmupEpochs(), config.epochs(), stepsPerEpoch());
    }

    public Result run() {
        int spe = stepsPerEpoch();
        int totalSteps = spe * config.epochs();
        Schedule schedule = schedule();
        double[] lrs = schedule.apply(Array.arange(totalSteps)).toDoubleArray();
        Array[] keys = rows(Random.split(Random.key(config.seed()), 3));
        TrainState<Training.Extra> state = Training.createTrainState(model, keys[1], keys[2],
                new int[]{1, train.height(), train.width(), train.channels()}, Training.sgd(schedule, config.momentum()));
        RunHistory history = new RunHistory();
        int startEpoch = 0, startBatch = 0;
        if (config.resume()) {
            if (!checkpoints.allSteps().isEmpty()) {
                CheckpointManager.Restored<TrainState<Training.Extra>> restored = checkpoints.restoreLatestIntact(state);
                long at = restored.step();
                Map<String, Number> meta = checkpoints.metadata(at).metrics();
                checkSameRun(config, meta, checkpoints.directory());
                state = restored.state();
                startEpoch = meta.get("epoch").intValue();
                startBatch = meta.get("batch").intValue();
                if (state.step().intValue() != at || startEpoch * spe + startBatch != at) {
                    throw new IllegalArgumentException("--resume: checkpoint " + at + " in " + checkpoints.directory() + " holds step "
                            + state.step().intValue() + " at epoch " + startEpoch + ", batch " + startBatch + " of " + spe
                            + "; it does not belong to this run: use another --workdir");
                }
                history = RunHistory.resumed(readMetrics(), (int) at, startEpoch * spe, meta.get("epoch_seconds").doubleValue());
                String why = "the latest checkpoint";
                if (!restored.damaged().isEmpty() && chief) {
                    // the damaged newer steps are kept for inspection, out of the way of the steps this run saves again
                    restored.damaged().forEach((s, reason) -> display.info("--resume: step " + s + " is damaged (" + reason + "); moved it to "
                            + checkpoints.moveAside(s)));
                    why = "the newest intact checkpoint: the newer step" + (restored.damaged().size() > 1 ? "s " : " ")
                            + restored.damaged().keySet() + (restored.damaged().size() > 1 ? " are" : " is") + " damaged";
                }
                display.info("resuming from " + checkpoints.directory().resolve(Long.toString(at)) + " (step " + at
                        + ", epoch " + (startEpoch + 1) + " batch " + startBatch + "), " + why);
            } else {
                display.info("--resume: no checkpoint in " + checkpoints.directory() + ", starting from scratch");
            }
        }
        var trainStep = isDataParallel() ? Training.dataParallelTrainStep(model) : Training.trainStep(model);
        var evalStep = Training.evalStep(model);
        Dataset.Batcher batcher = train.batcher(config.batchSize());
        int b = config.batchSize();
        int step = state.step().intValue();
        Array mainKey = keys[0];
        for (int epoch = 0; epoch < config.epochs(); epoch++) {
            Array[] split = rows(Random.split(mainKey));
            mainKey = split[0];
            if (epoch < startEpoch) continue;
            int first = epoch == startEpoch ? startBatch : 0;
            int[] perm = Random.permutation(split[1], train.size()).toIntArray();
            display.startEpoch(epoch + 1, config.epochs(), spe, first);
            long t0 = System.nanoTime();
            Array[] next = first < spe ? batch(batcher, perm, first, b) : null;
            for (int s = first; s < spe; s++) {
                if (stop.get()) return interrupt(state, history, t0);
                Array images = next[0], labels = next[1];
                Training.StepOut out = trainStep.apply(state, images, labels);
                // on a GPU the step is queued: the next batch is made and sent while it runs
                if (s + 1 < spe) next = batch(batcher, perm, s + 1, b);
                state = out.state();
                history.record(out.metrics().loss().item(), out.metrics().accuracy().item(), lrs[step]);
                step++;
                display.step(s + 1, history.epochLossSum / history.epochSteps, history.epochAccuracySum / history.epochSteps);
                listener.afterStep(this, step);
            }
            double trainSeconds = history.epochSeconds + (System.nanoTime() - t0) / 1e9;
            Training.Metrics testMetrics = evaluate(evalStep, state, test, config.evalBatchSize());
            double seconds = history.epochSeconds + (System.nanoTime() - t0) / 1e9;
            EpochRecord r = new EpochRecord(epoch + 1, step, history.epochLossSum / history.epochSteps,
                    history.epochAccuracySum / history.epochSteps, testMetrics.loss().item(), testMetrics.accuracy().item(),
                    lrs[step - 1], seconds, history.epochSteps / trainSeconds);
            history.endEpoch(r);
            display.endEpoch(r, config.epochs());
            Path saved = save(state, history, epoch + 1, 0);
            if (stop.get() && epoch + 1 < config.epochs()) {
                checkpoints.waitUntilFinished();
                display.info("interrupted after epoch " + (epoch + 1) + "; saved " + saved + "; continue with --resume");
                return new Result(state, history, true, step);
            }
        }
        checkpoints.waitUntilFinished();
        return new Result(state, history, false, step);
    }

    /**
     * Batch {@code s} of the epoch's order: whole, or data-parallel this process's shard of it (rows
     * {@code [p * b / P, (p + 1) * b / P)} for process p of P) as {@code [replicas, rows, ...]}.
     */
    private Array[] batch(Dataset.Batcher batcher, int[] perm, int s, int b) {
        if (!isDataParallel()) return onDevice(batcher, perm, s * b, (s + 1) * b);
        int share = b / Jax.processCount(), from = s * b + Jax.processIndex() * share;
        Array[] mine = onDevice(batcher, perm, from, from + share);
        int rows = share / replicas;
        int[] imageShape = mine[0].shape();
        imageShape[0] = rows;
        return new Array[]{mine[0].reshape(concat(new int[]{replicas}, imageShape)), mine[1].reshape(replicas, rows)};
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Rows {@code [from, to)} of the epoch's order, on the device the jitted step runs on (as JAX's device_put of the next batch). */
    private static Array[] onDevice(Dataset.Batcher batcher, int[] perm, int from, int to) {
        io.jax4j.Device device = io.jax4j.spi.Backends.current().device();
        List<Array> batch = List.of(batcher.images(perm, from, to), batcher.labels(perm, from, to));
        if (!device.equals(io.jax4j.Device.CPU)) batch = io.jax4j.autodiff.Jax.devicePut(batch, device);
        return batch.toArray(Array[]::new);
    }

    private Result interrupt(TrainState<Training.Extra> state, RunHistory history, long epochStart) {
        history.epochSeconds += (System.nanoTime() - epochStart) / 1e9;
        display.abortEpoch();
        int step = state.step().intValue(), spe = stepsPerEpoch();
        Path p = save(state, history, step / spe, step % spe);
        checkpoints.waitUntilFinished();
        display.info("interrupted at step " + state.step().intValue() + "; saved " + p + "; continue with --resume");
        return new Result(state, history, true, state.step().intValue());
    }

    /**
     * Writes metrics.json, saves the checkpoint of the state's step (asynchronously; a step saved
     * already, as after an interruption at an epoch's end, is not saved again), then the chart.
     */
    private Path save(TrainState<Training.Extra> state, RunHistory history, int epoch, int batch) {
        long step = (long) state.step().intValue();
        if (!chief) return checkpoints.directory().resolve(Long.toString(step));   // process 0 writes for all
        writeMetrics(history);
        Map<String, Number> meta = new LinkedHashMap<>();
        meta.put("step", step);
        meta.put("epoch", epoch);
        meta.put("batch", batch);   // the batch of the epoch to run next
        meta.put("batch_size", config.batchSize());
        meta.put("epoch_seconds", history.epochSeconds);   // of the epoch in progress (0 at an epoch's end)
        if (!history.epochs.isEmpty()) {
            EpochRecord last = history.epochs.getLast();
            meta.put("last_epoch_seconds", last.seconds());
            meta.put("train_loss", last.trainLoss());
            meta.put("train_accuracy", last.trainAccuracy());
            meta.put("test_loss", last.testLoss());
            meta.put("test_accuracy", last.testAccuracy());
        }
        config.identity().forEach((k, v) -> meta.put("config." + k, (Number) v));
        if (step != lastSaved) checkpoints.save(step, state, meta, true);
        lastSaved = step;
        writeChart(history);
        return checkpoints.directory().resolve(Long.toString(step));
    }

    /** The PNG; after Ctrl-C, AWT may refuse to start (the JVM is shutting down), which costs the chart, not the checkpoint. */
    private void writeChart(RunHistory history) {
        try {
            Charts.write(history, config.workdir().resolve("curves.png"));
        } catch (RuntimeException | Error e) {
            if (!stop.get()) throw e;
            display.info("curves.png not updated while shutting down (" + e + "); metrics.json has the records");
        }
    }

    private static void checkSameRun(TrainConfig config, Map<String, Number> meta, Path dir) {
        Map<String, Object> saved = new LinkedHashMap<>(), now = new LinkedHashMap<>();
        config.identity().forEach((k, v) -> {   // compared as doubles: checkpoints of older versions stored every value so
            Number s = meta.get("config." + k);
            saved.put(k, s == null ? null : plain(s.doubleValue()));
            now.put(k, plain(((Number) v).doubleValue()));
        });
        if (!now.equals(saved)) {
            throw new IllegalArgumentException("--resume: the checkpoint in " + dir + " was made with " + saved
                    + " but this run has " + now + "; give the same options, or another --workdir to start afresh");
        }
    }

    /** A whole number as a long (prints {@code 3}, not {@code 3.0}), else the double. */
    private static Number plain(double v) { return v == Math.rint(v) && Math.abs(v) < 1e15 ? (Number) (long) v : (Number) v; }

    @SuppressWarnings("unchecked")
    private Map<String, Object> readMetrics() {
        Path f = config.workdir().resolve("metrics.json");
        try {
            return JSON.readValue(f.toFile(), Map.class);
        } catch (IOException e) {
            throw new UncheckedIOException("--resume: reading " + f + " (the run's per-step records) failed", e);
        }
    }

    private void writeMetrics(RunHistory history) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("config", config.identity());
        m.put("backend", Backends.current().name());
        m.put("devices_per_process", replicas);
        m.put("processes", Jax.processCount());
        m.put("train_examples", train.size());
        m.put("test_examples", test.size());
        m.put("steps_per_epoch", stepsPerEpoch());
        m.putAll(history.toMap());
        m.remove("epoch_in_progress");
        try {
            Files.createDirectories(config.workdir());
            Path tmp = config.workdir().resolve("metrics.json.tmp");
            JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), m);
            Files.move(tmp, config.workdir().resolve("metrics.json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("writing metrics.json in " + config.workdir() + " failed", e);
        }
    }

    /** The tutorial's evaluation: loss and accuracy over the whole set (here in batches, weighted by their sizes). */
    public static Training.Metrics evaluate(Function3<TrainState<Training.Extra>, Array, Array, Training.Metrics> evalStep,
                                            TrainState<Training.Extra> state, Dataset data, int batchSize) {
        int n = data.size();
        int bs = batchSize <= 0 ? n : Math.min(batchSize, n);
        int[] all = new int[n];
        for (int i = 0; i < n; i++) all[i] = i;
        Dataset.Batcher batcher = data.batcher(bs);
        double loss = 0, acc = 0;
        for (int from = 0; from < n; from += bs) {
            int to = Math.min(n, from + bs);
            Training.Metrics m = evalStep.apply(state, batcher.images(all, from, to), batcher.labels(all, from, to));
            loss += m.loss().item() * (to - from);
            acc += m.accuracy().item() * (to - from);
        }
        return new Training.Metrics(Array.scalar(loss / n, DType.F32), Array.scalar(acc / n, DType.F32));
    }

    /** The rows of a {@code u32[k, 2]} array of keys. */
    public static Array[] rows(Array keys) {
        int[] all = keys.toIntArray();
        int k = keys.dim(0);
        Array[] out = new Array[k];
        for (int i = 0; i < k; i++) {
            out[i] = Array.fromLongs(DType.U32, new long[]{Integer.toUnsignedLong(all[2 * i]), Integer.toUnsignedLong(all[2 * i + 1])}, 2);
        }
        return out;
    }
}
