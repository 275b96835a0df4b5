package io.jax4j.tree;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/** The built-in node types over {@code java.util}, plus the user-registered kind. */
final class Nodes {
  private Nodes() {}

  /** Keys sort like JAX sorts dict keys: naturally within a class, else by class then text. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static final Comparator<Object> KEY_ORDER = (a, b) -> {
    if (a.getClass() == b.getClass() && a instanceof Comparable c) return c.compareTo(b);
    int byClass = a.getClass().getName().compareTo(b.getClass().getName());
    return byClass != 0 ? byClass : a.toString().compareTo(b.toString());
  };

  // NodeType's constants are created there, not read from here: NodeType has default methods,
  // so initialising any implementation initialises NodeType, and a field read back from this
  // class while it is still being initialised would be null.
  static final NodeType LEAF = NodeType.LEAF;
  static final NodeType NONE = NodeType.NONE;

  /** The leaf kind; the single instance is {@link NodeType#LEAF}. */
  static final class LeafType extends Simple {
    LeafType() {
      super("leaf");
    }

    @Override public Object flatten(Object node, List<Object> children) {
      throw new IllegalStateException("a leaf has no children");
    }

    @Override public Object unflatten(Object metadata, List<Object> children) {
      throw new IllegalStateException("a leaf is not rebuilt from children");
    }

    @Override public String describe(Object metadata, int arity) {
      return "a leaf";
    }

    @Override public String format(Object metadata, List<KeyEntry> keys, List<String> children) {
      return "*";
    }
  }

  /** The kind of null; the single instance is {@link NodeType#NONE}. */
  static final class NoneType extends Simple {
    NoneType() {
      super("null");
    }

    @Override public Object flatten(Object node, List<Object> children) {
      return null;
    }

    @Override public Object unflatten(Object metadata, List<Object> children) {
      return null;
    }

    @Override public String describe(Object metadata, int arity) {
      return "null";
    }

    @Override public String format(Object metadata, List<KeyEntry> keys, List<String> children) {
      return "null";
    }
  }

  /** {@code java.util.List}: children in order, rebuilt as an unmodifiable list. */
  static final NodeType JAVA_LIST = new Simple("list") {
    @Override public Object flatten(Object node, List<Object> children) {
      children.addAll((List<?>) node);
      return null;
    }

    @Override public List<KeyEntry> keys(Object metadata, int arity) {
      return indexKeys(arity);
    }

    @Override public Object unflatten(Object metadata, List<Object> children) {
      return Collections.unmodifiableList(children);
    }

    @Override public String format(Object metadata, List<KeyEntry> keys, List<String> children) {
      return "[" + String.join(", ", children) + "]";
    }
  };

  /** {@code java.util.Map}: children by sorted key, rebuilt insertion-ordered in that order. */
  static final NodeType JAVA_MAP = new Simple("map") {
    @Override public Object flatten(Object node, List<Object> children) {
      var map = (Map<?, ?>) node;
      Object[] keys = sortedKeys(map.keySet().toArray());
      for (Object k : keys) children.add(map.get(k));
      return List.of(keys);
    }

    @Override public List<KeyEntry> keys(Object metadata, int arity) {
      return mapKeys((List<?>) metadata);
    }

    @Override public Object unflatten(Object metadata, List<Object> children) {
      var keys = (List<?>) metadata;
      var map = LinkedHashMap.newLinkedHashMap(keys.size());
      for (int i = 0; i < keys.size(); i++) map.put(keys.get(i), children.get(i));
      return Collections.unmodifiableSequencedMap(map);
    }

    @Override public String describe(Object metadata, int arity) {
      return braces((List<?>) metadata);
    }

    @Override public String format(Object metadata, List<KeyEntry> keys, List<String> children) {
      return "{" + entries((List<?>) metadata, children) + "}";
    }
  };

  /** {@code java.util.Optional}: no children when empty, one otherwise. */
  static final NodeType OPTIONAL = new Simple("Optional") {
    @Override public Object flatten(Object node, List<Object> children) {
      ((Optional<?>) node).ifPresent(children::add);
      return null;
    }

    @Override public List<KeyEntry> keys(Object metadata, int arity) {
      return indexKeys(arity);
    }

    @Override public Object unflatten(Object metadata, List<Object> children) {
      return children.isEmpty() ? Optional.empty() : Optional.ofNullable(children.getFirst());
    }

    @Override public String describe(Object metadata, int arity) {
      return arity == 0 ? "Optional.empty" : "Optional";
    }

    @Override public String format(Object metadata, List<KeyEntry> keys, List<String> children) {
      return children.isEmpty() ? "Optional.empty" : "Optional[" + children.getFirst() + "]";
    }
  };

  /** Base for the stateless built-ins: identity equality, index keys by default. */
  abstract static class Simple implements NodeType {
    private final String name;

    Simple(String name) {
      this.name = name;
    }

    @Override public String name() {
      return name;
    }

    @Override public List<KeyEntry> keys(Object metadata, int arity) {
      return indexKeys(arity);
    }

