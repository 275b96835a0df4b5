package io.jax4j;

import java.util.Arrays;

/** An immutable array shape; printed {@code [3,4]}, a scalar {@code []}. */
public final class Shape {
    private static final Shape SCALAR = new Shape(new int[0], 1);
    private final int[] dims;
    private final long size;

    private Shape(int[] dims, long size) {
        this.dims = dims;
        this.size = size;
    }

    public static Shape of(int... dims) {
        if (dims.length == 0) return SCALAR;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0) {
                throw new IllegalArgumentException("shape " + ShapedArray.dimsString(dims)
                        + " has a negative dimension at axis " + i + ": dimensions must be >= 0");
            }
        }
        return new Shape(dims.clone(), elementCount(dims));
    }

    /** The product of the dimensions; a shape whose element count a long cannot hold is refused (no such array can exist). */
    private static long elementCount(int[] dims) {
        long n = 1;
        try {
            for (int d : dims) n = Math.multiplyExact(n, (long) d);
        } catch (ArithmeticException overflow) {
            java.math.BigInteger exact = java.math.BigInteger.ONE;
            for (int d : dims) exact = exact.multiply(java.math.BigInteger.valueOf(d));
            throw new IllegalArgumentException("shape " + ShapedArray.dimsString(dims) + " has " + exact
                    + " elements, more than a long can count (2^63 - 1): no array of that shape can exist; check the dimensions");
        }
        return n;
    }

    public static Shape scalar() { return SCALAR; }

    public int ndim() { return dims.length; }

    public int dim(int axis) { return dims[axis < 0 ? axis + dims.length : axis]; }

    public int[] dims() { return dims.clone(); }

    /** The number of elements (checked on construction: it never overflows). */
    public long size() { return size; }

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
