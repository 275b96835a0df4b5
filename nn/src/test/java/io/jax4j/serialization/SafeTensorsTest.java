package io.jax4j.serialization;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.core.ArrayImpl;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeTensorsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    Path clipFile() throws IOException {
        Path p = dir.resolve("model.safetensors");
        Files.write(p, FlaxSerializationTest.resource("clip_tiny/model.safetensors"));
        return p;
    }

    /** The PyTorch shape of each CLIPModel parameter, derived from the config. */
    static List<Integer> expectedShape(String name, JsonNode config) {
        JsonNode text = config.get("text_config"), vision = config.get("vision_config");
        JsonNode tower = name.startsWith("vision_model") ? vision : text;
        int hidden = tower.get("hidden_size").intValue(), inter = tower.get("intermediate_size").intValue();
        int proj = config.get("projection_dim").intValue();
        int patch = vision.get("patch_size").intValue(), grid = vision.get("image_size").intValue() / patch;
        if (name.equals("logit_scale")) return List.of();
        if (name.endsWith("_projection.weight")) return List.of(proj, name.startsWith("text") ? text.get("hidden_size").intValue()
                : vision.get("hidden_size").intValue());
        if (name.equals("text_model.embeddings.token_embedding.weight")) return List.of(text.get("vocab_size").intValue(), hidden);
        if (name.equals("text_model.embeddings.position_embedding.weight")) return List.of(text.get("max_position_embeddings").intValue(), hidden);
        if (name.equals("vision_model.embeddings.position_embedding.weight")) return List.of(grid * grid + 1, hidden);
        if (name.equals("vision_model.embeddings.patch_embedding.weight")) return List.of(hidden, vision.get("num_channels").intValue(), patch, patch);
        if (name.equals("vision_model.embeddings.class_embedding")) return List.of(hidden);
        if (name.endsWith("mlp.fc1.weight")) return List.of(inter, hidden);
        if (name.endsWith("mlp.fc1.bias")) return List.of(inter);
        if (name.endsWith("mlp.fc2.weight")) return List.of(hidden, inter);
        if (name.endsWith("_proj.weight")) return List.of(hidden, hidden);
        if (name.endsWith(".bias") || name.endsWith("norm.weight") || name.matches(".*layer_norm\\d\\.weight|.*layrnorm\\.weight")) {
            return List.of(hidden);
        }
        throw new AssertionError("no shape rule for " + name);
    }

    @Test
    void readsTheTinyClipCheckpoint() throws IOException {
        JsonNode config = JSON.readTree(FlaxSerializationTest.resource("clip_tiny/config.json"));
        var names = new ArrayList<String>();
        JSON.readTree(FlaxSerializationTest.resource("clip_tiny/param_names.json")).get("param_names").forEach(n -> names.add(n.textValue()));
        SafeTensors.Contents c = SafeTensors.read(clipFile());
        assertEquals(Map.of("format", "pt"), c.metadata());
        assertEquals(78, names.size());
        // all tensors are F32, so the writer's order (dtype, then name) is the sorted order of the names
        assertEquals(names, List.copyOf(c.tensors().keySet()));
        for (var e : c.tensors().entrySet()) {
            assertEquals(DType.F32, e.getValue().dtype(), e.getKey());
            assertEquals(expectedShape(e.getKey(), config), Arrays.stream(e.getValue().shape()).boxed().toList(), e.getKey());
        }
        // values: CLIP initialises logit_scale to logit_scale_init_value and LayerNorms to (1, 0)
        assertEquals((float) config.get("logit_scale_init_value").doubleValue(), c.tensors().get("logit_scale").floatValue());
        for (float w : c.tensors().get("vision_model.pre_layrnorm.weight").toFloatArray()) assertEquals(1f, w);
        for (float b : c.tensors().get("text_model.encoder.layers.1.layer_norm2.bias").toFloatArray()) assertEquals(0f, b);
        float[] patch = c.tensors().get("vision_model.embeddings.patch_embedding.weight").toFloatArray();
        assertEquals(32 * 3 * 8 * 8, Arrays.stream(boxed(patch)).distinct().count(), "random patch kernel");
    }

    private static Float[] boxed(float[] xs) {
        Float[] out = new Float[xs.length];
        for (int i = 0; i < xs.length; i++) out[i] = xs[i];
        return out;
    }

    @Test
    void writingTheClipTensorsBackGivesTheSameBytes() throws IOException {
        Path original = clipFile();
        SafeTensors.Contents c = SafeTensors.read(original);
        Path copy = dir.resolve("copy.safetensors");
        SafeTensors.write(copy, c.tensors(), c.metadata());
        assertArrayEquals(Files.readAllBytes(original), Files.readAllBytes(copy));
        try (var files = Files.list(dir)) {
            assertEquals(List.of("copy.safetensors", "model.safetensors"), files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no temporary file is left behind");
        }
    }

    @Test
    void theReferenceImplementationsKnownAnswers() throws IOException {
        // safetensors' own tests: "attn.0" F32 [1,2,3] with 0..5, without metadata
        Path p = dir.resolve("attn.safetensors");
        SafeTensors.write(p, Map.of("attn.0", Array.fromFloats(new float[]{0, 1, 2, 3, 4, 5}, 1, 2, 3)), null);
        byte[] want = bytes(64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
                116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
                58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
                101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
                0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64);
        assertArrayEquals(want, Files.readAllBytes(p));
        // forced alignment: a header of 65 bytes is padded with 7 spaces
        SafeTensors.write(p, Map.of("attn0", Array.fromFloats(new float[]{0, 1, 2, 3, 4, 5}, 1, 1, 2, 3)), null);
        byte[] file = Files.readAllBytes(p);
        assertEquals(72, ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong());
        assertEquals("{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}       ",
                new String(file, 8, 72, StandardCharsets.UTF_8));
        // empty, and empty with metadata
        SafeTensors.write(p, Map.of(), null);
        assertArrayEquals(bytes(8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32), Files.readAllBytes(p));
        assertEquals(Map.of(), SafeTensors.load(p));
        SafeTensors.write(p, Map.of(), Map.of("framework", "pt"));
        assertArrayEquals(bytes(40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95,
                95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112,
                116, 34, 125, 125, 32, 32, 32, 32, 32), Files.readAllBytes(p));
        assertEquals(Map.of("framework", "pt"), SafeTensors.read(p).metadata());
    }

    private static byte[] bytes(int... xs) {
        byte[] out = new byte[xs.length];
        for (int i = 0; i < xs.length; i++) out[i] = (byte) xs[i];
        return out;
    }

    @Test
    void everyDtypeRoundTripsInTheReferenceLayout() throws IOException {
        var tensors = new LinkedHashMap<String, Array>();
        tensors.put("a_bool", Array.of(true, false, true));
        tensors.put("b_f16", Array.fromDoubles(DType.F16, new double[]{0.5, -65504, 1.0 / 1024}, 3));
        tensors.put("c_bf16", Array.fromDoubles(DType.BF16, new double[]{1, -3.0e38}, 2, 1));
        tensors.put("d_i32", Array.fromLongs(DType.I32, new long[]{Integer.MIN_VALUE, 0, Integer.MAX_VALUE}, 3));
        tensors.put("e_u32", Array.fromLongs(DType.U32, new long[]{0xFFFFFFFFL, 1}, 2));
        tensors.put("f_f32", Array.fromFloats(new float[]{Float.NaN, -0f, 1e-40f, 7}, 2, 2));
        tensors.put("g_f64", Array.fromDoubles(DType.F64, new double[]{Math.E}, 1));
        tensors.put("h_scalar", Array.scalar(2.5f));
        tensors.put("i_empty", Array.zeros(0, 3));
        Path p = dir.resolve("all.safetensors");
        SafeTensors.write(p, tensors, Map.of("b", "2", "a", "1"));
        try (SafeTensors.Reader r = SafeTensors.open(p)) {
            // widest dtype first, then by name (the reference implementation's layout)
            assertEquals(List.of("g_f64", "f_f32", "h_scalar", "i_empty", "e_u32", "d_i32", "c_bf16", "b_f16", "a_bool"), r.names());
            assertEquals(List.of("a", "b"), List.copyOf(r.metadata().keySet()), "unordered metadata is written sorted");
            var info = r.info("f_f32");
            assertEquals("F32", info.storedDtype());
            assertEquals(8, info.begin(), "after the single f64");
            assertEquals(24, info.end());
            for (var e : tensors.entrySet()) {
                Array got = r.get(e.getKey());
                assertEquals(e.getValue().aval(), got.aval(), e.getKey());
                assertArrayEquals(((ArrayImpl) e.getValue()).toDoubles(), ((ArrayImpl) got).toDoubles(), e.getKey());
            }
            var missing = assertThrows(SerializationException.class, () -> r.get("nope"));
            assertTrue(missing.getMessage().contains("'nope'"), missing.getMessage());
        }
        byte[] file = Files.readAllBytes(p);
        assertEquals(0, ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong() % 8, "data starts 8-byte aligned");
    }

    // ---- bad files

    /** A file with {@code header} (padded to 8) and {@code dataLength} bytes of data. */
    Path file(String name, String header, int dataLength) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 7) / 8 * 8;
        ByteBuffer b = ByteBuffer.allocate(8 + padded + dataLength).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded).put(h);
        for (int i = h.length; i < padded; i++) b.put((byte) ' ');
        Path p = dir.resolve(name);
        Files.write(p, b.array());
        return p;
    }

    static void assertBad(Path file, String tensor, String detail, Executable read) {
        var e = assertThrows(SerializationException.class, read::execute);
        String m = e.getMessage();
        assertTrue(m.contains(file.toString()), "names the file: " + m);
        if (tensor != null) assertTrue(m.contains("tensor '" + tensor + "'"), "names the tensor: " + m);
        assertTrue(m.contains(detail), "says '" + detail + "': " + m);
    }

    interface Executable {
        void execute() throws Throwable;
    }

    static void assertBad(Path file, String tensor, String detail) {
        assertBad(file, tensor, detail, () -> SafeTensors.read(file));
    }

    @Test
    void truncatedFilesAreErrors() throws IOException {
        Path tiny = dir.resolve("tiny.safetensors");
        Files.write(tiny, new byte[]{8, 0, 0});
        assertBad(tiny, null, "truncated: 3 bytes");

        byte[] clip = Files.readAllBytes(clipFile());
        Path cut = dir.resolve("cut.safetensors");
        Files.write(cut, Arrays.copyOf(clip, clip.length - 100));
        assertBad(cut, "visual_projection.weight", "reach past the end");

        Path headerCut = dir.resolve("headercut.safetensors");
        Files.write(headerCut, Arrays.copyOf(clip, 1000));
        assertBad(headerCut, null, "runs past the end of the file");
    }

    @Test
    void headerTooLongIsAnError() throws IOException {
        Path p = dir.resolve("huge.safetensors");
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(200_000_000L).putLong(0);
        Files.write(p, b.array());
        assertBad(p, null, "exceeds the limit of 100000000 bytes");
        ByteBuffer neg = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L).putLong(0);
        Files.write(p, neg.array());
        assertBad(p, null, "18446744073709551615");
    }

    @Test
    void headersThatAreNotJsonObjectsAreErrors() throws IOException {
        assertBad(file("text.safetensors", "this is not json", 0), null, "not valid JSON");
        assertBad(file("array.safetensors", "[1, 2]", 0), null, "not an object");
        assertBad(file("trailing.safetensors", "{} {}", 0), null, "not valid JSON");
        assertBad(file("dup.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}", 4), null, "Duplicate field 'a'");
        assertBad(file("meta.safetensors", "{\"__metadata__\":{\"n\":1}}", 0), null, "__metadata__ entry 'n'");
        assertBad(file("entry.safetensors", "{\"w\":[1,2]}", 0), "w", "not an object");
        assertBad(file("shape.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4), "w", "invalid entry -1");
        assertBad(file("offsets.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4]}}", 4), "w",
                "not an array [begin, end]");
    }

    @Test
    void overlappingGappedAndOutOfRangeOffsetsAreErrors() throws IOException {
        String two = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[%d,%d]}}";
        assertBad(file("overlap.safetensors", two.formatted(4, 12), 12), "b", "overlap those of tensor 'a'");
        assertBad(file("gap.safetensors", two.formatted(12, 20), 20), "b", "belong to no tensor");
        assertBad(file("range.safetensors", two.formatted(8, 16), 12), "b", "reach past the end of the 12-byte data section");
        assertBad(file("extra.safetensors", two.formatted(8, 16), 20), null, "4 bytes follow the last tensor");
        assertBad(file("backwards.safetensors", two.formatted(16, 8), 16), "b", "end before they begin");
    }

    @Test
    void unknownAndUnsupportedDtypesAndSizeMismatchesAreErrors() throws IOException {
        assertBad(file("unknown.safetensors", "{\"w\":{\"dtype\":\"F99\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "w",
                "'F99' is not a safetensors dtype");
        assertBad(file("u8.safetensors", "{\"w\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]}}", 4), "w",
                "dtype U8 has no jax4j counterpart");
        assertBad(file("size.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", 20), "w",
                "F32[2,3], which needs 24 bytes");
        assertBad(file("overflow.safetensors", "{\"w\":{\"dtype\":\"F64\",\"shape\":[2147483647,2147483647,2147483647],"
                + "\"data_offsets\":[0,8]}}", 8), "w", "too large");
        assertBad(file("zero-size-by-overflow.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[65536,65536,65536,65536],"
                + "\"data_offsets\":[0,0]}}", 0), "w", "[65536,65536,65536,65536] has 18446744073709551616 elements");
    }

    @Test
    void int64IsAnErrorUnlessConversionIsAsked() throws IOException {
        String header = "{\"ids\":{\"dtype\":\"I64\",\"shape\":[3],\"data_offsets\":[0,24]}}";
        Path p = file("ids.safetensors", header, 24);
        byte[] raw = Files.readAllBytes(p);
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        int data = raw.length - 24;
        b.putLong(data, -5).putLong(data + 8, 0).putLong(data + 16, Integer.MAX_VALUE);
        Files.write(p, raw);
        assertBad(p, "ids", "convertInt64()");
        Array ids = SafeTensors.read(p, SafeTensors.Options.convertInt64()).tensors().get("ids");
        assertEquals(DType.I32, ids.dtype());
        assertArrayEquals(new int[]{-5, 0, Integer.MAX_VALUE}, ids.toIntArray());

        b.putLong(data + 8, 1L << 40);
        Files.write(p, raw);
        assertBad(p, "ids", "element 1 is 1099511627776", () -> SafeTensors.read(p, SafeTensors.Options.convertInt64()));
    }

    @Test
    void writeRejectsReservedNames() {
        Path p = dir.resolve("bad.safetensors");
        assertBad(p, null, "__metadata__", () -> SafeTensors.write(p, Map.of("__metadata__", Array.of(1f)), null));
        assertTrue(Files.notExists(p));
    }
}
