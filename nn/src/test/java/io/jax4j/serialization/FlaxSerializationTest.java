package io.jax4j.serialization;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.ShapedArray;
import io.jax4j.autodiff.Jax;
import io.jax4j.core.ArrayImpl;
import io.jax4j.tree.Static;
import io.jax4j.tree.Tree;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlaxSerializationTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static byte[] resource(String name) {
        try (InputStream in = FlaxSerializationTest.class.getResourceAsStream("/fixtures/" + name)) {
            if (in == null) throw new IllegalStateException("missing test resource fixtures/" + name);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode expected(String key) throws IOException {
        return JSON.readTree(resource("flax_serialization_expected.json")).get(key);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return assertInstanceOf(Map.class, o);
    }

    static Object at(Object tree, String... path) {
        for (String p : path) tree = map(tree).get(p);
        return tree;
    }

    /** The tree with each array replaced by its shape as a list, as the fixture's key dump writes it. */
    static Object shapes(Object tree) {
        if (tree instanceof Map<?, ?> m) {
            var out = new LinkedHashMap<String, Object>();
            m.forEach((k, v) -> out.put((String) k, shapes(v)));
            return out;
        }
        return Arrays.stream(assertInstanceOf(Array.class, tree).shape()).boxed().toList();
    }

    static void assertArrayMatches(JsonNode want, Object got, String where) {
        Array a = assertInstanceOf(Array.class, got, where);
        int[] shape = new int[want.get("shape").size()];
        for (int i = 0; i < shape.length; i++) shape[i] = want.get("shape").get(i).intValue();
        assertArrayEquals(shape, a.shape(), where + " shape");
        assertEquals(want.get("dtype").textValue(), a.dtype().jaxName(), where + " dtype");
        double[] data = a.toDoubleArray();
        assertEquals(want.get("data").size(), data.length, where + " size");
        for (int i = 0; i < data.length; i++) assertEquals(want.get("data").get(i).doubleValue(), data[i], 0.0, where + "[" + i + "]");
    }

    static void assertTreeMatches(JsonNode want, Object got, String where) {
        if (want.has("shape") && want.has("data")) {
            assertArrayMatches(want, got, where);
            return;
        }
        Map<String, Object> m = map(got);
        var names = new TreeSet<String>();
        want.fieldNames().forEachRemaining(names::add);
        assertEquals(names, new TreeSet<>(m.keySet()), where + " keys");
        for (String k : names) assertTreeMatches(want.get(k), m.get(k), where + "." + k);
    }

    // ---- the fixture files

    @Test
    void aShapeWhoseElementCountOverflowsIsRefusedNotReadAsEmpty() {
        // {"k": ndarray of shape [65536,65536,65536,65536], float32, 0 bytes}: 2^64 elements wrapped to 0 before the fix
        byte[] bytes = HexFormat.of().parseHex("81a16bc720019394ce00010000ce00010000ce00010000ce00010000a7666c6f61743332c400");
        assertEquals(38, bytes.length);
        var e = assertThrows(SerializationException.class, () -> FlaxSerialization.fromBytes(bytes));
        assertTrue(e.getMessage().contains("the array at") && e.getMessage().contains("[65536,65536,65536,65536] has 18446744073709551616 elements"),
                e.getMessage());
    }

    @Test
    void cnnVariablesRoundTripByteIdentical() {
        byte[] bytes = resource("cnn_variables_public.msgpack");
        assertArrayEquals(bytes, FlaxSerialization.toBytes(FlaxSerialization.fromBytes(bytes)));
    }

    @Test
    void trainStateRoundTripByteIdentical() {
        byte[] bytes = resource("train_state_public.msgpack");
        assertArrayEquals(bytes, FlaxSerialization.toBytes(FlaxSerialization.fromBytes(bytes)));
    }

    @Test
    void cnnVariablesHaveTheFlaxMnistStructure() throws IOException {
        Object vars = FlaxSerialization.fromBytes(resource("cnn_variables_public.msgpack"));
        assertEquals(List.of("params"), List.copyOf(map(vars).keySet()));
        Map<String, Object> params = map(at(vars, "params"));
        assertEquals(List.of("Conv_0", "Conv_1", "Dense_0", "Dense_1"), List.copyOf(params.keySet()));
        var expectedShapes = Map.of(
                "Conv_0/kernel", List.of(3, 3, 1, 32), "Conv_0/bias", List.of(32),
                "Conv_1/kernel", List.of(3, 3, 32, 64), "Conv_1/bias", List.of(64),
                "Dense_0/kernel", List.of(3136, 256), "Dense_0/bias", List.of(256),
                "Dense_1/kernel", List.of(256, 10), "Dense_1/bias", List.of(10));
        var paths = new TreeSet<String>();
        for (var leaf : Tree.flattenWithPath(params)) {
            String path = leaf.path().toString().replaceFirst("^\\.", "").replace('.', '/');
            paths.add(path);
            Array a = assertInstanceOf(Array.class, leaf.leaf());
            assertEquals(DType.F32, a.dtype(), path);
            assertEquals(expectedShapes.get(path), Arrays.stream(a.shape()).boxed().toList(), path);
        }
        var fixturePaths = new TreeSet<String>();
        expected("cnn_param_paths").forEach(p -> fixturePaths.add(p.textValue()));
        assertEquals(fixturePaths, paths);
        assertEquals(expectedShapes.keySet(), paths);
        // Flax's default bias initialiser is zeros; the kernels are random (lecun normal)
        for (double b : ((Array) at(params, "Conv_0", "bias")).toDoubleArray()) assertEquals(0.0, b);
        double[] kernel = ((Array) at(params, "Conv_0", "kernel")).toDoubleArray();
        assertTrue(Arrays.stream(kernel).distinct().count() == kernel.length, "kernel entries are distinct random values");
    }

    @Test
    void trainStateStructureMatchesFlaxStateDictKeys() throws IOException {
        Object state = FlaxSerialization.fromBytes(resource("train_state_public.msgpack"));
        // TrainState's dataclass field order, then the subclass's fields
        assertEquals(List.of("step", "params", "opt_state", "batch_stats", "key"), List.copyOf(map(state).keySet()));
        @SuppressWarnings("unchecked")
        Map<String, Object> want = JSON.convertValue(expected("train_state_msgpack_state_dict_keys"), Map.class);
        assertEquals(want, shapes(state));
        assertEquals(DType.I32, ((Array) at(state, "step")).dtype());
        assertEquals(20, ((Array) at(state, "step")).intValue());
        assertEquals(DType.U32, ((Array) at(state, "key")).dtype());
        assertEquals(DType.I32, ((Array) at(state, "opt_state", "0", "count")).dtype());
        assertEquals(20, ((Array) at(state, "opt_state", "1", "count")).intValue());
    }

    @Test
    void trainStateHoldsTheRunsFinalParamsAndBatchStats() throws IOException {
        Object state = FlaxSerialization.fromBytes(resource("train_state_public.msgpack"));
        assertTreeMatches(expected("train_state_final_params"), at(state, "params"), "params");
        assertTreeMatches(expected("train_state_final_batch_stats"), at(state, "batch_stats"), "batch_stats");
    }

    // ---- restoring into Java types

    public record AdamState(Array count, Map<String, Object> mu, Map<String, Object> nu) {}

    public record ScheduleState(Array count) {}

    public record TrainState(Array step, @Static String applyFn, Map<String, Object> params, List<Object> optState,
                             Map<String, Object> batchStats, Array key) {}

    /** A template of the fixture's structure with zero leaves (only the structure, shapes and dtypes count). */
    static TrainState template(Object state) {
        Function<Object, Object> zeros = t -> Tree.map((Array a) -> Array.zeros(a.dtype(), a.shape()), t);
        @SuppressWarnings("unchecked")
        Function<Object, Map<String, Object>> zeroMap = t -> (Map<String, Object>) zeros.apply(t);
        return new TrainState(Array.zeros(DType.I32), "apply",
                zeroMap.apply(at(state, "params")),
                List.of(new AdamState(Array.zeros(DType.I32), zeroMap.apply(at(state, "opt_state", "0", "mu")),
                                zeroMap.apply(at(state, "opt_state", "0", "nu"))),
                        new ScheduleState(Array.zeros(DType.I32))),
                zeroMap.apply(at(state, "batch_stats")), Array.zeros(DType.U32, 2));
    }

    @Test
    void trainStateRestoresIntoARecordAndWritesTheSameBytes() throws IOException {
        byte[] bytes = resource("train_state_public.msgpack");
        TrainState target = template(FlaxSerialization.fromBytes(bytes));
        TrainState restored = FlaxSerialization.fromBytes(target, bytes);
        assertEquals("apply", restored.applyFn());
        assertEquals(20, restored.step().intValue());
        assertTreeMatches(expected("train_state_final_params"), restored.params(), "params");
        assertTreeMatches(expected("train_state_final_batch_stats"), restored.batchStats(), "batch_stats");
        AdamState adam = assertInstanceOf(AdamState.class, restored.optState().get(0));
        assertEquals(20, adam.count().intValue());
        assertArrayEquals(new int[]{8, 16}, ((Array) at(adam.mu(), "Dense_0", "kernel")).shape());
        assertArrayEquals(bytes, FlaxSerialization.toBytes(restored));
    }

    @Test
    void restoreIsStrictAboutKeysShapesAndDtypes() {
        byte[] bytes = resource("train_state_public.msgpack");
        Object state = FlaxSerialization.fromBytes(bytes);
        TrainState good = template(state);

        var missing = new LinkedHashMap<>(good.params());
        missing.put("Dense_2", Map.of("bias", Array.zeros(3)));
        var e1 = assertThrows(SerializationException.class, () -> FlaxSerialization.fromBytes(withParams(good, missing), bytes));
        assertTrue(e1.getMessage().contains("at params ") && e1.getMessage().contains("missing from the state dict [Dense_2]"), e1.getMessage());

        var extra = new LinkedHashMap<>(good.params());
        extra.remove("BatchNorm_0");
        var e2 = assertThrows(SerializationException.class, () -> FlaxSerialization.fromBytes(withParams(good, extra), bytes));
        assertTrue(e2.getMessage().contains("at params ") && e2.getMessage().contains("not in the target [BatchNorm_0]"), e2.getMessage());

        var wrongShape = new LinkedHashMap<>(good.params());
        wrongShape.put("Dense_1", Map.of("bias", Array.zeros(3), "kernel", Array.zeros(16, 4)));
        var e3 = assertThrows(SerializationException.class, () -> FlaxSerialization.fromBytes(withParams(good, wrongShape), bytes));
        assertTrue(e3.getMessage().contains("params.Dense_1.kernel") && e3.getMessage().contains("f32[16,4]")
                && e3.getMessage().contains("f32[16,3]"), e3.getMessage());

        var wrongDtype = new LinkedHashMap<>(good.params());
        wrongDtype.put("Dense_1", Map.of("bias", Array.zeros(DType.F64, 3), "kernel", Array.zeros(16, 3)));
        var e4 = assertThrows(SerializationException.class, () -> FlaxSerialization.fromBytes(withParams(good, wrongDtype), bytes));
        assertTrue(e4.getMessage().contains("params.Dense_1.bias") && e4.getMessage().contains("f64[3]")
                && e4.getMessage().contains("f32[3]"), e4.getMessage());

        var e5 = assertThrows(SerializationException.class, () -> FlaxSerialization.fromStateDict(
                new TrainState(good.step(), "a", good.params(), List.of(good.optState().get(0)), good.batchStats(), good.key()), state));
        assertTrue(e5.getMessage().contains("at opt_state ") && e5.getMessage().contains("not in the target [1]"), e5.getMessage());
    }

    private static TrainState withParams(TrainState s, Map<String, Object> params) {
        return new TrainState(s.step(), s.applyFn(), params, s.optState(), s.batchStats(), s.key());
    }

    public record Layer(Array kernelWeights, int stepCount) {}

    public record Model(List<Layer> layers, Map<Integer, Array> byId, Object nothing) {}

    @Test
    void stateDictsOfJavaPytreesFollowFlaxNaming() {
        var model = new Model(List.of(new Layer(Array.of(1f, 2f), 3), new Layer(Array.of(4f), 5)),
                Map.of(7, Array.of(true, false)), null);
        Object sd = FlaxSerialization.toStateDict(model);
        assertEquals(List.of("layers", "by_id", "nothing"), List.copyOf(map(sd).keySet()));
        assertEquals(List.of("0", "1"), List.copyOf(map(at(sd, "layers")).keySet()));
        assertEquals(List.of("kernel_weights", "step_count"), List.copyOf(map(at(sd, "layers", "1")).keySet()));
        assertEquals(5, at(sd, "layers", "1", "step_count"));
        assertNull(at(sd, "nothing"));
        assertArrayEquals(new boolean[]{true, false}, ((Array) at(sd, "by_id", "7")).toBooleanArray());

        // through bytes: ints come back as Long, restored into the record's int
        Object decoded = FlaxSerialization.fromBytes(FlaxSerialization.toBytes(model));
        assertEquals(5L, at(decoded, "layers", "1", "step_count"));
        var target = new Model(List.of(new Layer(Array.zeros(2), 0), new Layer(Array.zeros(1), 0)),
                Map.of(7, Array.zeros(DType.BOOL, 2)), null);
        Model back = FlaxSerialization.fromStateDict(target, decoded);
        assertEquals(3, back.layers().get(0).stepCount());
        assertArrayEquals(new float[]{1f, 2f}, back.layers().get(0).kernelWeights().toFloatArray());
        assertArrayEquals(new boolean[]{true, false}, back.byId().get(7).toBooleanArray());
        assertNull(back.nothing());

        // a ShapedArray is a valid target leaf: only shapes and dtypes are used
        Map<String, Object> abstractTarget = Map.of("w", ShapedArray.of(DType.F32, 2));
        Object restored = FlaxSerialization.fromStateDict(abstractTarget, Map.of("w", Array.of(5f, 6f)));
        assertArrayEquals(new float[]{5f, 6f}, ((Array) at(restored, "w")).toFloatArray());
    }

    // ---- the wire format

    @Test
    void pythonValuesAreEncodedAsMsgpackPythonDoes() {
        var tree = new LinkedHashMap<String, Object>();
        tree.put("a", 1L);
        tree.put("b", 1.5);
        tree.put("c", null);
        tree.put("d", Map.of());
        tree.put("e", true);
        tree.put("f", "x");
        tree.put("g", -3L);
        tree.put("h", 300L);
        tree.put("i", Array.of(1f, 2f));
        // msgpack.packb({...}, strict_types=True) with Flax's ext hook, byte for byte
        byte[] want = HexFormat.of().parseHex("89" + "a161" + "01" + "a162" + "cb3ff8000000000000" + "a163" + "c0" + "a164" + "80"
                + "a165" + "c3" + "a166" + "a178" + "a167" + "fd" + "a168" + "cd012c"
                + "a169" + "c71501" + "93" + "9102" + "a7666c6f61743332" + "c408" + "0000803f" + "00000040");
        assertEquals(HexFormat.of().formatHex(want), HexFormat.of().formatHex(FlaxSerialization.toBytes(tree)));
        Object back = FlaxSerialization.fromBytes(want);
        assertEquals(List.of("a", "b", "c", "d", "e", "f", "g", "h", "i"), List.copyOf(map(back).keySet()));
        assertEquals(1L, at(back, "a"));
        assertEquals(1.5, at(back, "b"));
        assertNull(at(back, "c"));
        assertEquals(Map.of(), at(back, "d"));
        assertEquals(true, at(back, "e"));
        assertEquals("x", at(back, "f"));
        assertEquals(-3L, at(back, "g"));
        assertEquals(300L, at(back, "h"));
        assertArrayEquals(want, FlaxSerialization.toBytes(back));
    }

    @Test
    void everySupportedDtypeRoundTrips() {
        var tree = new LinkedHashMap<String, Object>();
        tree.put("f32", Array.fromFloats(new float[]{1.5f, -2f, Float.NaN, Float.POSITIVE_INFINITY, 1e-40f, -0f}, 2, 3));
        tree.put("f64", Array.fromDoubles(DType.F64, new double[]{Math.PI, -1e300}, 2));
        tree.put("f16", Array.fromDoubles(DType.F16, new double[]{0.5, 65504, -1.0 / 1024}, 3));
        tree.put("bf16", Array.fromDoubles(DType.BF16, new double[]{1.0, 3.0e38, -0.0078125}, 3, 1));
        tree.put("i32", Array.fromLongs(DType.I32, new long[]{Integer.MIN_VALUE, -1, 0, Integer.MAX_VALUE}, 4));
        tree.put("u32", Array.fromLongs(DType.U32, new long[]{0, 0xFFFFFFFFL}, 1, 2));
        tree.put("bool", Array.of(true, false, true));
        tree.put("scalar", Array.scalar(7));
        tree.put("empty", Array.zeros(0, 4));
        byte[] bytes = FlaxSerialization.toBytes(tree);
        Object back = FlaxSerialization.fromBytes(bytes);
        for (var e : tree.entrySet()) {
            Array want = (Array) e.getValue(), got = (Array) map(back).get(e.getKey());
            assertEquals(want.aval().strong(), got.aval(), e.getKey());
            assertArrayEquals(((ArrayImpl) want).toDoubles(), ((ArrayImpl) got).toDoubles(), e.getKey());
        }
        assertArrayEquals(bytes, FlaxSerialization.toBytes(back));
        // numpy's names are on the wire
        String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
        for (String name : List.of("float32", "float64", "float16", "bfloat16", "int32", "uint32", "bool")) {
            assertTrue(text.contains(name), name);
        }
    }

    /** {"params": {"w": ndarray of dtype {@code dtype}}} built by hand, as numpy would pack it. */
    static byte[] singleArrayFile(String dtype, String hexData, int n) {
        String dtypeHex = HexFormat.of().formatHex(dtype.getBytes());
        String inner = "93" + "91" + String.format("%02x", n) + String.format("%02x", 0xa0 + dtype.length()) + dtypeHex
                + "c4" + String.format("%02x", hexData.length() / 2) + hexData;
        return HexFormat.of().parseHex("81" + "a6706172616d73" + "81" + "a177" + "c7" + String.format("%02x", inner.length() / 2) + "01" + inner);
    }

    @Test
    void unsupportedDtypesAreErrorsNamingTheKeyPath() {
        byte[] ok = singleArrayFile("float32", "0000803f", 1);
        assertArrayEquals(new float[]{1f}, ((Array) at(FlaxSerialization.fromBytes(ok), "params", "w")).toFloatArray());
        for (String dtype : List.of("int64", "int8", "complex64")) {
            var e = assertThrows(SerializationException.class,
                    () -> FlaxSerialization.fromBytes(singleArrayFile(dtype, "0000000000000000", 1)));
            assertTrue(e.getMessage().contains("params.w") && e.getMessage().contains("dtype " + dtype), e.getMessage());
        }
        var size = assertThrows(SerializationException.class, () -> FlaxSerialization.fromBytes(singleArrayFile("float32", "0000803f", 2)));
        assertTrue(size.getMessage().contains("params.w") && size.getMessage().contains("f32[2]"), size.getMessage());
    }

    @Test
    void malformedInputIsAClearError() {
        byte[] bytes = resource("train_state_public.msgpack");
        var truncated = assertThrows(SerializationException.class, () -> FlaxSerialization.fromBytes(Arrays.copyOf(bytes, bytes.length - 10)));
        assertTrue(truncated.getMessage().contains("malformed msgpack"), truncated.getMessage());
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
        var trailing = assertThrows(SerializationException.class, () -> FlaxSerialization.fromBytes(longer));
        assertTrue(trailing.getMessage().contains("1 bytes follow"), trailing.getMessage());
        assertThrows(SerializationException.class, () -> FlaxSerialization.fromBytes(new byte[0]));
        var notState = assertThrows(SerializationException.class, () -> FlaxSerialization.toBytes(Map.of("w", new Object())));
        assertTrue(notState.getMessage().contains("at w") && notState.getMessage().contains("java.lang.Object"), notState.getMessage());
    }

    @Test
    void largeArraysAreChunkedAsFlaxChunksThem() {
        Array w = Array.arange(10).astype(DType.F32);
        var tree = new LinkedHashMap<String, Object>();
        tree.put("w", w);
        tree.put("inList", List.of(w));
        byte[] bytes = FlaxMsgpack.encode(tree, 16);               // 16 bytes: chunks of 4 float32
        Object raw = FlaxMsgpack.decode(bytes, false);
        Map<String, Object> chunked = map(at(raw, "w"));
        assertEquals(List.of(FlaxMsgpack.CHUNK_MARKER, "shape", "chunks"), List.copyOf(chunked.keySet()));
        assertEquals(true, chunked.get(FlaxMsgpack.CHUNK_MARKER));
        assertEquals(Map.of("0", 10L), chunked.get("shape"));
        List<Integer> sizes = new ArrayList<>();
        map(chunked.get("chunks")).values().forEach(c -> sizes.add(((Array) c).shape()[0]));
        assertEquals(List.of(4, 4, 2), sizes);
        // below a list Flax does not chunk
        assertInstanceOf(Array.class, ((List<?>) map(raw).get("inList")).getFirst());
        Object back = FlaxSerialization.fromBytes(bytes);
        assertArrayEquals(w.toFloatArray(), ((Array) at(back, "w")).toFloatArray());
        assertArrayEquals(new int[]{10}, ((Array) at(back, "w")).shape());
        assertArrayEquals(bytes, FlaxMsgpack.encode(back, 16));
        // to_bytes turns the list into a state dict {"0": ...} first, and then chunks it
        Object viaStateDict = FlaxMsgpack.decode(FlaxSerialization.toBytes(tree, 16), false);
        assertTrue(map(at(viaStateDict, "inList", "0")).containsKey(FlaxMsgpack.CHUNK_MARKER));

        Array m = Array.arange(12).astype(DType.F32).reshape(3, 4);
        Object back2 = FlaxSerialization.fromBytes(FlaxSerialization.toBytes(Map.of("m", m), 20));
        assertArrayEquals(new int[]{3, 4}, ((Array) at(back2, "m")).shape());
        assertArrayEquals(m.toFloatArray(), ((Array) at(back2, "m")).toFloatArray());
    }

    @Test
    void msgpackSerializeSortsKeysLikeTreeMap() {
        var tree = new LinkedHashMap<String, Object>();
        tree.put("b", 1L);
        tree.put("a", Map.of("z", 2L, "y", 3L));
        assertEquals(List.of("b", "a"), List.copyOf(map(FlaxSerialization.fromBytes(FlaxSerialization.toBytes(tree))).keySet()));
        Object sorted = FlaxSerialization.msgpackRestore(FlaxSerialization.msgpackSerialize(tree));
        assertEquals(List.of("a", "b"), List.copyOf(map(sorted).keySet()));
        assertEquals(List.of("y", "z"), List.copyOf(map(at(sorted, "a")).keySet()));
    }

    @Test
    void tracedValuesCannotBeSerialized() {
        var e = assertThrows(SerializationException.class, () -> Jax.grad((Array x) -> {
            FlaxSerialization.toBytes(Map.of("x", x));
            return x.mul(x);
        }).apply(Array.scalar(2f)));
        assertTrue(e.getMessage().contains("at x") && e.getMessage().contains("traced"), e.getMessage());
    }
}
