package io.jax4j.serialization;

import com.fasterxml.jackson.core.JsonProcessingException;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.ShapedArray;
import io.jax4j.core.ArrayImpl;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.TreeMap;

/**
 * The safetensors format (Hugging Face's checkpoint files), read and written as the reference
 * implementation does.
 *
 * <pre>
 * file   ::= u64 little-endian N, N bytes of UTF-8 JSON header (padded with spaces to a multiple of 8),
 *            data section
 * header ::= {"__metadata__": {str: str}?, name: {"dtype": code, "shape": [int...], "data_offsets": [begin, end]}...}
 * </pre>
 *
 * Tensors are row-major little-endian; jax4j reads F32, F64, F16, BF16, I32, U32 and BOOL, and I64 only
 * when {@link Options#convertInt64()} asks for a checked conversion to int32. Reading maps the file and
 * validates the whole header first, so a bad file (truncated, header too long or not JSON, overlapping or
 * out-of-range offsets, unknown dtype, shape and size disagreeing) is a {@link SerializationException}
 * naming the file and the tensor, never a partial load. A {@link Reader} copies tensors out of the
 * mapping one at a time, on demand; jax4j arrays own their native buffers, so each tensor read is one copy.
 */
public final class SafeTensors {
    private SafeTensors() {}

    /** How to read: {@code int64ToInt32} converts I64 tensors to int32, failing on values out of range. */
    public record Options(boolean int64ToInt32) {
        public static Options defaults() { return new Options(false); }

        public static Options convertInt64() { return new Options(true); }
    }

    /** A whole file: its tensors in header order and its {@code __metadata__} (empty when absent). */
    public record Contents(Map<String, Array> tensors, Map<String, String> metadata) {}

    /** One tensor's description in the header: jax4j aval, stored dtype code, byte range in the data section. */
    public record TensorInfo(String name, ShapedArray aval, String storedDtype, long begin, long end) {}

    /** Reads every tensor of {@code file} and its metadata. */
    public static Contents read(Path file) {
        return read(file, Options.defaults());
    }

    public static Contents read(Path file, Options options) {
        try (Reader r = open(file, options)) {
            return new Contents(r.readAll(), r.metadata());
        }
    }

    /** Only the tensors of {@code file}, by name in header order. */
    public static Map<String, Array> load(Path file) {
        return read(file).tensors();
    }

    /** Maps {@code file} and validates its header; tensors are copied out when asked for. */
    public static Reader open(Path file) {
        return open(file, Options.defaults());
    }

    public static Reader open(Path file, Options options) {
        return Reader.open(file, options);
    }

    /**
     * A mapped safetensors file. Closing it unmaps the file; arrays already read stay valid.
     * Not thread-safe for use after {@link #close()}.
     */
    public static final class Reader implements AutoCloseable {
        private final Path file;
        private final Arena arena;
        private final MemorySegment data;
        private final SafeTensorsHeader header;
        private final Map<String, SafeTensorsHeader.Entry> byName;

        private Reader(Path file, Arena arena, MemorySegment data, SafeTensorsHeader header) {
            this.file = file;
            this.arena = arena;
            this.data = data;
            this.header = header;
            var m = new LinkedHashMap<String, SafeTensorsHeader.Entry>();
            for (var e : header.entries) m.put(e.name(), e);
            this.byName = Collections.unmodifiableSequencedMap(m);
        }

