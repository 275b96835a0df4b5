package io.jax4j.examples.data;

import java.util.SplittableRandom;

/**
 * A small synthetic image set for tests and quick demos: class {@code c} of {@code k} lights a
 * class-specific horizontal band of a {@code size x size} image, with uniform noise on every pixel,
 * so a small CNN separates the classes in a few steps.
 */
public final class Synthetic {
    private Synthetic() {}

    public static Dataset bands(int n, int size, int numClasses, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] px = new byte[n * size * size];
        int[] labels = new int[n];
        int band = Math.max(1, size / numClasses);
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(numClasses);
            labels[i] = c;
            for (int y = 0; y < size; y++) {
                boolean lit = y / band == c % Math.max(1, size / band);
                for (int x = 0; x < size; x++) {
                    int v = r.nextInt(90) + (lit ? 150 : 0);
                    px[(i * size + y) * size + x] = (byte) Math.min(255, v);
                }
            }
        }
        return new Dataset(px, labels, size, size, 1, numClasses);
    }
}
