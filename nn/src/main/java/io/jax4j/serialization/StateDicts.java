package io.jax4j.serialization;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.ShapedArray;
import io.jax4j.core.ArrayImpl;
import io.jax4j.core.Jax4jException;
import io.jax4j.tree.KeyEntry;
import io.jax4j.tree.NodeType;
import io.jax4j.tree.Tree;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.TreeSet;

/**
 * Flax's {@code to_state_dict} / {@code from_state_dict} over jax4j pytrees.
 *
 * <pre>
 * stateDict(array)            = the concrete array
 * stateDict(number, string..) = itself;  stateDict(null) = null
 * stateDict(map)              = {String.valueOf(key): stateDict(value)} in the map's order
 *                               (sorted keys for maps without an encounter order)
 * stateDict(record)           = {snake_case(component): stateDict(value)}, @Static components left out
 * stateDict(list, tuple, seq) = {"0": stateDict(x0), "1": ...}
 * stateDict(registered node)  = {key: stateDict(child)} with the keys its flatten function names
 * stateDict(StateDictNode)    = {key: stateDict(child)} for its stateDictChildren()
 * </pre>
 * Restoring walks the target and is strict: every key of the target's node must be in the state dict
 * and no other, and each array must have the target's shape and dtype.
 */
final class StateDicts {
    private StateDicts() {}

    // ---- to_state_dict

    static Object toStateDict(Object tree, List<String> path) {
        return switch (tree) {
            case null -> null;
            case Array a -> concrete(a, path, "FlaxSerialization.toStateDict");
            case StateDictNode n -> mapToStateDict(n.stateDictChildren(), path);
            case Map<?, ?> m -> mapToStateDict(m, path);
            default -> nodeToStateDict(tree, path);
        };
    }

    private static Map<String, Object> mapToStateDict(Map<?, ?> map, List<String> path) {
        var out = LinkedHashMap.<String, Object>newLinkedHashMap(map.size());
        for (Object key : orderedKeys(map)) {
            String name = String.valueOf(key);
            if (out.containsKey(name)) {
                throw new SerializationException("FlaxSerialization.toStateDict: at " + describe(path) + " two keys print as '"
                        + name + "'; state dict keys must have unique string forms");
            }
            path.add(name);
            out.put(name, toStateDict(map.get(key), path));
            path.removeLast();
        }
        return Collections.unmodifiableSequencedMap(out);
    }

    private static Object nodeToStateDict(Object node, List<String> path) {
        NodeType type = Tree.nodeType(node);
        if (type == NodeType.LEAF) return node;
        if (type == NodeType.NONE) return null;
        var children = new ArrayList<>();
        Object meta = type.flatten(node, children);
        List<String> names = childNames(node, type, meta, children.size());
        var out = LinkedHashMap.<String, Object>newLinkedHashMap(children.size());
        for (int i = 0; i < children.size(); i++) {
            path.add(names.get(i));
            out.put(names.get(i), toStateDict(children.get(i), path));
            path.removeLast();
        }
        return Collections.unmodifiableSequencedMap(out);
    }

    // ---- from_state_dict

    private static final NodeType JAVA_MAP = Tree.nodeType(new java.util.HashMap<>());

    static Object fromStateDict(Object target, Object state, List<String> path) {
        return switch (target) {
            case null -> restoreNone(state, path);
            case Array a -> restoreArray(a.aval(), state, path);
            case ShapedArray s -> restoreArray(s, state, path);
            case StateDictNode n -> restoreStateDictNode(n, state, path);
            // a registered map type (linen's Dict) is rebuilt by its node type, so it keeps its class
            case Map<?, ?> m when Tree.nodeType(m) != JAVA_MAP -> restoreNode(m, state, path);
            case Map<?, ?> m -> restoreMap(m, state, path);
            case Number n -> restoreNumber(n, state, path);
            default -> restoreNode(target, state, path);
        };
    }

    private static Object restoreNone(Object state, List<String> path) {
        if (state == null || state instanceof Map<?, ?> m && m.isEmpty()) return null;
        throw mismatch(path, "the target is null (an empty node)", "the state dict holds " + summary(state));
    }

    private static Array restoreArray(ShapedArray want, Object state, List<String> path) {
        ShapedArray strong = want.strong();
        return switch (state) {
            case ArrayImpl a when a.aval().strong().equals(strong) -> a;
            case ArrayImpl a -> throw mismatch(path, "the target is " + strong.str(), "the state dict holds " + a.aval().strong().str()
                    + (a.dtype() != strong.dtype() ? " (dtype " + a.dtype() + " vs " + strong.dtype() + ")" : " (shape differs)"));
            case Number n when want.ndim() == 0 -> scalarArray(strong.dtype(), n);
            case Boolean b when want.ndim() == 0 && want.dtype() == DType.BOOL -> scalarArray(DType.BOOL, b ? 1 : 0);
            default -> throw mismatch(path, "the target is an array " + strong.str(), "the state dict holds " + summary(state));
        };
    }

