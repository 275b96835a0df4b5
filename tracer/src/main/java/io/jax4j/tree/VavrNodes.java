package io.jax4j.tree;

import io.vavr.Tuple;
import io.vavr.Tuple2;
import io.vavr.collection.Seq;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/** The built-in node types over Vavr: {@code Seq}, {@code Map} and {@code Tuple0..Tuple8}. */
final class VavrNodes {
  private VavrNodes() {}

  /** Which Vavr sequence a {@code Seq} is rebuilt as: List→List, Array→Array, else Vector. */
  enum SeqKind {
    List, Vector, Array;

    static SeqKind of(Object seq) {
      if (seq instanceof io.vavr.collection.List<?>) return List;
      if (seq instanceof io.vavr.collection.Array<?>) return Array;
      return Vector;
    }

    Seq<Object> build(java.util.List<Object> items) {
      return switch (this) {
        case List -> io.vavr.collection.List.ofAll(items);
        case Vector -> io.vavr.collection.Vector.ofAll(items);
        case Array -> io.vavr.collection.Array.ofAll(items);
      };
    }
  }

  /** {@code io.vavr.collection.Seq}: children in order; metadata is the {@link SeqKind}. */
  static final NodeType SEQ = new Nodes.Simple("Seq") {
    @Override public Object flatten(Object node, List<Object> children) {
      for (Object x : (Seq<?>) node) children.add(x);
      return SeqKind.of(node);
    }

    @Override public Object unflatten(Object metadata, List<Object> children) {
      return ((SeqKind) metadata).build(children);
    }

    @Override public String describe(Object metadata, int arity) {
      return metadata + " of " + arity;
    }

    @Override public String format(Object metadata, List<KeyEntry> keys, List<String> children) {
      return metadata + "(" + String.join(", ", children) + ")";
    }
  };

  /** Which Vavr map a {@code Map} is rebuilt as; maps that are neither become LinkedHashMap. */
  enum MapKind { HashMap, LinkedHashMap, TreeMap }

  /**
   * Vavr map metadata: the kind and the sorted keys. A TreeMap's comparator is carried along to
   * rebuild it but does not take part in equality (comparators rarely implement equals).
   */
  record MapMeta(MapKind kind, List<Object> keys, Comparator<Object> comparator) {
    @Override public boolean equals(Object o) {
      return o instanceof MapMeta m && m.kind == kind && m.keys.equals(keys);
    }

    @Override public int hashCode() {
      return Objects.hash(kind, keys);
    }
  }

  /** {@code io.vavr.collection.Map}: children by sorted key, like JAX sorts dict keys. */
  @SuppressWarnings("unchecked")
  static final NodeType MAP = new Nodes.Simple("Map") {
    @Override public Object flatten(Object node, List<Object> children) {
      var map = (io.vavr.collection.Map<Object, Object>) node;
      Object[] keys = Nodes.sortedKeys(map.keySet().toJavaArray());
      for (Object k : keys) children.add(map.get(k).get());
      MapKind kind;
      Comparator<Object> comparator = null;
      if (map instanceof io.vavr.collection.SortedMap<Object, Object> sorted) {
        kind = MapKind.TreeMap;
        comparator = sorted.comparator();
      } else {
        kind = map instanceof io.vavr.collection.HashMap<?, ?> ? MapKind.HashMap : MapKind.LinkedHashMap;
      }
      return new MapMeta(kind, List.of(keys), comparator);
    }

    @Override public List<KeyEntry> keys(Object metadata, int arity) {
      return Nodes.mapKeys(((MapMeta) metadata).keys());
    }

    @Override public Object unflatten(Object metadata, List<Object> children) {
      var meta = (MapMeta) metadata;
      var entries = new ArrayList<Tuple2<Object, Object>>(children.size());
      for (int i = 0; i < children.size(); i++) entries.add(Tuple.of(meta.keys().get(i), children.get(i)));
      return switch (meta.kind()) {
        case HashMap -> io.vavr.collection.HashMap.ofEntries(entries);
        case LinkedHashMap -> io.vavr.collection.LinkedHashMap.ofEntries(entries);
        case TreeMap -> io.vavr.collection.TreeMap.ofEntries(meta.comparator(), entries);
      };
    }

    @Override public String describe(Object metadata, int arity) {
      var meta = (MapMeta) metadata;
      return meta.kind() + Nodes.braces(meta.keys());
    }

    @Override public String format(Object metadata, List<KeyEntry> keys, List<String> children) {
      var meta = (MapMeta) metadata;
      return meta.kind() + "{" + Nodes.entries(meta.keys(), children) + "}";
    }
  };

  /** {@code Tuple0..Tuple8}: the arity is the number of children; keys {@code [0]..}. */
  static final NodeType TUPLE = new Nodes.Simple("Tuple") {
    @Override public Object flatten(Object node, List<Object> children) {
      for (Object x : ((Tuple) node).toSeq()) children.add(x);
      return null;
    }

    @Override public Object unflatten(Object metadata, List<Object> c) {
      return switch (c.size()) {
        case 0 -> Tuple.empty();
        case 1 -> Tuple.of(c.get(0));
        case 2 -> Tuple.of(c.get(0), c.get(1));
        case 3 -> Tuple.of(c.get(0), c.get(1), c.get(2));
        case 4 -> Tuple.of(c.get(0), c.get(1), c.get(2), c.get(3));
        case 5 -> Tuple.of(c.get(0), c.get(1), c.get(2), c.get(3), c.get(4));
        case 6 -> Tuple.of(c.get(0), c.get(1), c.get(2), c.get(3), c.get(4), c.get(5));
        case 7 -> Tuple.of(c.get(0), c.get(1), c.get(2), c.get(3), c.get(4), c.get(5), c.get(6));
        case 8 -> Tuple.of(c.get(0), c.get(1), c.get(2), c.get(3), c.get(4), c.get(5), c.get(6), c.get(7));
        default -> throw new IllegalArgumentException("Vavr tuples have at most 8 elements, got " + c.size());
      };
    }

    @Override public String describe(Object metadata, int arity) {
      return "Tuple" + arity;
    }

    @Override public String format(Object metadata, List<KeyEntry> keys, List<String> children) {
      return "(" + String.join(", ", children) + (children.size() == 1 ? ",)" : ")");
    }
  };
}