        static Reader open(Path file, Options options) {
            Arena arena = Arena.ofShared();
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                long size = ch.size();
                if (size < 8) {
                    throw SafeTensorsHeader.error(file, "it is truncated: " + size + " bytes, but a safetensors file starts with an "
                            + "8-byte header length", null);
                }
                long n = readU64(ch, file);
                if (n < 0 || n > SafeTensorsHeader.MAX_HEADER_SIZE) {
                    throw SafeTensorsHeader.error(file, "its header length " + Long.toUnsignedString(n) + " exceeds the limit of "
                            + SafeTensorsHeader.MAX_HEADER_SIZE + " bytes (not a safetensors file, or corrupt)", null);
                }
                if (8 + n > size) {
                    throw SafeTensorsHeader.error(file, "its header length " + n + " runs past the end of the file (" + size
                            + " bytes): the file is truncated or not a safetensors file", null);
                }
                byte[] json = new byte[(int) n];
                ByteBuffer buf = ByteBuffer.wrap(json);
                while (buf.hasRemaining()) {
                    if (ch.read(buf, 8 + buf.position()) < 0) throw SafeTensorsHeader.error(file, "it ended while reading the header", null);
                }
                long dataLength = size - 8 - n;
                SafeTensorsHeader header = SafeTensorsHeader.parse(file, json, dataLength, options.int64ToInt32());
                MemorySegment data = dataLength == 0 ? MemorySegment.NULL
                        : ch.map(FileChannel.MapMode.READ_ONLY, 8 + n, dataLength, arena);
                return new Reader(file, arena, data, header);
            } catch (IOException e) {
                arena.close();
                throw SafeTensorsHeader.error(file, "it cannot be read (" + e + ")", e);
            } catch (RuntimeException e) {
                arena.close();
                throw e;
            }
        }

