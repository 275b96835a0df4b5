package io.jax4j.serialization;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import io.jax4j.DType;
import io.jax4j.Shape;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON header of a safetensors file, parsed and validated completely before any tensor is read,
 * with the reference implementation's rules: every tensor has a known dtype, a shape of non-negative
 * dimensions and {@code data_offsets [begin, end]} whose length is the shape's byte size; the tensors
 * tile the data section exactly (no overlap, no gap, nothing past its end, nothing after the last).
 */
final class SafeTensorsHeader {
    /** The reference implementation's limit on the header's length. */
    static final long MAX_HEADER_SIZE = 100_000_000L;
    static final String METADATA_KEY = "__metadata__";

    /** The dtypes of the safetensors format that jax4j cannot hold. */
    private static final Set<String> UNSUPPORTED = Set.of("U8", "I8", "I16", "U16", "U64", "F8_E5M2", "F8_E4M3",
            "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2", "C64");

    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** One tensor's entry: its stored dtype code, jax4j dtype, shape and byte range in the data section. */
    record Entry(String name, String code, DType dtype, Shape shape, long begin, long end) {}

    final List<Entry> entries;
    final Map<String, String> metadata;

    private SafeTensorsHeader(List<Entry> entries, Map<String, String> metadata) {
        this.entries = entries;
        this.metadata = metadata;
    }

