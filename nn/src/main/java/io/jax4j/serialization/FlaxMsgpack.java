package io.jax4j.serialization;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Shape;
import io.jax4j.ShapedArray;
import io.jax4j.core.ArrayImpl;

import org.msgpack.core.ExtensionTypeHeader;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessagePacker;
import org.msgpack.core.MessageUnpacker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The wire format of {@code flax.serialization}: msgpack with three extension types, read and written
 * value by value exactly as msgpack-python's {@code packb}/{@code unpackb} do, so that bytes decoded and
 * encoded again are identical.
 *
 * <pre>
 * value    ::= nil | bool | int | float | str | bin | [value...] | {str: value...} | ndarray
 * ndarray  ::= ext 1 (msgpack [shape: [int...], dtype name: str, row-major little-endian bytes: bin])
 * npscalar ::= ext 3 (the same payload, shape []), read as a 0-d array
 * chunked  ::= {"__msgpack_chunked_array__": true, "shape": {"0": int...}, "chunks": {"0": ndarray...}}
 *              for arrays over 2**30 bytes, found only through maps (never below a list)
 * </pre>
 */
final class FlaxMsgpack {
    static final byte EXT_NDARRAY = 1;
    static final byte EXT_COMPLEX = 2;
    static final byte EXT_NPSCALAR = 3;
    static final String CHUNK_MARKER = "__msgpack_chunked_array__";
    /** Flax's {@code MAX_CHUNK_SIZE}: arrays of more bytes than this are split into chunks. */
    static final long MAX_CHUNK_SIZE = 1L << 30;

    /**
     * The deepest nesting of maps and lists the decoder reads (a Flax state dict is a few levels deep):
     * deeper input is refused rather than overflowing the stack.
     */
    static final int MAX_DEPTH = 256;

    private FlaxMsgpack() {}

    // ---- decoding

    /** Decodes one msgpack value; {@code unchunk} reassembles chunked arrays as msgpack_restore does. */
    static Object decode(byte[] bytes, boolean unchunk) {
        try (MessageUnpacker in = MessagePack.newDefaultUnpacker(bytes)) {
            if (!in.hasNext()) throw new SerializationException("FlaxSerialization.fromBytes: the input is empty (0 bytes)");
            Object value = new Decoder(in, unchunk, bytes.length).read(new ArrayList<>(), true);
            if (in.hasNext()) {
                throw new SerializationException("FlaxSerialization.fromBytes: " + (bytes.length - in.getTotalReadBytes())
                        + " bytes follow the msgpack value (" + in.getTotalReadBytes() + " bytes); the input is not one Flax state dict");
            }
            return value;
        } catch (IOException | MessagePackException e) {
            throw new SerializationException("FlaxSerialization.fromBytes: malformed msgpack input of " + bytes.length
                    + " bytes (truncated or corrupt): " + e.getMessage(), e);
        }
    }

    /**
     * Every length the input claims (entries of a list or map, bytes of a string, bin or ext payload) is
     * checked against the bytes left before anything is allocated, and nesting against {@link #MAX_DEPTH}:
     * crafted input is a {@link SerializationException}, never an OutOfMemoryError or StackOverflowError.
     */
    private record Decoder(MessageUnpacker in, boolean reassemble, long total) {

        private long left() { return total - in.getTotalReadBytes(); }

        /** {@code n} entries of at least {@code minBytes} bytes each must fit in the bytes left. */
        private int entries(int n, int minBytes, String what, List<String> path) {
            if ((long) n * minBytes > left()) {
                throw new SerializationException("FlaxSerialization.fromBytes: malformed msgpack input of " + total + " bytes (truncated or corrupt): at "
                        + StateDicts.describe(path) + " a msgpack " + what + " claims " + n + " entries but only " + left() + " bytes are left");
            }
            return n;
        }

        private byte[] payload(int length, String what, List<String> path) throws IOException {
            if (length > left()) {
                throw new SerializationException("FlaxSerialization.fromBytes: malformed msgpack input of " + total + " bytes (truncated or corrupt): at "
                        + StateDicts.describe(path) + " a msgpack " + what + " claims " + length + " bytes but only " + left() + " are left");
            }
            return in.readPayload(length);
        }

        private void enter(List<String> path) {
            if (path.size() >= MAX_DEPTH) {
                throw new SerializationException("FlaxSerialization.fromBytes: at " + StateDicts.describe(path.subList(0, 8)) + "... the maps and lists nest deeper than "
                        + MAX_DEPTH + " levels; a Flax state dict is a few levels deep: the input is corrupt or not a state dict");
            }
        }

