package io.jax4j.examples.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** curves.png: four readable panels, among them the per-step training loss with its moving average. */
class ChartsTest {
    @Test
    void fourPanelsIncludingTheTrainingLossPerStep(@TempDir Path dir) throws Exception {
        RunHistory h = new RunHistory();
        for (int i = 0; i < 200; i++) h.record(2.3 * Math.exp(-i / 50.0) + 0.05 * Math.sin(i), 0.1 + i / 250.0, 0.1);
        Path png = dir.resolve("curves.png");
        Charts.write(h, png);
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(2 * 640, image.getWidth(), "two panels across");
        assertEquals(2 * 420, image.getHeight(), "two panels down");
    }

    @Test
    void theMovingAverageAveragesTheWindowBeforeEachStep() {
        assertArrayEquals(new double[]{1, 1.5, 2, 3, 4}, Charts.movingAverage(new double[]{1, 2, 3, 4, 5}, 3), 1e-12);
        assertArrayEquals(new double[]{1, 2}, Charts.movingAverage(new double[]{1, 2}, 1), 0);
    }
}
