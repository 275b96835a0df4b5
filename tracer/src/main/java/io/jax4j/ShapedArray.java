package io.jax4j;

import java.util.Arrays;

/**
 * An abstract value (aval): the shape and dtype of an array, and whether its type is weak (it came
 * from a Java scalar). Printed as JAX prints avals: {@code f32[128,784]}.
 */
@io.jax4j.tree.Leaf
public record ShapedArray(DType dtype, Shape shape, boolean weakType) {

    public ShapedArray {
        if (dtype == null) throw new NullPointerException("dtype is null");
        if (shape == null) throw new NullPointerException("shape is null");
        if (shape.size() > Long.MAX_VALUE / dtype.byteSize()) {
            throw new IllegalArgumentException(dtype.shortName() + shape + " would take " + java.math.BigInteger.valueOf(shape.size())
                    .multiply(java.math.BigInteger.valueOf(dtype.byteSize())) + " bytes, more than a long can count (2^63 - 1): "
                    + "no array of that shape can exist; check the dimensions");
        }
    }

    public ShapedArray(DType dtype, Shape shape) { this(dtype, shape, false); }

    public static ShapedArray of(DType dtype, int... dims) { return new ShapedArray(dtype, Shape.of(dims)); }

    public int ndim() { return shape.ndim(); }

    public long size() { return shape.size(); }

    public int dim(int axis) { return shape.dim(axis); }

    public int[] dims() { return shape.dims(); }

    public ShapedArray withShape(Shape s) { return new ShapedArray(dtype, s, weakType); }

    public ShapedArray withDtype(DType d) { return new ShapedArray(d, shape, weakType); }

    public ShapedArray strong() { return weakType ? new ShapedArray(dtype, shape, false) : this; }

    /** {@code f32[3,4]}: the short form used in jaxprs and error messages. */
    public String str() { return dtype.shortName() + shape; }

    @Override
    public String toString() { return str(); }

    /** Equal dtype and shape, ignoring weak types (what jit cache keys and checks compare). */
    public boolean sameTypeAs(ShapedArray other) {
        return dtype == other.dtype && shape.equals(other.shape);
    }

    static String dimsString(int[] dims) {
        return Arrays.toString(dims).replace(" ", "");
    }
}
