package io.jax4j.core;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Device;
import io.jax4j.ShapedArray;
import io.jax4j.internal.NativeMemory;
import io.jax4j.spi.DeviceBuffer;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Cleaner;

/**
 * A concrete array: an aval and an off-heap buffer in row-major order, and, for an array made or
 * used by a device backend, a {@link DeviceBuffer} in that device's memory. A device backend's output
 * has only the device buffer until it is read on the host ({@link #segment()} then copies it once and
 * keeps the copy); a host array passed to a device program may keep its upload for the next call
 * ({@link #cacheDeviceCopy}). Immutable once published; both buffers are freed by {@link #close()},
 * by donation, or when the array becomes unreachable.
 *
 * <p>Element access goes through two views: {@code double} for floating and boolean dtypes (and
 * integers, exactly), {@code long} for integers (u32 zero-extended). Writers round to the dtype:
 * floats to the nearest representable value, integers with two's-complement wrap-around.
 */
public final class ArrayImpl extends Array implements AutoCloseable {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;

    private static final Cleaner DEVICE_CLEANER = Cleaner.create();

    private final ShapedArray aval;
    /** The host copy: allocated at creation for a host array, at the first read for a device array. */
    private volatile NativeMemory.Block block;
    private volatile Cleaner.Cleanable cleanable;
    /** The data in a device's memory: an output of a device backend, or a cached upload of a host array. */
    private volatile DeviceBuffer deviceBuffer;
    private volatile Cleaner.Cleanable deviceCleanable;
    /** Where the array was made (its {@link #device()}): the host, or the device of its buffer. */
    private final Device home;
    /** For a buffer taken over by {@link #moveTo}: the previous owner, kept reachable so its cleaner waits. */
    private final ArrayImpl previousOwner;
    /** The layout over devices it was placed with; null: its home device alone. */
    private volatile io.jax4j.Sharding sharding;
    private volatile String deletedBy;
    private volatile boolean moved;

    private ArrayImpl(ShapedArray aval) { this(aval, true); }

    private ArrayImpl(ShapedArray aval, boolean zeroed) {
        this.aval = aval;
        long bytes = aval.size() * aval.dtype().byteSize();
        this.block = zeroed ? NativeMemory.allocate(bytes) : NativeMemory.allocateUninitialized(bytes);
        this.cleanable = NativeMemory.register(this, block);
        this.home = Device.CPU;
        this.previousOwner = null;
    }

    private ArrayImpl(ShapedArray aval, DeviceBuffer buffer) {
        this.aval = aval;
        this.home = buffer.device();
        this.previousOwner = null;
        attach(buffer);
    }

    /** A new owner of {@code from}'s host buffer ({@code host}) or of its device buffer (not {@code host}), never both. */
    private ArrayImpl(ShapedArray aval, ArrayImpl from, boolean host) {
        this.aval = aval;
        this.block = host ? from.block : null;
        this.cleanable = host ? from.cleanable : null;
        this.deviceBuffer = host ? null : from.deviceBuffer;
        this.deviceCleanable = host ? null : from.deviceCleanable;
        this.home = host ? Device.CPU : from.deviceBuffer.device();
        this.previousOwner = from;
    }

    /** A zero-filled array; callers fill it before publishing. */
    public static ArrayImpl allocate(ShapedArray aval) { return new ArrayImpl(aval); }

    /** An array whose contents are undefined until written: for a compiled kernel's outputs, which it writes entirely. */
    public static ArrayImpl allocateUninitialized(ShapedArray aval) { return new ArrayImpl(aval, false); }

    /**
     * An array whose data is in a device's memory (a device backend's output): it stays there for the
     * next call on that device; the first read on the host copies it once, and the copy is kept.
     */
    public static ArrayImpl onDevice(ShapedArray aval, DeviceBuffer buffer) {
        long bytes = aval.size() * aval.dtype().byteSize();
        if (buffer.bytes() < bytes) {
            throw new IllegalArgumentException("onDevice: a " + aval.str() + " needs " + bytes + " bytes, the buffer has " + buffer.bytes());
        }
        return new ArrayImpl(aval, buffer);
    }

    @Override
    public ShapedArray aval() { return aval; }

    /** Where the array was made: {@code cpu:0}, or the device whose memory holds it. */
    @Override
    public Device device() { return home; }

    /** The native buffer (row-major, {@code size * itemsize} bytes); for a device array, its host copy (made at the first read). */
    public MemorySegment segment() {
        checkAlive();
        NativeMemory.Block b = block;
        return (b != null ? b : download()).segment();
    }

    private synchronized NativeMemory.Block download() {
        checkAlive();
        if (block != null) return block;
        NativeMemory.Block b = NativeMemory.allocateUninitialized(aval.size() * aval.dtype().byteSize());
        try {
            deviceBuffer.copyToHost(b.segment());
        } catch (RuntimeException e) {
            b.free();
            throw e;
        }
        cleanable = NativeMemory.register(this, b);
        block = b;
        return b;
    }

