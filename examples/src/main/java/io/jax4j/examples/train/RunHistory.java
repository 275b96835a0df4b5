package io.jax4j.examples.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a run has recorded so far: the epoch summaries, the loss, accuracy and learning rate of
 * every step, and the running sums of the epoch in progress. It is written to metrics.json before each
 * checkpoint, so a resumed run continues the same records.
 */
public final class RunHistory {
    final List<EpochRecord> epochs = new ArrayList<>();
    final List<Double> stepLoss = new ArrayList<>();
    final List<Double> stepAccuracy = new ArrayList<>();
    final List<Double> stepLearningRate = new ArrayList<>();
    double epochLossSum;
    double epochAccuracySum;
    int epochSteps;
    double epochSeconds;

    public List<EpochRecord> epochs() { return List.copyOf(epochs); }

    public List<Double> stepLoss() { return List.copyOf(stepLoss); }

    public List<Double> stepAccuracy() { return List.copyOf(stepAccuracy); }

    public List<Double> stepLearningRate() { return List.copyOf(stepLearningRate); }

    void record(double loss, double accuracy, double lr) {
        stepLoss.add(loss);
        stepAccuracy.add(accuracy);
        stepLearningRate.add(lr);
        epochLossSum += loss;
        epochAccuracySum += accuracy;
        epochSteps++;
    }

    void endEpoch(EpochRecord r) {
        epochs.add(r);
        epochLossSum = 0;
        epochAccuracySum = 0;
        epochSteps = 0;
        epochSeconds = 0;
    }

    /** As JSON-able maps and lists (metrics.json). */
    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        List<Map<String, Object>> e = new ArrayList<>();
        for (EpochRecord r : epochs) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("epoch", r.epoch());
            x.put("step", r.step());
            x.put("train_loss", r.trainLoss());
            x.put("train_accuracy", r.trainAccuracy());
            x.put("test_loss", r.testLoss());
            x.put("test_accuracy", r.testAccuracy());
            x.put("learning_rate", r.learningRate());
            x.put("seconds", r.seconds());
            x.put("steps_per_second", r.stepsPerSecond());
            e.add(x);
        }
        m.put("epochs", e);
        m.put("step_loss", stepLoss);
        m.put("step_accuracy", stepAccuracy);
        m.put("step_learning_rate", stepLearningRate);
        m.put("epoch_in_progress", Map.of("loss_sum", epochLossSum, "accuracy_sum", epochAccuracySum,
                "steps", epochSteps, "seconds", epochSeconds));
        return m;
    }

    @SuppressWarnings("unchecked")
    private static RunHistory fromMap(Map<String, Object> m) {
        RunHistory h = new RunHistory();
        for (Map<String, Object> x : (List<Map<String, Object>>) m.get("epochs")) {
            h.epochs.add(new EpochRecord(num(x, "epoch").intValue(), num(x, "step").intValue(), d(x, "train_loss"), d(x, "train_accuracy"),
                    d(x, "test_loss"), d(x, "test_accuracy"), d(x, "learning_rate"), d(x, "seconds"), d(x, "steps_per_second")));
        }
        ((List<Number>) m.get("step_loss")).forEach(n -> h.stepLoss.add(n.doubleValue()));
        ((List<Number>) m.get("step_accuracy")).forEach(n -> h.stepAccuracy.add(n.doubleValue()));
        ((List<Number>) m.get("step_learning_rate")).forEach(n -> h.stepLearningRate.add(n.doubleValue()));
        return h;
    }

    /**
     * The records of a resumed run: those of {@code metricsJson} (metrics.json, written before each
     * checkpoint, so it may reach past the checkpoint) cut back to the first {@code step} steps, the
     * sums of the epoch in progress (which began at {@code epochStart}) recomputed in the order the loop
     * adds them, and {@code epochSeconds} spent in it.
     */
    static RunHistory resumed(Map<String, Object> metricsJson, int step, int epochStart, double epochSeconds) {
        RunHistory all = fromMap(metricsJson);
        if (all.stepLoss.size() < step) {
            throw new IllegalStateException("--resume: metrics.json holds " + all.stepLoss.size() + " steps but the checkpoint is at step "
                    + step + "; it belongs to another run: use another --workdir");
        }
        RunHistory h = new RunHistory();
        for (EpochRecord r : all.epochs) if (r.step() <= epochStart) h.epochs.add(r);
        for (int i = 0; i < step; i++) {
            if (i < epochStart) {
                h.stepLoss.add(all.stepLoss.get(i));
                h.stepAccuracy.add(all.stepAccuracy.get(i));
                h.stepLearningRate.add(all.stepLearningRate.get(i));
            } else {
                h.record(all.stepLoss.get(i), all.stepAccuracy.get(i), all.stepLearningRate.get(i));
            }
        }
        h.epochSeconds = epochSeconds;
        return h;
    }

    private static Number num(Map<String, Object> m, String k) { return (Number) m.get(k); }

    private static double d(Map<String, Object> m, String k) { return num(m, k).doubleValue(); }
}