        /** Reads the next value at {@code path}; {@code viaMaps} is true while no list lies above it. */
        Object read(List<String> path, boolean viaMaps) throws IOException {
            MessageFormat format = in.getNextFormat();
            return switch (format.getValueType()) {
                case NIL -> { in.unpackNil(); yield null; }
                case BOOLEAN -> in.unpackBoolean();
                case INTEGER -> readInteger(format);
                case FLOAT -> format == MessageFormat.FLOAT32 ? (Object) in.unpackFloat() : (Object) in.unpackDouble();
                case STRING -> utf8(payload(in.unpackRawStringHeader(), "string", path), path);
                case BINARY -> payload(in.unpackBinaryHeader(), "bin", path);
                case ARRAY -> readList(path);
                case MAP -> readMap(path, viaMaps);
                case EXTENSION -> readExtension(path);
            };
        }

        private Object readInteger(MessageFormat format) throws IOException {
            if (format == MessageFormat.UINT64) {
                BigInteger v = in.unpackBigInteger();
                return v.bitLength() < 64 ? (Object) v.longValue() : v;
            }
            return in.unpackLong();
        }

        private List<Object> readList(List<String> path) throws IOException {
            enter(path);
            int n = entries(in.unpackArrayHeader(), 1, "array", path);
            var out = new ArrayList<>(Math.min(n, 1 << 16));
            for (int i = 0; i < n; i++) {
                path.add(Integer.toString(i));
                out.add(read(path, false));
                path.removeLast();
            }
            return Collections.unmodifiableList(out);
        }

        private Object readMap(List<String> path, boolean viaMaps) throws IOException {
            enter(path);
            int n = entries(in.unpackMapHeader(), 2, "map", path);
            var out = LinkedHashMap.<String, Object>newLinkedHashMap(Math.min(n, 1 << 16));
            for (int i = 0; i < n; i++) {
                MessageFormat keyFormat = in.getNextFormat();
                if (keyFormat.getValueType() != org.msgpack.value.ValueType.STRING) {
                    throw new SerializationException("FlaxSerialization.fromBytes: at " + StateDicts.describe(path)
                            + " a map key is a msgpack " + keyFormat.getValueType().name().toLowerCase()
                            + "; a Flax state dict has string keys only");
                }
                String key = utf8(payload(in.unpackRawStringHeader(), "map key", path), path);
                if (out.containsKey(key)) {
                    throw new SerializationException("FlaxSerialization.fromBytes: at " + StateDicts.describe(path)
                            + " the key '" + key + "' appears twice");
                }
                path.add(key);
                out.put(key, read(path, viaMaps));
                path.removeLast();
            }
            if (reassemble && viaMaps && out.containsKey(CHUNK_MARKER)) return FlaxMsgpack.unchunk(out, path);
            return Collections.unmodifiableSequencedMap(out);
        }

        private Object readExtension(List<String> path) throws IOException {
            ExtensionTypeHeader header = in.unpackExtensionTypeHeader();
            byte[] payload = payload(header.getLength(), "extension", path);
            return switch (header.getType()) {
                case EXT_NDARRAY -> ndarray(payload, path, false);
                case EXT_NPSCALAR -> ndarray(payload, path, true);
                case EXT_COMPLEX -> throw new SerializationException("FlaxSerialization.fromBytes: at " + StateDicts.describe(path)
                        + " the value is a Python complex number (msgpack ext type 2); jax4j has no complex dtype");
                default -> throw new SerializationException("FlaxSerialization.fromBytes: at " + StateDicts.describe(path)
                        + " the value has msgpack extension type " + header.getType()
                        + "; Flax writes only 1 (ndarray), 2 (complex) and 3 (numpy scalar)");
            };
        }
    }