    /** The array's data in a device's memory, or null for a host array that was never sent to one. */
    public DeviceBuffer deviceBuffer() {
        checkAlive();
        return deviceBuffer;
    }

    /**
     * Keeps {@code copy} (an upload of this host array to a device) so that later calls on that device
     * read it without copying again; false, and nothing kept, when the array already has a device buffer.
     */
    public synchronized boolean cacheDeviceCopy(DeviceBuffer copy) {
        checkAlive();
        if (deviceBuffer != null) return false;
        attach(copy);
        return true;
    }

    private void attach(DeviceBuffer buffer) {
        deviceBuffer = buffer;
        deviceCleanable = DEVICE_CLEANER.register(this, buffer::free);
    }

    /** Waits until the work that computes this array has run (JAX's {@code block_until_ready}); returns this array. */
    @Override
    public ArrayImpl blockUntilReady() {
        checkAlive();
        DeviceBuffer d = deviceBuffer;
        if (d != null && block == null) d.blockUntilReady();
        return this;
    }

    /** Whether the host holds the data now (a device array before its first read does not). */
    public boolean hasHostCopy() { return block != null; }

    /** Frees the buffer now; later reads fail with a clear error. Idempotent. */
    @Override
    public void close() { delete("close()"); }

    /** Marks the array deleted (donation): reads after this fail naming {@code reason}. */
    public void delete(String reason) {
        if (moved) return;
        deletedBy = reason;
        free();
    }

    private void free() {
        Cleaner.Cleanable c = cleanable, d = deviceCleanable;
        if (c != null) c.clean();
        if (d != null) d.clean();
    }

    /**
     * Donation in place: a new array of {@code newAval} (same dtype and size) takes over this
     * array's host buffer without a copy (a device array's data is read first; its device copy is
     * freed, as it would go stale), and this array is deleted with {@code reason}. The buffer is
     * freed when the new owner is closed or unreachable; {@link #delete}/{@link #close} on this one
     * are then no-ops.
     */
    public synchronized ArrayImpl moveTo(ShapedArray newAval, String reason) {
        checkAlive();
        if (newAval.size() != aval.size() || newAval.dtype() != aval.dtype()) {
            throw new IllegalArgumentException("moveTo: " + aval.str() + " -> " + newAval.str());
        }
        // the new owner's data is the host copy, which a host program may now overwrite: a device copy would go stale
        segment();
        Cleaner.Cleanable d = deviceCleanable;
        if (d != null) d.clean();
        ArrayImpl a = new ArrayImpl(newAval, this, true);
        moved = true;
        deletedBy = reason;
        return a;
    }

    /**
     * Donation of a device buffer to a device program that overwrites it: a new array of
     * {@code newAval} (same dtype and size) owns this array's device buffer and has no host copy yet
     * (the device will write new data); this array is deleted with {@code reason} and its host copy freed.
     */
    public synchronized ArrayImpl moveDeviceBufferTo(ShapedArray newAval, String reason) {
        checkAlive();
        if (newAval.size() != aval.size() || newAval.dtype() != aval.dtype() || deviceBuffer == null) {
            throw new IllegalArgumentException("moveDeviceBufferTo: " + aval.str() + " -> " + newAval.str()
                    + (deviceBuffer == null ? " (no device buffer)" : ""));
        }
        ArrayImpl a = new ArrayImpl(newAval, this, false);
        moved = true;
        deletedBy = reason;
        Cleaner.Cleanable c = cleanable;
        if (c != null) c.clean();
        return a;
    }

    public boolean isDeleted() { return deletedBy != null; }

    private void checkAlive() {
        if (deletedBy != null) {
            throw new Jax4jException("Array " + aval.str() + " has been deleted by " + deletedBy
                    + " and cannot be used any more");
        }
    }

    // ---- element access

    public double getDouble(long i) {
        MemorySegment s = segment();
        return switch (aval.dtype()) {
            case F32 -> s.getAtIndex(F32, i);
            case F64 -> s.getAtIndex(F64, i);
            case F16 -> Float.float16ToFloat(s.getAtIndex(I16, i));
            case BF16 -> Float.intBitsToFloat(((int) s.getAtIndex(I16, i)) << 16);
            case I32 -> s.getAtIndex(I32, i);
            case U32 -> Integer.toUnsignedLong(s.getAtIndex(I32, i));
            case BOOL -> s.get(ValueLayout.JAVA_BYTE, i) != 0 ? 1.0 : 0.0;
        };
    }

    public long getLong(long i) {
        MemorySegment s = segment();
        return switch (aval.dtype()) {
            case I32 -> s.getAtIndex(I32, i);
            case U32 -> Integer.toUnsignedLong(s.getAtIndex(I32, i));
            case BOOL -> s.get(ValueLayout.JAVA_BYTE, i);
            default -> (long) getDouble(i);
        };
    }

