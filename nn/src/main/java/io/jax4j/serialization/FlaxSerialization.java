package io.jax4j.serialization;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code flax.serialization} for Java: Flax's msgpack checkpoints, read and written byte for byte as
 * Flax reads and writes them, and the state dicts that connect them to any jax4j pytree.
 *
 * <pre>{@code
 * byte[] bytes = Files.readAllBytes(path);                  // written by flax.serialization.to_bytes
 * Object stateDict = FlaxSerialization.fromBytes(bytes);    // nested maps of arrays, file order
 * TrainState restored = FlaxSerialization.fromBytes(template, bytes);   // strict restore
 * Files.write(path, FlaxSerialization.toBytes(restored));  // the same bytes Flax would write
 * }</pre>
 *
 * <table>
 *   <caption>Flax functions and their counterparts</caption>
 *   <tr><th>Flax</th><th>jax4j</th></tr>
 *   <tr><td>{@code to_bytes(target)}</td><td>{@link #toBytes(Object)}</td></tr>
 *   <tr><td>{@code from_bytes(target, bytes)}</td><td>{@link #fromBytes(Object, byte[])}</td></tr>
 *   <tr><td>{@code msgpack_serialize(tree)}</td><td>{@link #msgpackSerialize(Object)}</td></tr>
 *   <tr><td>{@code msgpack_restore(bytes)}</td><td>{@link #fromBytes(byte[])}, {@link #msgpackRestore(byte[])}</td></tr>
 *   <tr><td>{@code to_state_dict(target)}</td><td>{@link #toStateDict(Object)}</td></tr>
 *   <tr><td>{@code from_state_dict(target, state)}</td><td>{@link #fromStateDict(Object, Object)}</td></tr>
 * </table>
 *
 * Arrays of float32, float64, float16, bfloat16, int32, uint32 and bool are supported; any other dtype
 * in a file is an error naming its key path. A numpy scalar (ext type 3) is read as a 0-d array and
 * written back as an array (ext type 1); a Java {@code Long} or {@code Double} is written as a Python
 * {@code int} or {@code float}.
 */
public final class FlaxSerialization {
    private FlaxSerialization() {}

    /**
     * {@code flax.serialization.to_bytes}: the msgpack bytes of {@code toStateDict(target)}, each map in
     * its own order (a map decoded by {@link #fromBytes(byte[])} keeps the file's order, so decoding and
     * encoding again gives the same bytes). Arrays over 2**30 bytes are written in Flax's chunked form.
     */
    public static byte[] toBytes(Object target) {
        return toBytes(target, FlaxMsgpack.MAX_CHUNK_SIZE);
    }

    /** {@link #toBytes(Object)} with another chunk size (for tests of the chunked form). */
    static byte[] toBytes(Object target, long maxChunkBytes) {
        return FlaxMsgpack.encode(toStateDict(target), maxChunkBytes);
    }

    /**
     * {@code flax.serialization.msgpack_restore}: the state dict in {@code bytes}. Maps are unmodifiable,
     * keep the file's key order and have String keys; arrays become {@link io.jax4j.Array}s, msgpack ints
     * {@code Long}s, floats {@code Double}s, lists unmodifiable {@code List}s, nil {@code null}.
     *
     * @throws SerializationException for malformed input or an unsupported dtype, naming the key path
     */
    public static Object fromBytes(byte[] bytes) {
        return FlaxMsgpack.decode(Objects.requireNonNull(bytes, "bytes is null"), true);
    }

    /**
     * {@code flax.serialization.from_bytes}: {@code target}'s structure with the values stored in
     * {@code bytes}, checked strictly as {@link #fromStateDict(Object, Object)} checks them.
     */
    public static <T> T fromBytes(T target, byte[] bytes) {
        return fromStateDict(target, fromBytes(bytes));
    }

    /** Same as {@link #fromBytes(byte[])}, under Flax's name. */
    public static Object msgpackRestore(byte[] bytes) {
        return fromBytes(bytes);
    }

    /**
     * {@code flax.serialization.msgpack_serialize(tree)} with its default {@code in_place=False}: Flax
     * copies the tree with {@code jax.tree_util.tree_map} first, which sorts every dict's keys, so the
     * keys are written sorted at every level. Lists stay msgpack arrays (they are not state-dict-converted).
     */
    public static byte[] msgpackSerialize(Object tree) {
        return FlaxMsgpack.encode(sortedKeys(tree), FlaxMsgpack.MAX_CHUNK_SIZE);
    }

    /**
     * {@code flax.serialization.to_state_dict}: nested maps with String keys and concrete array leaves.
     * Maps keep their encounter order (sorted keys when they have none); records become maps of their
     * non-static components in snake_case ({@code optState} is {@code opt_state}, as Flax's Python field);
     * lists, tuples and sequences become {@code {"0": ..., "1": ...}}; registered nodes use their keys.
     */
    public static Object toStateDict(Object tree) {
        return StateDicts.toStateDict(tree, new ArrayList<>());
    }

    /**
     * {@code flax.serialization.from_state_dict}, strict: a tree of {@code target}'s structure holding
     * the state dict's values. Only the target's structure, shapes and dtypes are used (an array leaf may
     * be an {@link io.jax4j.ShapedArray}). A missing or extra key, or an array of another shape or dtype,
     * is an error naming the key path and both sides; a number restores into a 0-d array target and a
     * 0-d array into a number target.
     */
    @SuppressWarnings("unchecked")
    public static <T> T fromStateDict(T target, Object stateDict) {
        return (T) StateDicts.fromStateDict(target, stateDict, new ArrayList<>());
    }

    private static Object sortedKeys(Object tree) {
        if (tree instanceof Map<?, ?> m) {
            var keys = new ArrayList<String>();
            for (Object k : m.keySet()) {
                if (!(k instanceof String s)) {
                    throw new SerializationException("FlaxSerialization.msgpackSerialize: the key " + k
                            + " is not a String; msgpack state dicts have string keys");
                }
                keys.add(s);
            }
            Collections.sort(keys);
            var out = LinkedHashMap.<String, Object>newLinkedHashMap(keys.size());
            for (String k : keys) out.put(k, sortedKeys(m.get(k)));
            return out;
        }
        if (tree instanceof List<?> l) {
            var out = new ArrayList<>(l.size());
            for (Object x : l) out.add(sortedKeys(x));
            return out;
        }
        return tree;
    }
}
