package io.jax4j.prims;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Shape;
import io.jax4j.ShapedArray;
import io.jax4j.core.ArrayImpl;
import io.jax4j.core.Indexing;

import java.util.Random;

/** Small helpers for the rule tests: random arrays, slices along an axis, inner products. */
final class TestArrays {
    private TestArrays() {}

    static Array normal(Random rng, DType dtype, int... shape) {
        double[] d = new double[(int) Shape.of(shape).size()];
        for (int i = 0; i < d.length; i++) d[i] = rng.nextGaussian();
        return Array.fromDoubles(dtype, d, shape);
    }

    /** x[..., index, ...] along {@code axis} (the axis removed), computed in Java. */
    static Array take(Array x, int axis, int index) {
        ArrayImpl c = x.concrete("take");
        int[] shape = x.shape();
        long[] strides = c.aval().shape().strides();
        int[] outShape = new int[shape.length - 1];
        long[] outStrides = new long[shape.length - 1];
        for (int i = 0, k = 0; i < shape.length; i++) {
            if (i == axis) continue;
            outShape[k] = shape[i];
            outStrides[k++] = strides[i];
        }
        long[] offsets = Indexing.offsets(outShape, outStrides, index * strides[axis]);
        return Indexing.gather(c, offsets, new ShapedArray(x.dtype(), Shape.of(outShape)));
    }

    /** Σ a·b over all elements (shapes must match). */
    static double vdot(Array a, Array b) {
        if (!java.util.Arrays.equals(a.shape(), b.shape())) {
            throw new AssertionError("vdot of " + a.aval().str() + " and " + b.aval().str());
        }
        double[] x = a.toDoubleArray(), y = b.toDoubleArray();
        double s = 0;
        for (int i = 0; i < x.length; i++) s += x[i] * y[i];
        return s;
    }

    static double maxAbs(Array a) {
        double m = 0;
        for (double v : a.toDoubleArray()) m = Math.max(m, Math.abs(v));
        return m;
    }
}
