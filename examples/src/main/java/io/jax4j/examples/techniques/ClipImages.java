package io.jax4j.examples.techniques;

import io.jax4j.Array;
import io.jax4j.examples.data.Dataset;

/**
 * Images prepared as Hugging Face's {@code CLIPImageProcessor} prepares them: converted to RGB, the
 * shortest side resized to {@code size} with PIL's bicubic filter (an 8-bit image after each pass, as
 * PIL keeps it), the centre {@code size x size} cropped, rescaled by 1/255 and normalised with CLIP's
 * mean and standard deviation. The result is NHWC float32, as the Flax CLIP vision model takes it.
 * Differences from PIL are within one grey level before normalisation (PIL resamples in fixed point).
 */
public final class ClipImages {
    private ClipImages() {}

    /** CLIP's per-channel normalisation (OpenAI's values, {@code image_mean} / {@code image_std}). */
    public static final double[] MEAN = {0.48145466, 0.4578275, 0.40821073}, STD = {0.26862954, 0.26130258, 0.27577711};

    /** Examples {@code indices[from..to)} of {@code d} as CLIP pixel values {@code [n, size, size, 3]}. */
    public static Array pixelValues(Dataset d, int[] indices, int from, int to, int size) {
        int h = d.height(), w = d.width(), c = d.channels();
        int rh = h <= w ? size : (int) Math.round((double) size * h / w), rw = w <= h ? size : (int) Math.round((double) size * w / h);
        int top = (rh - size) / 2, left = (rw - size) / 2;
        int n = to - from;
        float[] out = new float[n * size * size * 3];
        double[][] plane = new double[3][];
        for (int k = 0; k < n; k++) {
            int base = indices[from + k] * h * w * c;
            for (int ch = 0; ch < 3; ch++) {
                double[] img = new double[h * w];
                int src = Math.min(ch, c - 1);   // grey to RGB: the one channel three times
                for (int i = 0; i < h * w; i++) img[i] = d.pixels()[base + i * c + src] & 0xff;
                plane[ch] = resize(img, h, w, rh, rw);
            }
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    for (int ch = 0; ch < 3; ch++) {
                        double v = plane[ch][(top + y) * rw + left + x] / 255.0;
                        out[((k * size + y) * size + x) * 3 + ch] = (float) ((v - MEAN[ch]) / STD[ch]);
                    }
                }
            }
        }
        return Array.fromFloats(out, n, size, size, 3);
    }

    /** PIL's separable bicubic resize of an 8-bit plane: horizontal, then vertical, rounded to 0..255 after each. */
    static double[] resize(double[] img, int h, int w, int outH, int outW) {
        double[] horizontal = new double[h * outW];
        Taps tx = taps(w, outW);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < outW; x++) {
                double s = 0;
                for (int j = 0; j < tx.weights[x].length; j++) s += tx.weights[x][j] * img[y * w + tx.first[x] + j];
                horizontal[y * outW + x] = clampRound(s);
            }
        }
        double[] out = new double[outH * outW];
        Taps ty = taps(h, outH);
        for (int y = 0; y < outH; y++) {
            for (int x = 0; x < outW; x++) {
                double s = 0;
                for (int j = 0; j < ty.weights[y].length; j++) s += ty.weights[y][j] * horizontal[(ty.first[y] + j) * outW + x];
                out[y * outW + x] = clampRound(s);
            }
        }
        return out;
    }

    private record Taps(int[] first, double[][] weights) {}

    /** PIL's {@code precompute_coeffs} for the bicubic filter (a = -0.5, support 2, widened when shrinking). */
    private static Taps taps(int in, int out) {
        double scale = (double) in / out, filterScale = Math.max(1, scale), support = 2 * filterScale;
        int[] first = new int[out];
        double[][] weights = new double[out][];
        for (int i = 0; i < out; i++) {
            double center = (i + 0.5) * scale;
            int lo = Math.max(0, (int) (center - support + 0.5)), hi = Math.min(in, (int) (center + support + 0.5));
            double[] k = new double[hi - lo];
            double sum = 0;
            for (int j = 0; j < k.length; j++) sum += k[j] = bicubic((j + lo - center + 0.5) / filterScale);
            for (int j = 0; j < k.length; j++) k[j] = sum == 0 ? 0 : k[j] / sum;
            first[i] = lo;
            weights[i] = k;
        }
        return new Taps(first, weights);
    }

    private static double bicubic(double x) {
        double a = -0.5, t = Math.abs(x);
        if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
        if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
        return 0;
    }

    private static double clampRound(double v) { return Math.max(0, Math.min(255, Math.round(v))); }
}
