package io.jax4j.tree;

import java.util.ArrayList;
import java.util.List;

/**
 * The path from a tree's root to one of its nodes, e.g. {@code params.Dense_0.kernel} or
 * {@code layers[2].w}. The root itself is the empty path, which prints as the empty string.
 */
public record KeyPath(List<KeyEntry> entries) {

  /** The empty path, naming the root. */
  public static final KeyPath ROOT = new KeyPath(List.of());

  public KeyPath {
    entries = List.copyOf(entries);
  }

  public static KeyPath of(KeyEntry... entries) {
    return new KeyPath(List.of(entries));
  }

  /** This path extended by one step. */
  public KeyPath append(KeyEntry entry) {
    var more = new ArrayList<KeyEntry>(entries.size() + 1);
    more.addAll(entries);
    more.add(entry);
    return new KeyPath(more);
  }

  public boolean isRoot() {
    return entries.isEmpty();
  }

  /** Printed like Flax paths: no leading dot before the first name ({@code params.Dense_0}). */
  @Override public String toString() {
    var sb = new StringBuilder();
    for (KeyEntry e : entries) sb.append(e);
    return sb.length() > 0 && sb.charAt(0) == '.' ? sb.substring(1) : sb.toString();
  }

  /**
   * As JAX's {@code jax.tree_util.keystr} prints it: a map key as {@code ['name']} (Python's repr of
   * the key), a record component or user node child as {@code .name}, a position as {@code [0]}.
   */
  public String keystr() {
    var sb = new StringBuilder();
    for (KeyEntry e : entries) {
      if (e instanceof KeyEntry.MapKey(Object key)) sb.append('[').append(key instanceof String s ? pythonRepr(s) : key).append(']');
      else sb.append(e);
    }
    return sb.toString();
  }

  private static String pythonRepr(String s) {
    return s.contains("'") && !s.contains("\"") ? "\"" + s + "\"" : "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  /** The path for error messages: the printed path, or "the root". */
  String describe() {
    return isRoot() ? "the root" : toString();
  }
}
