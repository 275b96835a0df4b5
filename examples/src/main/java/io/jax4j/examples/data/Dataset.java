package io.jax4j.examples.data;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.ShapedArray;
import io.jax4j.core.ArrayImpl;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Images and integer labels on the host: {@code N} images of {@code height x width x channels}
 * unsigned bytes (scaled to [0, 1] float32 when batched, NHWC) and {@code N} int32 labels.
 *
 * <p>{@link #batcher(int)} makes batches by gathering rows into reused host buffers and copying
 * them once into the batch's {@link Array}: no per-step allocation on the Java heap.
 */
public record Dataset(byte[] pixels, int[] labels, int height, int width, int channels, int numClasses) {
    private static final float[] SCALE = new float[256];

    static {
        for (int i = 0; i < 256; i++) SCALE[i] = i / 255f;
    }

    public Dataset {
        long want = (long) labels.length * height * width * channels;
        if (pixels.length != want) {
            throw new IllegalArgumentException("Dataset: " + labels.length + " labels need " + want + " pixels ("
                    + height + "x" + width + "x" + channels + " each), got " + pixels.length);
        }
    }

    public int size() { return labels.length; }

    public int imageSize() { return height * width * channels; }

    /** The first {@code n} examples (a view copy). */
    public Dataset take(int n) { return select(rangeIndices(0, Math.min(n, size()))); }

    /** The examples whose label is in {@code [lo, hi)}, labels shifted by {@code -lo} (for the transfer-learning split). */
    public Dataset labelRange(int lo, int hi) {
        int[] idx = java.util.stream.IntStream.range(0, size()).filter(i -> labels[i] >= lo && labels[i] < hi).toArray();
        Dataset d = select(idx);
        int[] shifted = Arrays.stream(d.labels).map(l -> l - lo).toArray();
        return new Dataset(d.pixels, shifted, height, width, channels, hi - lo);
    }

    /** The examples at {@code indices}, in that order. */
    public Dataset select(int[] indices) {
        int n = imageSize();
        byte[] p = new byte[indices.length * n];
        int[] l = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(pixels, indices[i] * n, p, i * n, n);
            l[i] = labels[indices[i]];
        }
        return new Dataset(p, l, height, width, channels, numClasses);
    }

    /** All images as one f32[N,H,W,C] array in [0, 1]. */
    public Array images() { return batcher(size()).images(rangeIndices(0, size()), 0, size()); }

    /** All labels as one i32[N] array. */
    public Array labelArray() { return batcher(size()).labels(rangeIndices(0, size()), 0, size()); }

    static int[] rangeIndices(int from, int to) {
        int[] r = new int[to - from];
        for (int i = 0; i < r.length; i++) r[i] = from + i;
        return r;
    }

    /** A batcher with host buffers for batches of up to {@code maxBatch} examples. */
    public Batcher batcher(int maxBatch) { return new Batcher(maxBatch); }

    /** Gathers examples into batches; its host buffers are reused from batch to batch. Not thread-safe. */
    public final class Batcher {
        private final float[] imageBuffer;
        private final int[] labelBuffer;

        Batcher(int maxBatch) {
            if (maxBatch <= 0) throw new IllegalArgumentException("batch size must be positive, got " + maxBatch);
            this.imageBuffer = new float[maxBatch * imageSize()];
            this.labelBuffer = new int[maxBatch];
        }

        /** The images of {@code indices[from, to)} as f32[to-from, H, W, C] in [0, 1]. */
        public Array images(int[] indices, int from, int to) {
            int b = checkRange(indices, from, to);
            int n = imageSize();
            for (int i = 0; i < b; i++) {
                int src = indices[from + i] * n;
                int dst = i * n;
                for (int j = 0; j < n; j++) imageBuffer[dst + j] = SCALE[pixels[src + j] & 0xff];
            }
            ArrayImpl a = ArrayImpl.allocate(ShapedArray.of(DType.F32, b, height, width, channels));
            MemorySegment.copy(imageBuffer, 0, a.segment(), ValueLayout.JAVA_FLOAT_UNALIGNED, 0, b * n);
            return a;
        }

        /** The labels of {@code indices[from, to)} as i32[to-from]. */
        public Array labels(int[] indices, int from, int to) {
            int b = checkRange(indices, from, to);
            for (int i = 0; i < b; i++) labelBuffer[i] = labels[indices[from + i]];
            ArrayImpl a = ArrayImpl.allocate(ShapedArray.of(DType.I32, b));
            MemorySegment.copy(labelBuffer, 0, a.segment(), ValueLayout.JAVA_INT_UNALIGNED, 0, b);
            return a;
        }

        private int checkRange(int[] indices, int from, int to) {
            int b = to - from;
            if (from < 0 || to > indices.length || b <= 0) {
                throw new IllegalArgumentException("batch [" + from + ", " + to + ") is outside the " + indices.length + " indices");
            }
            if (b > labelBuffer.length) throw new IllegalArgumentException("batch of " + b + " exceeds this batcher's " + labelBuffer.length);
            return b;
        }
    }
}