    private static ArrayImpl scalarArray(DType dtype, Number n) {
        ShapedArray aval = ShapedArray.of(dtype);
        return dtype.isFloating() ? ArrayImpl.ofDoubles(aval, new double[]{n.doubleValue()})
                                  : ArrayImpl.ofLongs(aval, new long[]{n.longValue()});
    }

    private static Object restoreNumber(Number target, Object state, List<String> path) {
        Number n = switch (state) {
            case Number x -> x;
            case ArrayImpl a when a.size() == 1 && a.ndim() == 0 -> a.dtype().isFloating() ? (Number) a.getDouble(0) : (Number) a.getLong(0);
            default -> throw mismatch(path, "the target is a " + target.getClass().getSimpleName() + " " + target,
                    "the state dict holds " + summary(state));
        };
        try {
            return switch (target) {
                case Integer i -> Math.toIntExact(exactLong(n));
                case Long l -> exactLong(n);
                case Double d -> n.doubleValue();
                case Float f -> n.floatValue();
                case Short s -> (short) Math.toIntExact(exactLong(n));
                default -> n;
            };
        } catch (ArithmeticException e) {
            throw mismatch(path, "the target is a " + target.getClass().getSimpleName(), "the state dict holds " + n + ", which does not fit it");
        }
    }

    private static long exactLong(Number n) {
        if (n instanceof BigInteger b) return b.longValueExact();
        if (n instanceof Double || n instanceof Float) {
            double d = n.doubleValue();
            if (d != Math.rint(d)) throw new ArithmeticException("not an integer");
            return (long) d;
        }
        return n.longValue();
    }

    private static Map<Object, Object> restoreMap(Map<?, ?> target, Object state, List<String> path) {
        List<Object> keys = orderedKeys(target);
        var names = new ArrayList<String>(keys.size());
        for (Object k : keys) names.add(String.valueOf(k));
        Map<?, ?> states = requireKeys(names, state, path);
        var out = LinkedHashMap.newLinkedHashMap(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            path.add(names.get(i));
            out.put(keys.get(i), fromStateDict(target.get(keys.get(i)), states.get(names.get(i)), path));
            path.removeLast();
        }
        return Collections.unmodifiableSequencedMap(out);
    }

    private static Object restoreNode(Object target, Object state, List<String> path) {
        NodeType type = Tree.nodeType(target);
        if (type == NodeType.NONE) return restoreNone(state, path);
        if (type == NodeType.LEAF) {
            if (state != null && state.getClass() == target.getClass()) return state;
            throw mismatch(path, "the target is a leaf of type " + target.getClass().getName(), "the state dict holds " + summary(state));
        }
        var children = new ArrayList<>();
        Object meta = type.flatten(target, children);
        List<String> names = childNames(target, type, meta, children.size());
        Map<?, ?> states = requireKeys(names, state, path);
        var restored = new ArrayList<>(children.size());
        for (int i = 0; i < children.size(); i++) {
            path.add(names.get(i));
            restored.add(fromStateDict(children.get(i), states.get(names.get(i)), path));
            path.removeLast();
        }
        return type.unflatten(meta, restored);
    }

    private static Object restoreStateDictNode(StateDictNode target, Object state, List<String> path) {
        Map<String, Object> children = target.stateDictChildren();
        Map<?, ?> states = requireKeys(List.copyOf(children.keySet()), state, path);
        var restored = LinkedHashMap.<String, Object>newLinkedHashMap(children.size());
        children.forEach((name, child) -> {
            path.add(name);
            restored.put(name, fromStateDict(child, states.get(name), path));
            path.removeLast();
        });
        return target.withStateDictChildren(Collections.unmodifiableSequencedMap(restored));
    }

    // ---- records as groups of fields (for StateDictNode implementations)

    static SequencedMap<String, Object> recordFields(Record record) {
        NodeType type = recordNode(record);
        var children = new ArrayList<>();
        Object meta = type.flatten(record, children);
        List<String> names = childNames(record, type, meta, children.size());
        var out = LinkedHashMap.<String, Object>newLinkedHashMap(children.size());
        for (int i = 0; i < children.size(); i++) out.put(names.get(i), children.get(i));
        return Collections.unmodifiableSequencedMap(out);
    }

