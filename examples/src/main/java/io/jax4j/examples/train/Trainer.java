package io.jax4j.examples.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Random;
import io.jax4j.examples.data.Dataset;
import io.jax4j.linen.TrainState;
import io.jax4j.optim.Schedule;
import io.jax4j.spi.Backends;
import io.vavr.Function3;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The training loop of the tutorial ({@code train_and_evaluate} with {@code train_epoch}): per
 * epoch a key split off the main key shuffles the training set with {@code Random.permutation}, the
 * incomplete last batch is skipped, each batch goes through the jitted {@code train_step}, the test
 * set through {@code eval_step}. Around it: a checkpoint per epoch, exact resumption, a stop flag
 * checked between steps (Ctrl-C), metrics.json and the PNG of the curves.
 *
 * <p>The keys are the tutorial's: {@code main, params, dropout = split(key(seed), 3)}, then
 * {@code main, input = split(main)} per epoch. A resumed run recomputes the main key for the epoch
 * it resumes in and skips the steps already done, so it draws exactly the batches an uninterrupted
 * run draws.
 */
public final class Trainer {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Cnn model;
    private final TrainConfig config;
    private final Dataset train;
    private final Dataset test;
    private final Display display;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Checkpoints checkpoints;
    private StepListener listener = (trainer, step) -> {};

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
        this.checkpoints = new Checkpoints(config.workdir().resolve("checkpoints"), config.keepCheckpoints());
        if (train.size() < config.batchSize()) {
            throw new IllegalArgumentException("--batch-size " + config.batchSize() + " is larger than the training set ("
                    + train.size() + " examples): no complete batch");
        }
    }

    public Trainer onStep(StepListener l) {
        this.listener = l;
        return this;
    }

    /** Asks the loop to save a checkpoint and return after the current step (Ctrl-C). */
    public void requestStop() { stop.set(true); }

    public Checkpoints checkpoints() { return checkpoints; }

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
        if (config.resume()) {
            OptionalInt latest = checkpoints.latestStep();
            if (latest.isPresent()) {
                Map<String, Object> meta = checkpoints.meta(latest.getAsInt());
                checkSameRun(meta);
                state = checkpoints.restore(latest.getAsInt(), state);
                @SuppressWarnings("unchecked") Map<String, Object> h = (Map<String, Object>) meta.get("history");
                history = RunHistory.fromMap(h);
                display.info("resuming from " + checkpoints.dir().resolve("checkpoint_" + latest.getAsInt()) + " (step " + state.step().intValue() + ")");
            } else {
                display.info("--resume: no checkpoint in " + checkpoints.dir() + ", starting from scratch");
            }
        }
        var trainStep = Training.trainStep(model);
        var evalStep = Training.evalStep(model);
        Dataset.Batcher batcher = train.batcher(config.batchSize());
        int b = config.batchSize();
        int step = state.step().intValue();
        Array mainKey = keys[0];
        for (int epoch = 0; epoch < config.epochs(); epoch++) {
            Array[] split = rows(Random.split(mainKey));
            mainKey = split[0];
            if ((epoch + 1) * spe <= step) continue;
            int first = step - epoch * spe;
            int[] perm = Random.permutation(split[1], train.size()).toIntArray();
            display.startEpoch(epoch + 1, config.epochs(), spe, first);
            long t0 = System.nanoTime();
            for (int s = first; s < spe; s++) {
                if (stop.get()) return interrupt(state, history, t0);
                Array images = batcher.images(perm, s * b, (s + 1) * b);
                Array labels = batcher.labels(perm, s * b, (s + 1) * b);
                Training.StepOut out = trainStep.apply(state, images, labels);
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
            Path saved = save(state, history);
            if (stop.get() && epoch + 1 < config.epochs()) {
                display.info("interrupted after epoch " + (epoch + 1) + "; saved " + saved + "; continue with --resume");
                return new Result(state, history, true, step);
            }
        }
        return new Result(state, history, false, step);
    }

    private Result interrupt(TrainState<Training.Extra> state, RunHistory history, long epochStart) {
        history.epochSeconds += (System.nanoTime() - epochStart) / 1e9;
        display.abortEpoch();
        Path p = save(state, history);
        display.info("interrupted at step " + state.step().intValue() + "; saved " + p + "; continue with --resume");
        return new Result(state, history, true, state.step().intValue());
    }

    private Path save(TrainState<Training.Extra> state, RunHistory history) {
        int step = state.step().intValue();
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("config", config.identity());
        meta.put("step", step);
        meta.put("history", history.toMap());
        Path p = checkpoints.save(step, state, meta);
        writeMetrics(history);
        Charts.write(history, config.workdir().resolve("curves.png"));
        return p;
    }

    private void checkSameRun(Map<String, Object> meta) {
        Object saved = meta.get("config");
        Map<String, Object> now;
        try {
            @SuppressWarnings("unchecked") Map<String, Object> m = JSON.readValue(JSON.writeValueAsString(config.identity()), Map.class);
            now = m;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!now.equals(saved)) {
            throw new IllegalArgumentException("--resume: the checkpoint in " + checkpoints.dir() + " was made with " + saved
                    + " but this run has " + now + "; give the same options, or another --workdir to start afresh");
        }
    }

    private void writeMetrics(RunHistory history) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("config", config.identity());
        m.put("backend", Backends.current().name());
        m.put("train_examples", train.size());
        m.put("test_examples", test.size());
        m.put("steps_per_epoch", stepsPerEpoch());
        m.putAll(history.toMap());
        m.remove("epoch_in_progress");
        try {
            Files.createDirectories(config.workdir());
            JSON.writerWithDefaultPrettyPrinter().writeValue(config.workdir().resolve("metrics.json").toFile(), m);
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
