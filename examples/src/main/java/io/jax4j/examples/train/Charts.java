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

/** The run's curves as one PNG (XChart): loss and accuracy per epoch (train and test), the learning rate per step. */
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
            double[] steps = new double[h.stepLearningRate.size()];
            for (int i = 0; i < steps.length; i++) steps[i] = i;
            XYSeries s = lr.addSeries("lr", steps, h.stepLearningRate.stream().mapToDouble(Double::doubleValue).toArray());
            s.setMarker(SeriesMarkers.NONE);
        }
        try {
            BitmapEncoder.saveBitmap(List.of(loss, acc, lr), 1, 3, png.toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException ex) {
            throw new UncheckedIOException("writing " + png + " failed", ex);
        }
    }

    private static XYChart chart(String title, String x, String y) {
        XYChart c = new XYChartBuilder().width(480).height(360).title(title).xAxisTitle(x).yAxisTitle(y).build();
        c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
        c.getStyler().setDecimalPattern("#0.####");
        return c;
    }

    private static void line(XYChart c, String name, double[] x, double[] y) {
        XYSeries s = c.addSeries(name, x, y);
        s.setMarker(SeriesMarkers.CIRCLE);
    }
}
