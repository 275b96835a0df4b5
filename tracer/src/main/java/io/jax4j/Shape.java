package io.jax4j;

import java.util.Arrays;

/** An immutable array shape; printed {@code [3,4]}, a scalar {@code []}. */
public final class Shape {
    private static final Shape SCALAR = new Shape(new int[0]);
    private final int[] dims;

    private Shape(int[] dims) { this.dims = dims; }

    public static Shape of(int... dims) {
        if (dims.length == 0) return SCALAR;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0) {
                throw new IllegalArgumentException("shape " + ShapedArray.dimsString(dims)
                        + " has a negative dimension at axis " + i + ": dimensions must be >= 0");
            }
        }
        return new Shape(dims.clone());
    }

    public static Shape scalar() { return SCALAR; }

    public int ndim() { return dims.length; }

    public int dim(int axis) { return dims[axis < 0 ? axis + dims.length : axis]; }

    public int[] dims() { return dims.clone(); }

    public long size() {
        long n = 1;
        for (int d : dims) n *= d;
        return n;
    }

    /** Row-major strides, in elements. */
    public long[] strides() {
        long[] s = new long[dims.length];
        long acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= dims[i];
        }
        return s;
    }

    @Override
    public boolean equals(Object o) { return o instanceof Shape s && Arrays.equals(dims, s.dims); }

    @Override
    public int hashCode() { return Arrays.hashCode(dims); }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < dims.length; i++) {
            if (i > 0) sb.append(',');
            sb.append(dims[i]);
        }
        return sb.append(']').toString();
    }
}