    public void setDouble(long i, double v) {
        MemorySegment s = segment();
        switch (aval.dtype()) {
            case F32 -> s.setAtIndex(F32, i, (float) v);
            case F64 -> s.setAtIndex(F64, i, v);
            case F16 -> s.setAtIndex(I16, i, Float.floatToFloat16((float) v));
            case BF16 -> s.setAtIndex(I16, i, toBf16((float) v));
            case I32, U32 -> s.setAtIndex(I32, i, (int) doubleToIntegral(v, aval.dtype()));
            case BOOL -> s.set(ValueLayout.JAVA_BYTE, i, (byte) (v != 0 ? 1 : 0));
        }
    }

    public void setLong(long i, long v) {
        MemorySegment s = segment();
        switch (aval.dtype()) {
            case I32, U32 -> s.setAtIndex(I32, i, (int) v);
            case BOOL -> s.set(ValueLayout.JAVA_BYTE, i, (byte) (v != 0 ? 1 : 0));
            default -> setDouble(i, v);
        }
    }

    /**
     * Float to integer as XLA converts: truncation toward zero, NaN to 0, and saturating at the
     * dtype's range (int32: INT_MIN..INT_MAX; uint32: 0..UINT_MAX, returned zero-extended).
     */
    static long doubleToIntegral(double v, DType dtype) {
        if (Double.isNaN(v)) return 0;
        long min = dtype == DType.U32 ? 0 : Integer.MIN_VALUE;
        long max = dtype == DType.U32 ? 0xFFFF_FFFFL : Integer.MAX_VALUE;
        if (v <= min) return min;
        if (v >= max) return max;
        return (long) v;
    }

    /** float32 -> bfloat16 with round-to-nearest-even, NaN kept quiet. */
    static short toBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) return (short) ((bits >>> 16) | 0x40);
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    public double[] toDoubles() {
        int n = Math.toIntExact(aval.size());
        double[] out = new double[n];
        for (int i = 0; i < n; i++) out[i] = getDouble(i);
        return out;
    }

    public long[] toLongs() {
        int n = Math.toIntExact(aval.size());
        long[] out = new long[n];
        for (int i = 0; i < n; i++) out[i] = getLong(i);
        return out;
    }

    public static ArrayImpl ofDoubles(ShapedArray aval, double[] data) {
        checkLength(aval, data.length);
        ArrayImpl a = new ArrayImpl(aval);
        if (aval.dtype() == DType.F32) {
            MemorySegment s = a.segment();
            for (int i = 0; i < data.length; i++) s.setAtIndex(F32, i, (float) data[i]);
        } else {
            for (int i = 0; i < data.length; i++) a.setDouble(i, data[i]);
        }
        return a;
    }

    public static ArrayImpl ofLongs(ShapedArray aval, long[] data) {
        checkLength(aval, data.length);
        ArrayImpl a = new ArrayImpl(aval);
        for (int i = 0; i < data.length; i++) a.setLong(i, data[i]);
        return a;
    }

    public static ArrayImpl ofFloats(ShapedArray aval, float[] data) {
        checkLength(aval, data.length);
        ArrayImpl a = new ArrayImpl(aval);
        for (int i = 0; i < data.length; i++) a.setDouble(i, data[i]);
        return a;
    }

    private static void checkLength(ShapedArray aval, int n) {
        if (aval.size() != n) {
            throw new Jax4jException("cannot make an array of shape " + aval.shape() + " (" + aval.size()
                    + " elements) from " + n + " values");
        }
    }

    @Override
    public io.jax4j.Sharding sharding() {
        io.jax4j.Sharding s = sharding;
        return s != null ? s : new io.jax4j.Sharding.Single(home);
    }

    /** The sharding it was placed with, or null for an array on its home device alone. */
    public io.jax4j.Sharding placedSharding() { return sharding; }

    /**
     * This array laid out by {@code s} (a host array: every host device shares its memory, so the
     * blocks are views of one copy); {@code s} is checked against the shape first.
     */
    public ArrayImpl withSharding(io.jax4j.Sharding s) {
        s.devicesIndicesMap(aval.dims());
        ArrayImpl a = withAval(aval);
        a.sharding = s;
        return a;
    }

    /** A copy with another aval of the same size and dtype (reshape, weak-type change). */
    public ArrayImpl withAval(ShapedArray newAval) {
        if (newAval.size() != aval.size() || newAval.dtype() != aval.dtype()) {
            throw new IllegalArgumentException(aval.str() + " -> " + newAval.str());
        }
        ArrayImpl a = new ArrayImpl(newAval);
        MemorySegment.copy(segment(), 0, a.segment(), 0, aval.size() * aval.dtype().byteSize());
        return a;
    }
}