    @Override public String toString() {
      return name;
    }
  }

  /** A node type registered through {@link Tree#register(Class, Function, BiFunction)}. */
  static final class User<T> implements NodeType {
    /** What a user node stores as TreeDef metadata: theirs, plus their child keys. */
    record Meta(Object metadata, List<String> keys) {}

    private final Class<T> type;
    private final Function<? super T, Tree.Children> flatten;
    private final BiFunction<Object, List<Object>, ? extends T> unflatten;

    User(Class<T> type, Function<? super T, Tree.Children> flatten,
         BiFunction<Object, List<Object>, ? extends T> unflatten) {
      this.type = type;
      this.flatten = flatten;
      this.unflatten = unflatten;
    }

    @Override public String name() {
      return type.getSimpleName();
    }

    @Override public Object flatten(Object node, List<Object> children) {
      Tree.Children c = flatten.apply(type.cast(node));
      if (c == null) throw new IllegalStateException("flatten function registered for " + type.getName() + " returned null");
      if (c.keys() != null && c.keys().size() != c.children().size()) {
        throw new IllegalStateException("flatten function registered for " + type.getName() + " returned "
            + c.children().size() + " children but " + c.keys().size() + " keys");
      }
      children.addAll(c.children());
      return c.keys() == null && c.metadata() == null ? null : new Meta(c.metadata(), c.keys());
    }

    @Override public List<KeyEntry> keys(Object metadata, int arity) {
      if (!(metadata instanceof Meta m) || m.keys() == null) return indexKeys(arity);
      var keys = new ArrayList<KeyEntry>(arity);
      for (String k : m.keys()) keys.add(new KeyEntry.FieldKey(k));
      return keys;
    }

    @Override public Object unflatten(Object metadata, List<Object> children) {
      return unflatten.apply(metadata instanceof Meta m ? m.metadata() : null, children);
    }

    @Override public String describe(Object metadata, int arity) {
      Object user = metadata instanceof Meta m ? m.metadata() : null;
      return user == null ? name() + " of " + arity : name() + "[" + abbreviate(user) + "] of " + arity;
    }

    @Override public String format(Object metadata, List<KeyEntry> keys, List<String> children) {
      var sb = new StringBuilder(name());
      Object user = metadata instanceof Meta m ? m.metadata() : null;
      if (user != null) sb.append('[').append(abbreviate(user)).append(']');
      sb.append('(');
      boolean named = metadata instanceof Meta m && m.keys() != null;
      for (int i = 0; i < children.size(); i++) {
        if (i > 0) sb.append(", ");
        if (named) sb.append(((KeyEntry.FieldKey) keys.get(i)).name()).append('=');
        sb.append(children.get(i));
      }
      return sb.append(')').toString();
    }

    @Override public String toString() {
      return "registered " + type.getName();
    }
  }

  // ---- helpers shared by the node types ----

  private static final List<List<KeyEntry>> INDEX_KEYS = new ArrayList<>();

  static {
    for (int n = 0; n <= 16; n++) {
      var keys = new KeyEntry[n];
      for (int i = 0; i < n; i++) keys[i] = KeyEntry.IndexKey.of(i);
      INDEX_KEYS.add(List.of(keys));
    }
  }

  static List<KeyEntry> indexKeys(int arity) {
    if (arity < INDEX_KEYS.size()) return INDEX_KEYS.get(arity);
    var keys = new KeyEntry[arity];
    for (int i = 0; i < arity; i++) keys[i] = KeyEntry.IndexKey.of(i);
    return List.of(keys);
  }

  static List<KeyEntry> mapKeys(List<?> keys) {
    var out = new KeyEntry[keys.size()];
    for (int i = 0; i < out.length; i++) out[i] = new KeyEntry.MapKey(keys.get(i));
    return List.of(out);
  }

  static Object[] sortedKeys(Object[] keys) {
    for (Object k : keys) if (k == null) throw new IllegalArgumentException("map key is null: pytree maps need non-null keys");
    Arrays.sort(keys, KEY_ORDER);
    return keys;
  }

  static String braces(List<?> keys) {
    var sb = new StringBuilder("{");
    for (int i = 0; i < keys.size(); i++) sb.append(i > 0 ? ", " : "").append(keys.get(i));
    return sb.append('}').toString();
  }

  static String entries(List<?> keys, List<String> children) {
    var sb = new StringBuilder();
    for (int i = 0; i < keys.size(); i++) sb.append(i > 0 ? ", " : "").append(keys.get(i)).append(": ").append(children.get(i));
    return sb.toString();
  }

  /** Metadata and static values print at most 60 characters in structures and errors. */
  static String abbreviate(Object value) {
    String s = value != null && value.getClass().isArray()
        ? Arrays.deepToString(new Object[] {value}).substring(1).replaceFirst("]$", "")  // any array, deeply
        : String.valueOf(value);
    return s.length() <= 60 ? s : s.substring(0, 57) + "...";
  }
}
