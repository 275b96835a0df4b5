package io.jax4j.tree;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The structure of a pytree without its leaves (JAX's {@code PyTreeDef}): a node type, the node's
 * static metadata, one TreeDef per child, and the key that reaches each child.
 *
 * <p>Equality and hash code are structural over (type, metadata, children) and ignore
 * {@code keys}, which are a function of the other three (see {@link NodeType}). TreeDefs are
 * therefore usable as (part of) a jit cache key. {@link #toString()} prints like JAX:
 * {@code TreeDef({a: *, b: [*, *]})}.
 *
 * @param type     the node kind; {@link NodeType#LEAF} for a leaf, {@link NodeType#NONE} for null
 * @param metadata the node's static data (map keys, {@code @Static} record components), or null
 * @param children the children's structures, in flatten order
 * @param keys     how the node reaches each child; same length as {@code children}
 */
public record TreeDef(NodeType type, Object metadata, List<TreeDef> children, List<KeyEntry> keys) {

  /** The structure of a single leaf. */
  public static final TreeDef LEAF = new TreeDef(NodeType.LEAF, null, List.of(), List.of());

  /** The structure of {@code null}: an empty node with no leaves. */
  public static final TreeDef NONE = new TreeDef(NodeType.NONE, null, List.of(), List.of());

  public TreeDef {
    Objects.requireNonNull(type, "type is null");
    children = List.copyOf(children);
    keys = List.copyOf(keys);
    if (keys.size() != children.size()) {
      throw new IllegalArgumentException(type.name() + " node has " + children.size() + " children but " + keys.size() + " keys");
    }
  }

  public boolean isLeaf() {
    return type == NodeType.LEAF;
  }

  /** How many leaves a tree of this structure has. */
  public int numLeaves() {
    if (type == NodeType.LEAF) return 1;
    int n = 0;
    for (TreeDef c : children) n += c.numLeaves();
    return n;
  }

  /** How many nodes, leaves included. */
  public int numNodes() {
    int n = 1;
    for (TreeDef c : children) n += c.numNodes();
    return n;
  }

  /** The key path of every leaf, in flatten order. */
  public List<KeyPath> leafPaths() {
    var out = new ArrayList<KeyPath>();
    collectPaths(KeyPath.ROOT, out);
    return out;
  }

  private void collectPaths(KeyPath here, List<KeyPath> out) {
    if (isLeaf()) {
      out.add(here);
      return;
    }
    for (int i = 0; i < children.size(); i++) children.get(i).collectPaths(here.append(keys.get(i)), out);
  }

  /** Same as {@link Tree#unflatten(TreeDef, List)}. */
  public Object unflatten(List<?> leaves) {
    return Tree.unflatten(this, leaves);
  }

  /** Same as {@link Tree#flattenUpTo(TreeDef, Object)}. */
  public List<Object> flattenUpTo(Object tree) {
    return Tree.flattenUpTo(this, tree);
  }

  /** One-level summary used in mismatch errors, e.g. {@code {bias, kernel}} or {@code list of 3}. */
  public String describe() {
    return type.describe(metadata, children.size());
  }

  @Override public boolean equals(Object o) {
    return this == o
        || o instanceof TreeDef d && type.equals(d.type) && Objects.equals(metadata, d.metadata) && children.equals(d.children);
  }

  @Override public int hashCode() {
    return (type.hashCode() * 31 + Objects.hashCode(metadata)) * 31 + children.hashCode();
  }

  @Override public String toString() {
    return "TreeDef(" + format() + ")";
  }

  /** The structure without the {@code TreeDef(...)} wrapper: {@code {a: *, b: [*, *]}}. */
  public String format() {
    if (children.isEmpty()) return type.format(metadata, keys, List.of());
    var kids = new ArrayList<String>(children.size());
    for (TreeDef c : children) kids.add(c.format());
    return type.format(metadata, keys, kids);
  }
}
