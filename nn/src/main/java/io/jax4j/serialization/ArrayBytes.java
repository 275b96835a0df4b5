package io.jax4j.serialization;

import io.jax4j.DType;
import io.jax4j.Shape;
import io.jax4j.ShapedArray;
import io.jax4j.core.ArrayImpl;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Arrays to and from the little-endian, row-major bytes both file formats store. jax4j arrays live in
 * native byte order; the copies go through element layouts, so they swap bytes only on big-endian hosts.
 */
final class ArrayBytes {
    private ArrayBytes() {}

    /** The dtype numpy names {@code name} ({@code float32}, {@code bfloat16}, ...), or null if jax4j has none. */
    static DType fromNumpyName(String name) {
        return switch (name) {
            case "float32" -> DType.F32;
            case "float64" -> DType.F64;
            case "float16" -> DType.F16;
            case "bfloat16" -> DType.BF16;
            case "int32" -> DType.I32;
            case "uint32" -> DType.U32;
            case "bool" -> DType.BOOL;
            default -> null;
        };
    }

    /** {@code count} elements from element {@code first} of {@code a}, as little-endian bytes. */
    static byte[] toLittleEndian(ArrayImpl a, long first, long count) {
        int itemSize = a.dtype().byteSize();
        byte[] out = new byte[Math.toIntExact(count * itemSize)];
        copy(a.segment(), first * itemSize, nativeOrder(itemSize), MemorySegment.ofArray(out), 0, littleEndian(itemSize), count);
        return out;
    }

    /** A new array of {@code dtype[shape]} filled from little-endian bytes at {@code offset} of {@code src}. */
    static ArrayImpl fromLittleEndian(MemorySegment src, long offset, DType dtype, Shape shape) {
        ArrayImpl a = ArrayImpl.allocate(new ShapedArray(dtype, shape));
        int itemSize = dtype.byteSize();
        copy(src, offset, littleEndian(itemSize), a.segment(), 0, nativeOrder(itemSize), shape.size());
        return a;
    }

    private static void copy(MemorySegment src, long srcOffset, ValueLayout srcLayout,
                             MemorySegment dst, long dstOffset, ValueLayout dstLayout, long count) {
        if (count == 0) return;
        MemorySegment.copy(src, srcLayout, srcOffset, dst, dstLayout, dstOffset, count);
    }

    static ValueLayout littleEndian(int itemSize) {
        return layout(itemSize).withOrder(ByteOrder.LITTLE_ENDIAN);
    }

    private static ValueLayout nativeOrder(int itemSize) {
        return layout(itemSize).withOrder(ByteOrder.nativeOrder());
    }

    private static ValueLayout layout(int itemSize) {
        return switch (itemSize) {
            case 1 -> ValueLayout.JAVA_BYTE;
            case 2 -> ValueLayout.JAVA_SHORT_UNALIGNED;
            case 4 -> ValueLayout.JAVA_INT_UNALIGNED;
            case 8 -> ValueLayout.JAVA_LONG_UNALIGNED;
            default -> throw new IllegalArgumentException("no element layout of " + itemSize + " bytes");
        };
    }
}
