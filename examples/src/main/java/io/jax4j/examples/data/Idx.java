package io.jax4j.examples.data;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * The IDX file format of MNIST and Fashion-MNIST (optionally gzip-compressed): a big-endian header
 * {@code 0x00 0x00 TYPE NDIM}, then {@code NDIM} int32 sizes, then the data. Only unsigned bytes
 * ({@code TYPE = 0x08}) are read, which is what both data sets use.
 */
public final class Idx {
    private Idx() {}

    /** The unsigned-byte type code of the IDX header. */
    public static final int UBYTE = 0x08;

    /** A parsed IDX file: the dimensions and the raw unsigned bytes in row-major order. */
    public record Tensor(int[] dims, byte[] data) {
        public int count() { return dims[0]; }
    }

    /** Reads {@code file} (gzip when its name ends in {@code .gz}) and checks it has {@code ndim} dimensions. */
    public static Tensor read(Path file, int ndim) {
        byte[] bytes;
        try {
            bytes = file.getFileName().toString().endsWith(".gz") ? gunzip(file) : Files.readAllBytes(file);
        } catch (EOFException e) {
            throw new DataException(file + ": the gzip stream ends early (truncated download?); delete the file and fetch it again", e);
        } catch (ZipException e) {
            throw new DataException(file + ": not a valid gzip file (" + e.getMessage() + "); delete it and fetch it again", e);
        } catch (IOException e) {
            throw new DataException(file + ": cannot be read: " + e, e);
        }
        return parse(file.toString(), bytes, ndim);
    }

    /** Parses IDX {@code bytes} (uncompressed); {@code name} is used in error messages. */
    public static Tensor parse(String name, byte[] bytes, int ndim) {
        if (bytes.length < 4) throw new DataException(name + ": " + bytes.length + " bytes is too short for an IDX header (truncated file?)");
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int magic = b.getInt();
        if ((magic >>> 16) != 0) {
            throw new DataException(name + ": bad IDX magic number 0x" + Integer.toHexString(magic)
                    + " (expected 0x0000" + String.format("%02x%02x", UBYTE, ndim) + "); not an IDX file, or still compressed");
        }
        int type = (magic >>> 8) & 0xff;
        int nd = magic & 0xff;
        if (type != UBYTE) throw new DataException(name + ": IDX data type 0x" + Integer.toHexString(type) + " is not unsigned byte (0x08)");
        if (nd != ndim) throw new DataException(name + ": IDX file has " + nd + " dimensions, expected " + ndim);
        if (bytes.length < 4 + 4L * nd) throw new DataException(name + ": the IDX header is truncated (" + bytes.length + " bytes)");
        int[] dims = new int[nd];
        for (int i = 0; i < nd; i++) {
            dims[i] = b.getInt();
            if (dims[i] <= 0) throw new DataException(name + ": IDX dimension " + i + " is " + dims[i] + ", must be positive");
        }
        long have = bytes.length - 4L - 4L * nd;
        long size = 1;
        try {
            for (int d : dims) size = Math.multiplyExact(size, d);     // checked: [2^21, 2^21, 2^22] must not wrap to 0
        } catch (ArithmeticException e) {
            throw new DataException(name + ": corrupt: the header " + Arrays.toString(dims) + " promises more than 2^63 bytes of data, the file holds "
                    + have + "; delete it and fetch it again");
        }
        if (have < size) {
            throw new DataException(name + ": truncated: the header " + Arrays.toString(dims) + " promises " + size
                    + " bytes of data, the file holds " + have + "; delete it and fetch it again");
        }
        if (have > size) throw new DataException(name + ": " + (have - size) + " bytes after the data " + Arrays.toString(dims) + " (corrupt file?)");
        return new Tensor(dims, Arrays.copyOfRange(bytes, 4 + 4 * nd, bytes.length));
    }

    /**
     * The most bytes a gzip file may decompress to: the largest Fashion-MNIST file is 47 MB, and a Java
     * array holds at most 2^31 - 1 bytes. A file that inflates beyond this (a gzip bomb, or not a data
     * set file) is refused rather than filling the heap.
     */
    static final int MAX_DECOMPRESSED_BYTES = 1 << 30;

    private static byte[] gunzip(Path file) throws IOException {
        return gunzip(file, MAX_DECOMPRESSED_BYTES);
    }

    static byte[] gunzip(Path file, int limit) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file), 1 << 16)) {
            byte[] out = in.readNBytes(limit);
            if (in.read() >= 0) {
                throw new DataException(file + ": decompresses to more than " + limit + " bytes, more than any IDX file of the data "
                        + "sets jax4j reads (the largest is 47 MB): not a Fashion-MNIST file; delete it and fetch it again");
            }
            return out;
        }
    }

    /** Writes an uncompressed IDX unsigned-byte file image (tests and tools). */
    public static byte[] encode(int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.putInt((UBYTE << 8) | dims.length);
        for (int d : dims) b.putInt(d);
        b.put(data);
        return b.array();
    }
}
