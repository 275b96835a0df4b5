package io.jax4j.tree;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the node type of a value. Lookup order: a user registration for the exact class, then the
 * most specific registered supertype, then {@link Leaf}-annotated types (leaves), records, Vavr
 * tuples/sequences/maps, {@code java.util} lists/maps, {@code Optional}; anything else is a leaf.
 *
 * <p>Resolutions are cached per class. Registering replaces the whole state (registrations plus
 * a fresh cache) with one volatile write, so a lookup racing a registration can only fill the
 * cache it read, never leave a stale answer in the new one.
 */
final class Registry {
  private Registry() {}

  private record Registration(Class<?> type, NodeType node) {}

  private record State(List<Registration> registrations, Map<Class<?>, NodeType> cache) {}

  private static volatile State state = new State(List.of(), new ConcurrentHashMap<>());

  static synchronized void register(Class<?> type, NodeType node) {
    var regs = new ArrayList<Registration>();
    for (Registration r : state.registrations()) if (r.type() != type) regs.add(r);
    regs.add(new Registration(type, node));
    state = new State(List.copyOf(regs), new ConcurrentHashMap<>());
  }

  /** The node type of {@code x}; {@link NodeType#NONE} for null. */
  static NodeType of(Object x) {
    if (x == null) return NodeType.NONE;
    State s = state;
    Class<?> c = x.getClass();
    NodeType t = s.cache().get(c);
    if (t == null) {
      t = resolve(c, s.registrations());
      NodeType raced = s.cache().putIfAbsent(c, t);
      if (raced != null) t = raced;
    }
    return t;
  }

  private static NodeType resolve(Class<?> c, List<Registration> registrations) {
    Registration best = null;
    for (Registration r : registrations) {
      if (r.type() == c) return r.node();
      // Most specific wins; among unrelated matches the earliest registration wins.
      if (r.type().isAssignableFrom(c) && (best == null || best.type().isAssignableFrom(r.type()))) best = r;
    }
    if (best != null) return best.node();
    if (c.isAnnotationPresent(Leaf.class)) return NodeType.LEAF;
    if (c.isRecord()) return new RecordNode(c);
    if (io.vavr.Tuple.class.isAssignableFrom(c)) return VavrNodes.TUPLE;
    if (io.vavr.collection.CharSeq.class.isAssignableFrom(c)) return NodeType.LEAF; // a string, not a Seq of chars
    if (io.vavr.collection.Seq.class.isAssignableFrom(c)) return VavrNodes.SEQ;
    if (io.vavr.collection.Map.class.isAssignableFrom(c)) return VavrNodes.MAP;
    if (List.class.isAssignableFrom(c)) return Nodes.JAVA_LIST;
    if (Map.class.isAssignableFrom(c)) return Nodes.JAVA_MAP;
    if (c == Optional.class) return Nodes.OPTIONAL;
    return NodeType.LEAF;
  }
}
