package io.jax4j.examples.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a run has recorded so far: the epoch summaries, the loss, accuracy and learning rate of
 * every step, and the running sums of the epoch in progress. It is saved with each checkpoint, so
 * a resumed run continues the same records.
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

    /** As JSON-able maps and lists (checkpoint meta and metrics.json). */
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
    static RunHistory fromMap(Map<String, Object> m) {
        RunHistory h = new RunHistory();
        for (Map<String, Object> x : (List<Map<String, Object>>) m.get("epochs")) {
            h.epochs.add(new EpochRecord(num(x, "epoch").intValue(), num(x, "step").intValue(), d(x, "train_loss"), d(x, "train_accuracy"),
                    d(x, "test_loss"), d(x, "test_accuracy"), d(x, "learning_rate"), d(x, "seconds"), d(x, "steps_per_second")));
        }
        ((List<Number>) m.get("step_loss")).forEach(n -> h.stepLoss.add(n.doubleValue()));
        ((List<Number>) m.get("step_accuracy")).forEach(n -> h.stepAccuracy.add(n.doubleValue()));
        ((List<Number>) m.get("step_learning_rate")).forEach(n -> h.stepLearningRate.add(n.doubleValue()));
        Map<String, Object> p = (Map<String, Object>) m.get("epoch_in_progress");
        h.epochLossSum = d(p, "loss_sum");
        h.epochAccuracySum = d(p, "accuracy_sum");
        h.epochSteps = num(p, "steps").intValue();
        h.epochSeconds = d(p, "seconds");
        return h;
    }

    private static Number num(Map<String, Object> m, String k) { return (Number) m.get(k); }

    private static double d(Map<String, Object> m, String k) { return num(m, k).doubleValue(); }
}
