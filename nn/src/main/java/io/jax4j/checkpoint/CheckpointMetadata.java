package io.jax4j.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jax4j.Array;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code metadata.json} of a step says: the step, when it was saved, its metrics and the tree
 * structure of the saved state dict (every leaf's key path with its dtype and shape), so a checkpoint
 * can be inspected, or a restore target built, without reading the arrays.
 *
 * <pre>{@code
 * {"format_version": 1, "step": 300, "time": "2025-01-01T12:00:00Z", "metrics": {"accuracy": 0.91},
 *  "tree": [{"path": "step", "dtype": "int32", "shape": []},
 *           {"path": "params.Dense_0.kernel", "dtype": "float32", "shape": [784, 128]}, ...]}
 * }</pre>
 *
 * @param formatVersion the layout version of the step directory ({@link #FORMAT_VERSION} when written by this code)
 * @param step          the training step
 * @param time          when the save began
 * @param metrics       the metrics passed to {@code save}, in their order
 * @param tree          the leaves of the state dict in file order
 */
public record CheckpointMetadata(int formatVersion, long step, Instant time, Map<String, Number> metrics, List<Leaf> tree) {

    /** The layout this code writes: {@code <step>/state.msgpack}, {@code metadata.json}, {@code commit_success.txt}. */
    public static final int FORMAT_VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public CheckpointMetadata {
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        tree = List.copyOf(tree);
    }

    /**
     * One leaf of the saved state dict. An array has its dtype ({@code float32}, {@code uint32}, ...) and
     * shape; any other leaf has its Python type ({@code int}, {@code float}, {@code bool}, {@code str},
     * {@code None}, or {@code dict} for an empty node such as an optimizer's empty state) and no shape.
     */
    public record Leaf(String path, String dtype, List<Integer> shape) {
        public Leaf {
            shape = shape == null ? null : List.copyOf(shape);
        }
    }

    /** The leaves of a state dict, depth first in map order, paths joined with dots ({@code params.Dense_0.kernel}). */
    static List<Leaf> describe(Object stateDict) {
        var out = new ArrayList<Leaf>();
        describe(stateDict, new ArrayList<>(), out);
        return out;
    }

    private static void describe(Object node, List<String> path, List<Leaf> out) {
        String p = String.join(".", path);
        switch (node) {
            case Map<?, ?> m when m.isEmpty() -> out.add(new Leaf(p, "dict", null));
            case Map<?, ?> m -> m.forEach((k, v) -> {
                path.add(String.valueOf(k));
                describe(v, path, out);
                path.removeLast();
            });
            case List<?> l -> {
                for (int i = 0; i < l.size(); i++) {
                    path.add(Integer.toString(i));
                    describe(l.get(i), path, out);
                    path.removeLast();
                }
            }
            case Array a -> out.add(new Leaf(p, a.dtype().jaxName(), java.util.Arrays.stream(a.shape()).boxed().toList()));
            case null -> out.add(new Leaf(p, "None", null));
            case Boolean b -> out.add(new Leaf(p, "bool", null));
            case Double d -> out.add(new Leaf(p, "float", null));
            case Float f -> out.add(new Leaf(p, "float", null));
            case Number n -> out.add(new Leaf(p, "int", null));
            case String s -> out.add(new Leaf(p, "str", null));
            default -> out.add(new Leaf(p, node.getClass().getSimpleName(), null));
        }
    }

    byte[] toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("format_version", formatVersion);
        root.put("step", step);
        root.put("time", time.toString());
        ObjectNode m = root.putObject("metrics");
        metrics.forEach((k, v) -> {   // integers stay integers ("epochs": 3), the rest are doubles
            if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) m.put(k, v.longValue());
            else m.put(k, v.doubleValue());
        });
        ArrayNode leaves = root.putArray("tree");
        for (Leaf leaf : tree) {
            ObjectNode l = leaves.addObject();
            l.put("path", leaf.path());
            l.put("dtype", leaf.dtype());
            if (leaf.shape() != null) leaf.shape().forEach(l.putArray("shape")::add);
        }
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new CheckpointException("CheckpointMetadata: cannot write the metadata of step " + step + " as JSON", e);
        }
    }

    static CheckpointMetadata fromJson(byte[] json, String where) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new CheckpointException("CheckpointMetadata: " + where + " is not valid JSON: " + e.getMessage(), e);
        }
        int version = required(root, "format_version", where).asInt();
        if (version > FORMAT_VERSION) {
            throw new CheckpointException("CheckpointMetadata: " + where + " has format_version " + version
                    + " but this jax4j reads versions up to " + FORMAT_VERSION + "; restore it with a newer jax4j");
        }
        var metrics = new LinkedHashMap<String, Number>();
        required(root, "metrics", where).properties().forEach(e -> metrics.put(e.getKey(),
                e.getValue().isIntegralNumber() ? (Number) e.getValue().asLong() : (Number) e.getValue().asDouble()));
        var tree = new ArrayList<Leaf>();
        for (JsonNode l : required(root, "tree", where)) {
            List<Integer> shape = null;
            if (l.has("shape")) {
                shape = new ArrayList<>();
                for (JsonNode d : l.get("shape")) shape.add(d.asInt());
            }
            tree.add(new Leaf(required(l, "path", where).asText(), required(l, "dtype", where).asText(), shape));
        }
        return new CheckpointMetadata(version, required(root, "step", where).asLong(), instant(required(root, "time", where), where), metrics, tree);
    }

    /** The {@code time} field: an ISO-8601 instant such as {@code 2025-01-01T12:00:00Z}. */
    private static Instant instant(JsonNode time, String where) {
        try {
            return Instant.parse(time.asText());
        } catch (java.time.format.DateTimeParseException e) {
            throw new CheckpointException("CheckpointMetadata: " + where + " has time '" + time.asText()
                    + "', which is not an ISO-8601 instant such as 2025-01-01T12:00:00Z; the step directory is damaged", e);
        }
    }

    private static JsonNode required(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new CheckpointException("CheckpointMetadata: " + where + " has no field '" + field + "'; the step directory is damaged");
        }
        return v;
    }
}
