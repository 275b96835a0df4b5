package io.jax4j.examples.train;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/** What the user sees of a run: a progress bar per epoch on a terminal, {@code key=value} lines elsewhere. */
public interface Display {

    /** A message (set-up, data, resume, interruption). */
    void info(String message);

    void startEpoch(int epoch, int epochs, int stepsPerEpoch, int firstStep);

    /** After each step: the step within the epoch (1-based), the running means of loss and accuracy. */
    void step(int stepInEpoch, double meanLoss, double meanAccuracy);

    void endEpoch(EpochRecord record, int epochs);

    /** Closes an open bar (interrupted epoch). */
    default void abortEpoch() {}

    /** The bar when a console is attached, the quiet {@code key=value} output otherwise. */
    static Display auto(PrintStream out) {
        return System.console() != null ? new Bar(out) : new Quiet(out);
    }

    /** Nothing at all (tests). */
    static Display silent() {
        return new Display() {
            @Override public void info(String message) {}
            @Override public void startEpoch(int epoch, int epochs, int stepsPerEpoch, int firstStep) {}
            @Override public void step(int stepInEpoch, double meanLoss, double meanAccuracy) {}
            @Override public void endEpoch(EpochRecord record, int epochs) {}
        };
    }

    /** Parseable output: one {@code key=value} line per epoch and per event, no bar. */
    final class Quiet implements Display {
        private final PrintStream out;
        private int epoch;
        private int steps;
        private int first;
        private long start;

        public Quiet(PrintStream out) { this.out = out; }

        @Override public void info(String message) { out.println("info=\"" + message.replace("\"", "'").replace("\n", " ") + "\""); }

        @Override public void startEpoch(int epoch, int epochs, int stepsPerEpoch, int firstStep) {
            this.epoch = epoch;
            this.steps = stepsPerEpoch;
            this.first = firstStep;
            this.start = System.nanoTime();
            out.println("event=epoch_start epoch=" + epoch + " epochs=" + epochs + " steps=" + stepsPerEpoch + " first_step=" + firstStep);
        }

        /** A progress line at every tenth of the epoch. */
        @Override public void step(int stepInEpoch, double meanLoss, double meanAccuracy) {
            int every = Math.max(1, steps / 10);
            if (stepInEpoch % every != 0 || stepInEpoch == steps) return;
            double rate = (stepInEpoch - first) / ((System.nanoTime() - start) / 1e9);
            out.printf(Locale.ROOT, "event=progress epoch=%d step=%d/%d loss=%.4f accuracy=%.4f steps_per_s=%.2f eta_s=%.0f%n",
                    epoch, stepInEpoch, steps, meanLoss, meanAccuracy, rate, (steps - stepInEpoch) / rate);
        }

        @Override public void endEpoch(EpochRecord r, int epochs) { out.println(r.keyValues()); }

        @Override public void abortEpoch() { out.println("event=epoch_interrupted epoch=" + epoch); }
    }

    /** A progress bar per epoch: step, running loss and accuracy, steps/s, ETA (me.tongfei:progressbar, drawn by {@link ProgressLine}). */
    final class Bar implements Display {
        private final PrintStream out;
        private ProgressBar bar;

        public Bar(PrintStream out) { this.out = out; }

        @Override public void info(String message) { out.println(message); }

        @Override public void startEpoch(int epoch, int epochs, int stepsPerEpoch, int firstStep) {
            bar = new ProgressBarBuilder().setTaskName("epoch " + epoch + "/" + epochs).setInitialMax(stepsPerEpoch)
                    .setUpdateIntervalMillis(250)
                    .setRenderer(new ProgressLine(System::nanoTime))
                    .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(out))
                    .startsFrom(firstStep, Duration.ZERO).build();
        }

        @Override public void step(int stepInEpoch, double meanLoss, double meanAccuracy) {
            bar.stepTo(stepInEpoch);
            bar.setExtraMessage(String.format(Locale.ROOT, "loss %.4f acc %.4f", meanLoss, meanAccuracy));
        }

        @Override public void endEpoch(EpochRecord r, int epochs) {
            closeBar();
            out.println(r.line(epochs));
        }

        @Override public void abortEpoch() { closeBar(); }

        private void closeBar() {
            if (bar != null) {
                bar.close();
                bar = null;
            }
        }
    }
}
