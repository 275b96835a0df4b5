package io.jax4j.tree;

/**
 * Two trees (or a tree and a list of leaves) that should have the same structure do not.
 * The message names the operation, the first differing key path and both sub-structures:
 *
 * <pre>{@code
 * Tree.map2((a, b) -> a, Map.of("w", 1, "b", 2), Map.of("w", 1));
 * // Tree.map: tree structure mismatch at the root: {b, w} vs {w}
 * }</pre>
 */
public final class TreeStructureError extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final transient KeyPath path;

  TreeStructureError(String context, KeyPath path, String left, String right) {
    super(context + ": tree structure mismatch at " + path.describe() + ": " + left + " vs " + right);
    this.path = path;
  }

  TreeStructureError(String message) {
    super(message);
    this.path = KeyPath.ROOT;
  }

  /** Where the structures first differ (the root for leaf-count errors). */
  public KeyPath path() {
    return path == null ? KeyPath.ROOT : path;
  }
}
