package io.jax4j.examples.train;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The run's curves as one PNG (XChart), a 2 x 2 grid: the training loss per step (and its moving
 * average over an epoch's tenth), loss and accuracy per epoch (train and test), the learning rate per step.
 */
public final class Charts {
    private Charts() {}

    public static void write(RunHistory h, Path png) {
        System.setProperty("java.awt.headless", "true");
        List<EpochRecord> e = h.epochs;
        double[] epoch = e.stream().mapToDouble(EpochRecord::epoch).toArray();
        XYChart loss = chart("Loss per epoch", "epoch", "cross-entropy");
        XYChart acc = chart("Accuracy per epoch", "epoch", "accuracy");
        acc.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSE);
        if (!e.isEmpty()) {
            line(loss, "train", epoch, e.stream().mapToDouble(EpochRecord::trainLoss).toArray());
            line(loss, "test", epoch, e.stream().mapToDouble(EpochRecord::testLoss).toArray());
            line(acc, "train", epoch, e.stream().mapToDouble(EpochRecord::trainAccuracy).toArray());
            line(acc, "test", epoch, e.stream().mapToDouble(EpochRecord::testAccuracy).toArray());
        }
        XYChart lr = chart("Learning rate per step", "step", "learning rate");
        if (!h.stepLearningRate.isEmpty()) {
            XYSeries s = lr.addSeries("lr", steps(h.stepLearningRate.size()), h.stepLearningRate.stream().mapToDouble(Double::doubleValue).toArray());
            s.setMarker(SeriesMarkers.NONE);
        }
        XYChart stepLoss = chart("Training loss per step", "step", "cross-entropy");
        if (!h.stepLoss.isEmpty()) {
            double[] raw = h.stepLoss.stream().mapToDouble(Double::doubleValue).toArray();
            XYSeries s = stepLoss.addSeries("step", steps(raw.length), raw);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineWidth(0.6f);
            int window = Math.max(1, e.isEmpty() ? raw.length / 20 : raw.length / Math.max(1, e.size()) / 10);
            XYSeries avg = stepLoss.addSeries("moving average", steps(raw.length), movingAverage(raw, window));
            avg.setMarker(SeriesMarkers.NONE);
            avg.setLineWidth(2f);
        }
        Path tmp = png.resolveSibling(png.getFileName() + ".tmp.png");   // renamed into place: never a half-written PNG
        try {
            try {
                BitmapEncoder.saveBitmap(List.of(stepLoss, loss, acc, lr), 2, 2, tmp.toString(), BitmapEncoder.BitmapFormat.PNG);
                java.nio.file.Files.move(tmp, png, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } finally {
                java.nio.file.Files.deleteIfExists(tmp);
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("writing " + png + " failed", ex);
        }
    }

    private static XYChart chart(String title, String x, String y) {
        XYChart c = new XYChartBuilder().width(640).height(420).title(title).xAxisTitle(x).yAxisTitle(y).build();
        var st = c.getStyler();
        st.setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
        st.setDecimalPattern("#0.###");
        st.setAxisTickLabelsFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 12));
        st.setAxisTitleFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 13));
        st.setChartTitleFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.BOLD, 14));
        st.setXAxisMaxLabelCount(8);
        return c;
    }

    private static double[] steps(int n) {
        double[] s = new double[n];
        for (int i = 0; i < n; i++) s[i] = i + 1;
        return s;
    }

    /** The mean of each value and the {@code window - 1} before it (fewer at the start). */
    static double[] movingAverage(double[] v, int window) {
        double[] out = new double[v.length];
        double sum = 0;
        for (int i = 0; i < v.length; i++) {
            sum += v[i];
            if (i >= window) sum -= v[i - window];
            out[i] = sum / Math.min(i + 1, window);
        }
        return out;
    }

    private static void line(XYChart c, String name, double[] x, double[] y) {
        XYSeries s = c.addSeries(name, x, y);
        s.setMarker(SeriesMarkers.CIRCLE);
    }
}