        private static long readU64(FileChannel ch, Path file) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining()) {
                if (ch.read(b, b.position()) < 0) throw SafeTensorsHeader.error(file, "it ended inside the header length", null);
            }
            return b.flip().getLong();
        }

        public Path file() { return file; }

        /** The {@code __metadata__} strings, in header order; empty when the file has none. */
        public Map<String, String> metadata() {
            return header.metadata == null ? Map.of() : header.metadata;
        }

        /** The tensor names in header order. */
        public List<String> names() { return List.copyOf(byName.keySet()); }

        public TensorInfo info(String name) {
            var e = entry(name);
            return new TensorInfo(e.name(), new ShapedArray(e.dtype(), e.shape()), e.code(), e.begin(), e.end());
        }

        /** A copy of tensor {@code name} as a jax4j array. */
        public Array get(String name) {
            return read(entry(name));
        }

        /** Every tensor, in header order. */
        public Map<String, Array> readAll() {
            var out = new LinkedHashMap<String, Array>();
            for (var e : header.entries) out.put(e.name(), read(e));
            return Collections.unmodifiableSequencedMap(out);
        }

        private SafeTensorsHeader.Entry entry(String name) {
            var e = byName.get(name);
            if (e == null) {
                throw SafeTensorsHeader.error(file, "it has no tensor named '" + name + "' (it has " + byName.size() + " tensors"
                        + (byName.isEmpty() ? "" : ", e.g. '" + byName.keySet().iterator().next() + "'") + ")", null);
            }
            return e;
        }

        private ArrayImpl read(SafeTensorsHeader.Entry e) {
            if (!arena.scope().isAlive()) throw SafeTensorsHeader.error(file, "the reader is closed", null);
            if (e.code().equals("I64")) return int64ToInt32(e);
            return ArrayBytes.fromLittleEndian(data, e.begin(), e.dtype(), e.shape());
        }

        private ArrayImpl int64ToInt32(SafeTensorsHeader.Entry e) {
            ArrayImpl out = ArrayImpl.allocate(new ShapedArray(DType.I32, e.shape()));
            var layout = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
            for (long i = 0, n = e.shape().size(); i < n; i++) {
                long v = data.get(layout, e.begin() + 8 * i);
                if (v != (int) v) {
                    throw SafeTensorsHeader.tensorError(file, e.name(), "its I64 element " + i + " is " + v
                            + ", which does not fit int32");
                }
                out.setLong(i, v);
            }
            return out;
        }

        @Override
        public void close() {
            if (arena.scope().isAlive()) arena.close();
        }
    }

    // ---- writing

    /**
     * Writes {@code tensors} (concrete arrays) and {@code metadata} (null for none) as the reference
     * implementation does: tensors ordered by dtype (widest first) then name, the compact JSON header padded
     * with spaces to a multiple of 8 bytes. The file is written to a temporary sibling, forced to disk and
     * renamed over {@code file}, so a failed write leaves any previous file intact.
     */
    public static void write(Path file, Map<String, ? extends Array> tensors, Map<String, String> metadata) {
        var entries = new ArrayList<Map.Entry<String, ArrayImpl>>();
        for (var e : tensors.entrySet()) {
            String name = e.getKey();
            if (name == null || name.equals(SafeTensorsHeader.METADATA_KEY)) {
                throw SafeTensorsHeader.error(file, "cannot write a tensor named " + name, null);
            }
            if (e.getValue() == null) throw SafeTensorsHeader.tensorError(file, name, "the array is null");
            ArrayImpl a = StateDicts.concrete(e.getValue(), List.of(name), "SafeTensors.write");
            entries.add(Map.entry(name, a));
        }
        entries.sort(Comparator.<Map.Entry<String, ArrayImpl>>comparingInt(e -> -rank(e.getValue().dtype()))
                .thenComparing(Map.Entry::getKey));
        byte[] header = headerBytes(file, entries, metadata);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                writeFully(ch, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length));
                writeFully(ch, ByteBuffer.wrap(header));
                for (var e : entries) writeTensor(ch, e.getValue());
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the write error is the one to report
            }
            throw SafeTensorsHeader.error(file, "it cannot be written (" + e + ")", e);
        }
    }

    private static byte[] headerBytes(Path file, List<Map.Entry<String, ArrayImpl>> entries, Map<String, String> metadata) {
        var header = new LinkedHashMap<String, Object>();
        if (metadata != null) {
            header.put(SafeTensorsHeader.METADATA_KEY, metadata instanceof SequencedMap<?, ?> ? metadata : new TreeMap<>(metadata));
        }
        long offset = 0;
        for (var e : entries) {
            ArrayImpl a = e.getValue();
            long bytes = a.size() * a.dtype().byteSize();
            var info = new LinkedHashMap<String, Object>();
            info.put("dtype", code(a.dtype()));
            info.put("shape", a.shape());
            info.put("data_offsets", new long[]{offset, offset + bytes});
            header.put(e.getKey(), info);
            offset += bytes;
        }
        byte[] json;
        try {
            json = SafeTensorsHeader.JSON.writeValueAsBytes(header);
        } catch (JsonProcessingException e) {
            throw SafeTensorsHeader.error(file, "its header cannot be encoded (" + e.getOriginalMessage() + ")", e);
        }
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = new byte[padded];
        System.arraycopy(json, 0, out, 0, json.length);
        for (int i = json.length; i < padded; i++) out[i] = ' ';
        return out;
    }

    private static void writeTensor(FileChannel ch, ArrayImpl a) throws IOException {
        long chunk = Math.max(1, (64L << 20) / a.dtype().byteSize());
        for (long first = 0, n = a.size(); first < n; first += chunk) {
            writeFully(ch, ByteBuffer.wrap(ArrayBytes.toLittleEndian(a, first, Math.min(chunk, n - first))));
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }

    /** The safetensors dtype code of a jax4j dtype. */
    static String code(DType dtype) {
        return switch (dtype) {
            case F32 -> "F32";
            case F64 -> "F64";
            case F16 -> "F16";
            case BF16 -> "BF16";
            case I32 -> "I32";
            case U32 -> "U32";
            case BOOL -> "BOOL";
        };
    }

    /** The reference implementation's dtype order (its {@code Dtype} enum), by which tensors are laid out. */
    private static int rank(DType dtype) {
        return switch (dtype) {
            case BOOL -> 0;
            case F16 -> 1;
            case BF16 -> 2;
            case I32 -> 3;
            case U32 -> 4;
            case F32 -> 5;
            case F64 -> 6;
        };
    }
}