    static Record withRecordFields(Record record, Map<String, ?> values) {
        NodeType type = recordNode(record);
        var children = new ArrayList<>();
        Object meta = type.flatten(record, children);
        List<String> names = childNames(record, type, meta, children.size());
        var missing = new TreeSet<String>(names);
        missing.removeAll(values.keySet());
        if (!missing.isEmpty()) {
            throw new SerializationException("StateDictNode.withRecordFields: the values for " + record.getClass().getSimpleName()
                    + " lack the fields " + missing + " (given " + new TreeSet<>(values.keySet()) + "); pass a value for every field");
        }
        var next = new ArrayList<>(names.size());
        for (String name : names) next.add(values.get(name));
        return (Record) type.unflatten(meta, next);
    }

    private static NodeType recordNode(Record record) {
        NodeType type = Tree.nodeType(java.util.Objects.requireNonNull(record, "record is null"));
        if (type == NodeType.LEAF || type == NodeType.NONE) {
            throw new SerializationException("StateDictNode: the record " + record.getClass().getName()
                    + " is registered as a pytree leaf, so it has no fields to lay out; use a record that is a pytree node");
        }
        return type;
    }

    /** The state as a map with exactly the keys {@code names}, or an error naming the missing and extra ones. */
    private static Map<?, ?> requireKeys(List<String> names, Object state, List<String> path) {
        if (!(state instanceof Map<?, ?> states)) {
            throw mismatch(path, "the target is a node with keys " + names, "the state dict holds " + summary(state));
        }
        var missing = new TreeSet<String>(names);
        states.keySet().forEach(k -> missing.remove(String.valueOf(k)));
        var extra = new TreeSet<String>();
        for (Object k : states.keySet()) extra.add(String.valueOf(k));
        names.forEach(extra::remove);
        if (!missing.isEmpty() || !extra.isEmpty()) {
            throw new SerializationException("FlaxSerialization.fromStateDict: at " + describe(path) + " the keys differ: "
                    + (missing.isEmpty() ? "" : "missing from the state dict " + missing + (extra.isEmpty() ? "" : ", "))
                    + (extra.isEmpty() ? "" : "not in the target " + extra)
                    + "; restore into a target of the saved structure, or transform the state dict first");
        }
        return states;
    }

    // ---- helpers

    /** A map's keys in its encounter order, or sorted (as JAX sorts dict keys) when it has none. */
    private static List<Object> orderedKeys(Map<?, ?> map) {
        var keys = new ArrayList<Object>(map.keySet());
        if (!(map instanceof SequencedMap<?, ?>)) keys.sort(StateDicts::compareKeys);
        return keys;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compareKeys(Object a, Object b) {
        if (a instanceof Comparable ca && a.getClass() == b.getClass()) return ca.compareTo(b);
        int byClass = a.getClass().getName().compareTo(b.getClass().getName());
        return byClass != 0 ? byClass : String.valueOf(a).compareTo(String.valueOf(b));
    }

    /** The state-dict key of each child: record components in snake_case, positions as "0", "1", ... */
    private static List<String> childNames(Object node, NodeType type, Object meta, int arity) {
        List<KeyEntry> keys = type.keys(meta, arity);
        var names = new ArrayList<String>(arity);
        for (KeyEntry k : keys) {
            names.add(switch (k) {
                case KeyEntry.FieldKey f -> node instanceof Record ? snakeCase(f.name()) : f.name();
                case KeyEntry.IndexKey i -> Integer.toString(i.index());
                case KeyEntry.MapKey m -> String.valueOf(m.key());
            });
        }
        return names;
    }

    /** {@code optState} -> {@code opt_state}: Flax's (Python) spelling of a Java record component. */
    static String snakeCase(String name) {
        var sb = new StringBuilder(name.length() + 4);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isUpperCase(c)) {
                if (i > 0 && (Character.isLowerCase(name.charAt(i - 1)) || Character.isDigit(name.charAt(i - 1)))) sb.append('_');
                sb.append(Character.toLowerCase(c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    static ArrayImpl concrete(Array a, List<String> path, String what) {
        try {
            return a.concrete(what + " at " + describe(path));
        } catch (Jax4jException e) {
            throw new SerializationException(what + ": the leaf at " + describe(path) + " is a traced value "
                    + a.aval().str() + "; serialize concrete arrays, outside jit/grad/vmap", e);
        }
    }

    static String describe(List<String> path) {
        return path.isEmpty() ? "the root" : String.join(".", path);
    }

    private static String summary(Object state) {
        return switch (state) {
            case null -> "null";
            case ArrayImpl a -> "an array " + a.aval().str();
            case Map<?, ?> m -> "a map with keys " + new TreeSet<>(m.keySet().stream().map(String::valueOf).toList());
            default -> "a " + state.getClass().getSimpleName() + " " + state;
        };
    }

    private static SerializationException mismatch(List<String> path, String target, String state) {
        return new SerializationException("FlaxSerialization.fromStateDict: at " + describe(path) + " " + target + " but "
                + state + "; restore into a target of the saved structure, or transform the state dict first");
    }
}
