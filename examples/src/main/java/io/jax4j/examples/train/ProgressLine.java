package io.jax4j.examples.train;

import me.tongfei.progressbar.ProgressBarRenderer;
import me.tongfei.progressbar.ProgressState;

import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The line of an epoch's progress bar: {@code epoch 1/3  42% [████    ] 197/468 loss 0.4312 acc 0.8451 | 11.9 steps/s | ETA 0:23}.
 *
 * <p>In a narrow terminal the parts go in order of importance: the bar shrinks and then goes, then
 * the speed, then the ETA; the step count, loss and accuracy stay. The ETA comes from a smoothed
 * rate that ignores the epoch's first step (which waits for compilation) and is shown once a few
 * steps have been timed, so the first estimate is not minutes for a 40-second epoch.
 */
final class ProgressLine implements ProgressBarRenderer {
    private static final int MIN_BAR = 10, SAMPLES_BEFORE_ETA = 3;
    private static final double SMOOTHING = 0.3;

    private final LongSupplier nanoClock;
    private long lastStep = -1, lastNanos;
    private int samples;
    private double nanosPerStep = Double.NaN;

    ProgressLine(LongSupplier nanoClock) { this.nanoClock = nanoClock; }

    @Override
    public synchronized String render(ProgressState state, int maxLength) {
        observe(state.getCurrent() - state.getStart());
        return format(state.getTaskName(), state.getCurrent(), state.getMax(), state.getExtraMessage(), stepsPerSecond(),
                eta(state.getMax() - state.getCurrent()), maxLength);
    }

    /** Records that {@code done} steps of this epoch are done, now. */
    synchronized void observe(long done) {
        long now = nanoClock.getAsLong();
        if (lastStep < 0 || done < lastStep) {   // the first sight (before the first step finished), or a new epoch
            lastStep = done;
            lastNanos = now;
            samples = 0;
            nanosPerStep = Double.NaN;
            return;
        }
        if (done == lastStep) return;
        double perStep = (now - lastNanos) / (double) (done - lastStep);
        boolean includesFirstStep = lastStep == 0;   // compilation: not the rate of the steps to come
        lastStep = done;
        lastNanos = now;
        if (includesFirstStep) return;
        nanosPerStep = Double.isNaN(nanosPerStep) ? perStep : SMOOTHING * perStep + (1 - SMOOTHING) * nanosPerStep;
        samples++;
    }

    synchronized double stepsPerSecond() { return Double.isNaN(nanosPerStep) ? Double.NaN : 1e9 / nanosPerStep; }

    /** The smoothed time for {@code remaining} steps, or null until enough steps were timed. */
    synchronized Duration eta(long remaining) {
        if (samples < SAMPLES_BEFORE_ETA || Double.isNaN(nanosPerStep)) return null;
        return Duration.ofNanos((long) (nanosPerStep * Math.max(0, remaining)));
    }

    /** The line for a terminal of {@code width} columns (see the class comment for what goes first). */
    static String format(String task, long current, long max, String extra, double stepsPerSecond, Duration eta, int width) {
        String percent = String.format(Locale.ROOT, "%3d%%", max <= 0 ? 100 : (int) (100 * current / max));
        String count = current + "/" + max;
        String metrics = extra == null ? "" : extra.strip();
        String speed = Double.isNaN(stepsPerSecond) ? "" : String.format(Locale.ROOT, " | %.1f steps/s", stepsPerSecond);
        String left = eta == null ? " | ETA ?" : String.format(Locale.ROOT, " | ETA %d:%02d", eta.toMinutes(), eta.toSecondsPart());
        String essential = task + " " + percent + " " + count + (metrics.isEmpty() ? "" : " " + metrics);
        int room = width - essential.length() - speed.length() - left.length() - 3;   // " [" and "]" around the bar
        if (room >= MIN_BAR) {
            return task + " " + percent + " [" + bar(current, max, Math.min(room, 40)) + "] " + count
                    + (metrics.isEmpty() ? "" : " " + metrics) + speed + left;
        }
        for (String optional : new String[]{speed + left, left}) {
            if (essential.length() + optional.length() <= width) return essential + optional;
        }
        return essential;
    }

    private static String bar(long current, long max, int width) {
        double fraction = max <= 0 ? 1 : Math.min(1, (double) current / max);
        int eighths = (int) Math.round(fraction * width * 8);
        StringBuilder sb = new StringBuilder(width);
        for (int i = 0; i < width; i++) {
            int fill = Math.max(0, Math.min(8, eighths - 8 * i));
            sb.append(fill == 8 ? '█' : fill == 0 ? ' ' : " ▏▎▍▌▋▊▉".charAt(fill));
        }
        return sb.toString();
    }
}