    private static String utf8(byte[] raw, List<String> path) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            throw new SerializationException("FlaxSerialization.fromBytes: at " + StateDicts.describe(path)
                    + " a msgpack string is not valid UTF-8", e);
        }
    }

    /** {@code _ndarray_from_bytes}: the payload of ext types 1 and 3. */
    static ArrayImpl ndarray(byte[] payload, List<String> path, boolean scalar) {
        String where = "FlaxSerialization.fromBytes: the array at " + StateDicts.describe(path);
        try (MessageUnpacker in = MessagePack.newDefaultUnpacker(payload)) {
            if (in.unpackArrayHeader() != 3) throw new SerializationException(where + " is not a [shape, dtype, bytes] triple");
            int ndim = in.unpackArrayHeader();
            if (ndim > payload.length - in.getTotalReadBytes()) {
                throw new SerializationException(where + " claims " + ndim + " dimensions but its payload has only "
                        + (payload.length - in.getTotalReadBytes()) + " bytes left; the input is truncated or corrupt");
            }
            int[] dims = new int[ndim];
            for (int i = 0; i < ndim; i++) {
                long d = in.unpackLong();
                if (d < 0 || d > Integer.MAX_VALUE) throw new SerializationException(where + " has dimension " + d + " at axis " + i);
                dims[i] = (int) d;
            }
            String dtypeName = new String(readRaw(in, payload.length, where), StandardCharsets.UTF_8);
            byte[] data = readRaw(in, payload.length, where);
            DType dtype = ArrayBytes.fromNumpyName(dtypeName);
            if (dtype == null) {
                throw new SerializationException(where + " has dtype " + dtypeName
                        + ", which jax4j does not support; convert it in Python to one of float32, float64, float16, "
                        + "bfloat16, int32, uint32, bool before saving");
            }
            Shape shape = shapeOf(dims, where);
            if (scalar && ndim != 0) throw new SerializationException(where + " is a numpy scalar (ext type 3) of shape " + shape);
            long expected = byteSize(dtype, shape, where);
            if (data.length != expected) {
                throw new SerializationException(where + " is " + dtype.shortName() + shape + ", which needs " + expected
                        + " bytes, but its buffer holds " + data.length);
            }
            return ArrayBytes.fromLittleEndian(MemorySegment.ofArray(data), 0, dtype, shape);
        } catch (IOException | MessagePackException e) {
            throw new SerializationException(where + " has a malformed payload: " + e.getMessage(), e);
        }
    }

    /** The shape of {@code dims}; one with more elements than can exist is a {@link SerializationException} naming the array. */
    private static Shape shapeOf(int[] dims, String where) {
        try {
            return Shape.of(dims);
        } catch (IllegalArgumentException e) {
            throw new SerializationException(where + ": " + e.getMessage(), e);
        }
    }

    /** The byte size of {@code dtype[shape]}, refused when it exceeds what can exist. */
    private static long byteSize(DType dtype, Shape shape, String where) {
        try {
            return new ShapedArray(dtype, shape).size() * dtype.byteSize();
        } catch (IllegalArgumentException e) {
            throw new SerializationException(where + ": " + e.getMessage(), e);
        }
    }

    /** A str or bin value as bytes (msgpack-python's {@code raw=True}). */
    private static byte[] readRaw(MessageUnpacker in, long total, String where) throws IOException {
        MessageFormat f = in.getNextFormat();
        int length = switch (f.getValueType()) {
            case STRING -> in.unpackRawStringHeader();
            case BINARY -> in.unpackBinaryHeader();
            default -> throw new SerializationException("expected a str or bin value, got a msgpack " + f.getValueType());
        };
        if (length > total - in.getTotalReadBytes()) {
            throw new SerializationException(where + ": a msgpack str or bin value claims " + length + " bytes but only "
                    + (total - in.getTotalReadBytes()) + " are left; the input is truncated or corrupt");
        }
        return in.readPayload(length);
    }

    /** {@code _unchunk}: concatenates the chunks and reshapes them to the recorded shape. */
    private static ArrayImpl unchunk(Map<String, Object> data, List<String> path) {
        String where = "FlaxSerialization.fromBytes: the chunked array at " + StateDicts.describe(path);
        if (!(data.get("shape") instanceof Map<?, ?> shapeMap) || !(data.get("chunks") instanceof Map<?, ?> chunkMap)) {
            throw new SerializationException(where + " lacks its 'shape' or 'chunks' map");
        }
        int[] dims = new int[shapeMap.size()];
        for (int i = 0; i < dims.length; i++) {
            if (!(shapeMap.get(Integer.toString(i)) instanceof Long d) || d < 0 || d > Integer.MAX_VALUE) {
                throw new SerializationException(where + " has no valid shape entry '" + i + "'");
            }
            dims[i] = (int) (long) d;
        }
        var chunks = new ArrayList<ArrayImpl>();
        DType dtype = null;
        long total = 0;
        for (int i = 0; i < chunkMap.size(); i++) {
            if (!(chunkMap.get(Integer.toString(i)) instanceof ArrayImpl c)) {
                throw new SerializationException(where + " has no array chunk '" + i + "'");
            }
            if (dtype != null && c.dtype() != dtype) {
                throw new SerializationException(where + " mixes chunk dtypes " + dtype + " and " + c.dtype());
            }
            dtype = c.dtype();
            total += c.size();
            chunks.add(c);
        }
        Shape shape = shapeOf(dims, where);
        if (dtype != null) byteSize(dtype, shape, where);
        if (dtype == null || total != shape.size()) {
            throw new SerializationException(where + " has " + total + " elements in its chunks but shape " + shape);
        }
        ArrayImpl out = ArrayImpl.allocate(new ShapedArray(dtype, shape));
        long offset = 0;
        for (ArrayImpl c : chunks) {
            long n = c.size() * dtype.byteSize();
            MemorySegment.copy(c.segment(), 0, out.segment(), offset, n);
            offset += n;
        }
        return out;
    }

    // ---- encoding

    /** Encodes a state dict in its maps' iteration order ({@code msgpack.packb(..., strict_types=True)}). */
    static byte[] encode(Object value, long maxChunkBytes) {
        try (MessageBufferPacker out = MessagePack.newDefaultBufferPacker()) {
            new Encoder(out, maxChunkBytes).write(value, new ArrayList<>(), true);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record Encoder(MessagePacker out, long maxChunkBytes) {

        void write(Object v, List<String> path, boolean viaMaps) throws IOException {
            switch (v) {
                case null -> out.packNil();
                case Boolean b -> out.packBoolean(b);
                case Long l -> out.packLong(l);
                case Integer i -> out.packLong(i);
                case Short s -> out.packLong(s);
                case Byte b -> out.packLong(b);
                case BigInteger b -> out.packBigInteger(b);
                case Double d -> out.packDouble(d);
                case Float f -> out.packFloat(f);
                case String s -> writeString(out, s);
                case byte[] b -> out.packBinaryHeader(b.length).writePayload(b);
                case Array a -> writeArray(StateDicts.concrete(a, path, "FlaxSerialization.toBytes"), path, viaMaps);
                case Map<?, ?> m -> writeMap(m, path);
                case List<?> l -> writeList(l, path);
                default -> throw new SerializationException("FlaxSerialization.toBytes: at " + StateDicts.describe(path)
                        + " the value is a " + v.getClass().getName() + ", which msgpack cannot hold; a state dict holds maps "
                        + "with string keys, lists, arrays, numbers, strings, booleans, byte[] and null (use toStateDict first)");
            }
        }

        private void writeMap(Map<?, ?> m, List<String> path) throws IOException {
            out.packMapHeader(m.size());
            for (var e : m.entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    throw new SerializationException("FlaxSerialization.toBytes: at " + StateDicts.describe(path) + " the key "
                            + e.getKey() + " is a " + (e.getKey() == null ? "null" : e.getKey().getClass().getSimpleName())
                            + "; state dict keys are strings (toStateDict converts them)");
                }
                writeString(out, key);
                path.add(key);
                write(e.getValue(), path, true);
                path.removeLast();
            }
        }

        private void writeList(List<?> l, List<String> path) throws IOException {
            out.packArrayHeader(l.size());
            for (int i = 0; i < l.size(); i++) {
                path.add(Integer.toString(i));
                write(l.get(i), path, false);
                path.removeLast();
            }
        }

        /** An ndarray ext value, or Flax's chunked form when it is larger than the chunk size. */
        private void writeArray(ArrayImpl a, List<String> path, boolean viaMaps) throws IOException {
            int itemSize = a.dtype().byteSize();
            if (viaMaps && a.size() * itemSize > maxChunkBytes) {
                long chunk = Math.max(1, maxChunkBytes / itemSize);
                out.packMapHeader(3);
                writeString(out, CHUNK_MARKER);
                out.packBoolean(true);
                writeString(out, "shape");
                int[] dims = a.shape();
                out.packMapHeader(dims.length);
                for (int i = 0; i < dims.length; i++) {
                    writeString(out, Integer.toString(i));
                    out.packLong(dims[i]);
                }
                writeString(out, "chunks");
                long n = a.size();
                out.packMapHeader(Math.toIntExact((n + chunk - 1) / chunk));
                for (long start = 0, i = 0; start < n; start += chunk, i++) {
                    writeString(out, Long.toString(i));
                    long len = Math.min(chunk, n - start);
                    writeNdarray(out, new int[]{Math.toIntExact(len)}, a, start, len);
                }
                return;
            }
            writeNdarray(out, a.shape(), a, 0, a.size());
        }
    }

    /** {@code ExtType(1, packb((shape, dtype.name, arr.tobytes('C')), use_bin_type=True))}. */
    private static void writeNdarray(MessagePacker out, int[] dims, ArrayImpl a, long first, long count) throws IOException {
        byte[] payload;
        try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
            p.packArrayHeader(3);
            p.packArrayHeader(dims.length);
            for (int d : dims) p.packLong(d);
            writeString(p, a.dtype().jaxName());
            byte[] data = ArrayBytes.toLittleEndian(a, first, count);
            p.packBinaryHeader(data.length).writePayload(data);
            payload = p.toByteArray();
        }
        out.packExtensionTypeHeader(EXT_NDARRAY, payload.length).writePayload(payload);
    }

    /** A str value with the shortest header (fixstr, str8, str16, str32), as msgpack-python writes it. */
    private static void writeString(MessagePacker out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.packRawStringHeader(b.length).writePayload(b);
    }
}