    /** Parses and validates {@code json}; the data section that follows it is {@code dataLength} bytes. */
    static SafeTensorsHeader parse(Path file, byte[] json, long dataLength, boolean int64ToInt32) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JacksonException e) {
            throw error(file, "its header is not valid JSON (" + e.getOriginalMessage() + ")", e);
        } catch (java.io.IOException e) {
            throw error(file, "its header cannot be read (" + e.getMessage() + ")", e);
        }
        if (root == null || !root.isObject()) {
            throw error(file, "its header is JSON but not an object of tensors", null);
        }
        var entries = new ArrayList<Entry>();
        Map<String, String> metadata = null;
        for (var field : root.properties()) {
            if (field.getKey().equals(METADATA_KEY)) metadata = metadata(file, field.getValue());
            else entries.add(entry(file, field.getKey(), field.getValue(), int64ToInt32));
        }
        checkTiling(file, entries, dataLength);
        return new SafeTensorsHeader(List.copyOf(entries), metadata);
    }

    private static Map<String, String> metadata(Path file, JsonNode node) {
        if (!node.isObject()) throw error(file, "its " + METADATA_KEY + " is not an object of strings", null);
        var out = new LinkedHashMap<String, String>();
        for (var e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw error(file, "its " + METADATA_KEY + " entry '" + e.getKey() + "' is " + e.getValue().getNodeType()
                        + ", not a string", null);
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        return Collections.unmodifiableSequencedMap(out);
    }

    private static Entry entry(Path file, String name, JsonNode node, boolean int64ToInt32) {
        if (!node.isObject()) throw tensorError(file, name, "its entry is not an object {dtype, shape, data_offsets}");
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) throw tensorError(file, name, "it has no dtype string");
        String code = dtypeNode.textValue();
        DType dtype = dtype(file, name, code, int64ToInt32);
        int[] dims = ints(file, name, node.get("shape"), "shape", -1, Integer.MAX_VALUE);
        long[] offsets = longs(file, name, node.get("data_offsets"));
        if (offsets[0] > offsets[1]) {
            throw tensorError(file, name, "its data_offsets [" + offsets[0] + ", " + offsets[1] + "] end before they begin");
        }
        Shape shape;
        try {
            shape = Shape.of(dims);
        } catch (IllegalArgumentException e) {
            throw tensorError(file, name, "its shape is too large: " + e.getMessage());
        }
        long itemSize = code.equals("I64") ? 8 : dtype.byteSize();
        long bytes;
        try {
            bytes = Math.multiplyExact(elements(dims), itemSize);
        } catch (ArithmeticException e) {
            throw tensorError(file, name, "its shape " + shape + " is too large");
        }
        if (bytes != offsets[1] - offsets[0]) {
            throw tensorError(file, name, "it is " + code + shape + ", which needs " + bytes + " bytes, but its data_offsets ["
                    + offsets[0] + ", " + offsets[1] + "] hold " + (offsets[1] - offsets[0]));
        }
        return new Entry(name, code, dtype, shape, offsets[0], offsets[1]);
    }

    private static long elements(int[] dims) {
        long n = 1;
        for (int d : dims) n = Math.multiplyExact(n, d);
        return n;
    }

    /** The jax4j dtype a safetensors dtype code is read as. */
    private static DType dtype(Path file, String name, String code, boolean int64ToInt32) {
        return switch (code) {
            case "F32" -> DType.F32;
            case "F64" -> DType.F64;
            case "F16" -> DType.F16;
            case "BF16" -> DType.BF16;
            case "I32" -> DType.I32;
            case "U32" -> DType.U32;
            case "BOOL" -> DType.BOOL;
            case "I64" -> {
                if (int64ToInt32) yield DType.I32;
                throw tensorError(file, name, "its dtype is I64, which jax4j does not hold (x64 is disabled); read with "
                        + "SafeTensors.Options.convertInt64() to convert it to int32 (values outside int32 are an error)");
            }
            default -> throw tensorError(file, name, UNSUPPORTED.contains(code)
                    ? "its dtype " + code + " has no jax4j counterpart; jax4j reads F32, F64, F16, BF16, I32, U32, BOOL (and I64 on request)"
                    : "its dtype '" + code + "' is not a safetensors dtype");
        };
    }

    private static int[] ints(Path file, String name, JsonNode node, String what, int length, long max) {
        if (node == null || !node.isArray() || (length >= 0 && node.size() != length)) {
            throw tensorError(file, name, "its " + what + " is not an array of " + (length >= 0 ? length + " " : "") + "integers");
        }
        int[] out = new int[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode d = node.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.longValue() < 0 || d.longValue() > max) {
                throw tensorError(file, name, "its " + what + " " + node + " has an invalid entry " + d);
            }
            out[i] = (int) d.longValue();
        }
        return out;
    }

    private static long[] longs(Path file, String name, JsonNode node) {
        if (node == null || !node.isArray() || node.size() != 2) {
            throw tensorError(file, name, "its data_offsets is not an array [begin, end]");
        }
        long[] out = new long[2];
        for (int i = 0; i < 2; i++) {
            JsonNode d = node.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.longValue() < 0) {
                throw tensorError(file, name, "its data_offsets " + node + " has an invalid entry " + d);
            }
            out[i] = d.longValue();
        }
        return out;
    }

    /** The tensors must cover the data section exactly, in some order, without overlap. */
    private static void checkTiling(Path file, List<Entry> entries, long dataLength) {
        for (Entry e : entries) {
            if (e.end() > dataLength) {
                throw tensorError(file, e.name(), "its data_offsets [" + e.begin() + ", " + e.end() + "] reach past the end of the "
                        + dataLength + "-byte data section (the file is truncated or the offsets are out of range)");
            }
        }
        var sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expected = 0;
        Entry previous = null;
        for (Entry e : sorted) {
            if (e.begin() < expected) {
                throw tensorError(file, e.name(), "its data_offsets [" + e.begin() + ", " + e.end() + "] overlap those of tensor '"
                        + previous.name() + "' [" + previous.begin() + ", " + previous.end() + "]");
            }
            if (e.begin() > expected) {
                throw tensorError(file, e.name(), "its data begins at byte " + e.begin() + " but the previous tensor ends at "
                        + expected + "; bytes in between belong to no tensor");
            }
            expected = e.end();
            previous = e;
        }
        if (expected != dataLength) {
            throw error(file, (dataLength - expected) + " bytes follow the last tensor's data; the header does not describe them", null);
        }
    }

    static SerializationException error(Path file, String what, Throwable cause) {
        return new SerializationException("safetensors file " + file + ": " + what, cause);
    }

    static SerializationException tensorError(Path file, String name, String what) {
        return new SerializationException("safetensors file " + file + ", tensor '" + name + "': " + what);
    }
}
