package io.jax4j.tree;

import java.util.List;

/**
 * How one kind of node is taken apart and put back together: JAX's registered pytree node.
 *
 * <p>Contract, for every node {@code x} of this type:
 * <ul>
 *   <li>{@code meta = flatten(x, kids)} appends the children in a deterministic order (sorted keys
 *       for maps) and returns the static metadata, which must implement {@code equals}/{@code
 *       hashCode} (it joins jit cache keys);</li>
 *   <li>{@code unflatten(meta, kids)} rebuilds an equivalent node; the list it receives is fresh,
 *       so it may keep it;</li>
 *   <li>{@code keys(meta, n)} is a function of the metadata and the arity only, which is why
 *       {@link TreeDef} equality can ignore keys.</li>
 * </ul>
 * The two distinguished types are {@link #LEAF} and {@link #NONE} (the empty node {@code null}).
 * Node types compare by identity, except record node types, which compare by record class.
 */
public interface NodeType {

  /** The leaf kind: no children; the value itself lands in the leaf list. */
  NodeType LEAF = new Nodes.LeafType();

  /** {@code null}, Python's None: a node with no children, so no leaves. */
  NodeType NONE = new Nodes.NoneType();

  /** A short name, e.g. {@code list}, {@code Vector}, or a record's simple name. */
  String name();

  /** Appends {@code node}'s children to {@code children} and returns its metadata. */
  Object flatten(Object node, List<Object> children);

  /** The key of each child; the list has {@code arity} entries. */
  List<KeyEntry> keys(Object metadata, int arity);

  /** Rebuilds a node from its metadata and (new) children. */
  Object unflatten(Object metadata, List<Object> children);

  /** One-level summary for mismatch errors: {@code list of 3}, {@code {bias, kernel}}. */
  default String describe(Object metadata, int arity) {
    return metadata == null ? name() + " of " + arity : name() + "[" + Nodes.abbreviate(metadata) + "] of " + arity;
  }

  /** The node printed with its already printed children, for {@link TreeDef#toString()}. */
  default String format(Object metadata, List<KeyEntry> keys, List<String> children) {
    var sb = new StringBuilder(name());
    if (metadata != null) sb.append('[').append(Nodes.abbreviate(metadata)).append(']');
    sb.append('(');
    for (int i = 0; i < children.size(); i++) {
      if (i > 0) sb.append(", ");
      sb.append(children.get(i));
    }
    return sb.append(')').toString();
  }
}
