package io.jax4j.tree;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;

/**
 * The recursive walks behind {@link Tree}: flatten, unflatten, flatten-up-to-a-prefix, and the
 * structural comparison that finds the first differing key path. Hot paths (flatten, unflatten,
 * map) use plain loops and build no key paths; paths are only built when an error is reported,
 * from a stack of key entries kept while descending.
 */
final class Walks {
  private Walks() {}

  static TreeDef flatten(Object x, List<Object> leaves, Predicate<Object> isLeaf) {
    if (isLeaf != null && isLeaf.test(x)) {
      leaves.add(x);
      return TreeDef.LEAF;
    }
    NodeType t = Registry.of(x);
    if (t == NodeType.LEAF) {
      leaves.add(x);
      return TreeDef.LEAF;
    }
    if (t == NodeType.NONE) return TreeDef.NONE;
    var kids = new ArrayList<Object>();
    Object meta = t.flatten(x, kids);
    var defs = new TreeDef[kids.size()];
    for (int i = 0; i < defs.length; i++) defs[i] = flatten(kids.get(i), leaves, isLeaf);
    return new TreeDef(t, meta, List.of(defs), t.keys(meta, defs.length));
  }

  /** Reads leaves from {@code leaves} starting at {@code pos[0]}, advancing it. */
  static Object unflatten(TreeDef d, List<?> leaves, int[] pos) {
    NodeType t = d.type();
    if (t == NodeType.LEAF) return leaves.get(pos[0]++);
    if (t == NodeType.NONE) return null;
    var kids = new Object[d.children().size()];
    for (int i = 0; i < kids.length; i++) kids[i] = unflatten(d.children().get(i), leaves, pos);
    return t.unflatten(d.metadata(), Arrays.asList(kids));
  }

  /** Applies {@code f} to every leaf in one pass, building no TreeDef; counts leaves in {@code n}. */
  static Object map(Object x, java.util.function.Function<Object, ?> f, int[] n) {
    NodeType t = Registry.of(x);
    if (t == NodeType.LEAF) {
      n[0]++;
      return f.apply(x);
    }
    if (t == NodeType.NONE) return null;
    var kids = new ArrayList<Object>();
    Object meta = t.flatten(x, kids);
    for (int i = 0; i < kids.size(); i++) kids.set(i, map(kids.get(i), f, n));
    return t.unflatten(meta, kids);
  }

  /**
   * The subtrees of {@code x} at the leaves of {@code prefix} (JAX's {@code flatten_up_to}): where
   * the prefix has a leaf, x may have any subtree; elsewhere the nodes must match.
   */
  static void flattenUpTo(TreeDef prefix, Object x, List<Object> out, List<KeyEntry> stack, String context) {
    if (prefix.isLeaf()) {
      out.add(x);
      return;
    }
    NodeType t = Registry.of(x);
    if (t == NodeType.LEAF) {
      throw mismatch(context, stack, prefix.describe(), "a leaf of type " + x.getClass().getName());
    }
    var kids = new ArrayList<Object>();
    Object meta = t == NodeType.NONE ? null : t.flatten(x, kids);
    if (!t.equals(prefix.type()) || kids.size() != prefix.children().size() || !java.util.Objects.equals(meta, prefix.metadata())) {
      throw mismatch(context, stack, prefix.describe(), t.describe(meta, kids.size()));
    }
    for (int i = 0; i < kids.size(); i++) {
      stack.add(prefix.keys().get(i));
      flattenUpTo(prefix.children().get(i), kids.get(i), out, stack, context);
      stack.removeLast();
    }
  }

  /** Throws naming the first path where {@code a} and {@code b} differ; returns if they are equal. */
  static void requireSame(TreeDef a, TreeDef b, List<KeyEntry> stack, String context) {
    if (a.equals(b)) return;
    if (!a.type().equals(b.type()) || a.children().size() != b.children().size() || !java.util.Objects.equals(a.metadata(), b.metadata())) {
      throw mismatch(context, stack, a.describe(), b.describe());
    }
    for (int i = 0; i < a.children().size(); i++) {
      stack.add(a.keys().get(i));
      requireSame(a.children().get(i), b.children().get(i), stack, context);
      stack.removeLast();
    }
  }

  static TreeStructureError mismatch(String context, List<KeyEntry> stack, String left, String right) {
    return new TreeStructureError(context, new KeyPath(stack), left, right);
  }

  static List<Object> unmodifiable(Object[] items) {
    return Collections.unmodifiableList(Arrays.asList(items));
  }
}
