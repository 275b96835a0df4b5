package io.jax4j.tree;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * JAX's {@code tree_util} for Java: flatten a pytree into leaves plus a {@link TreeDef}, rebuild
 * it, and map functions over its leaves.
 *
 * <p>Records (by component; {@link Static} components are metadata), {@code java.util} lists and
 * maps, {@code Optional}, Vavr sequences, maps and tuples are nodes; {@code null} is an empty node;
 * user types join through {@link #register}. Everything else is a leaf. Map children are ordered
 * by sorted key.
 */
public final class Tree {
  private Tree() {}

  /** A flattened tree: its leaves in order and its structure. */
  public record Flat(List<Object> leaves, TreeDef def) {
    public Object unflatten() {
      return Tree.unflatten(def, leaves);
    }
  }

  /** A leaf with the key path that reaches it. */
  public record PathLeaf(KeyPath path, Object leaf) {}

  /**
   * What a registered flatten function returns for one node.
   *
   * @param children the children, in a deterministic order
   * @param keys     one name per child (printed {@code .name} in key paths), or null for {@code [i]}
   * @param metadata static data handed back to the unflatten function; needs {@code equals}
   */
  public record Children(List<Object> children, List<String> keys, Object metadata) {
    public Children {
      children = new ArrayList<>(Objects.requireNonNull(children, "children is null"));
      keys = keys == null ? null : List.copyOf(keys);
    }

    public static Children of(List<Object> children) {
      return new Children(children, null, null);
    }
  }

  /**
   * A tree split into two leaf lists aligned with {@code def}'s leaves (Equinox's
   * {@code partition}): each position holds the leaf in exactly one list and null in the other.
   */
  public record Partition(TreeDef def, List<Object> dynamic, List<Object> statics) {}

  // ---- flatten and unflatten ----

  public static Flat flatten(Object tree) {
    var leaves = new ArrayList<Object>();
    TreeDef def = Walks.flatten(tree, leaves, null);
    return new Flat(java.util.Collections.unmodifiableList(leaves), def);
  }

  /** Flattens, treating every value for which {@code isLeaf} holds as a leaf (null included). */
  public static Flat flatten(Object tree, Predicate<Object> isLeaf) {
    var leaves = new ArrayList<Object>();
    TreeDef def = Walks.flatten(tree, leaves, Objects.requireNonNull(isLeaf, "isLeaf is null"));
    return new Flat(java.util.Collections.unmodifiableList(leaves), def);
  }

  /** The leaves in flatten order: record components in declaration order, map values by sorted key. */
  public static List<Object> leaves(Object tree) {
    return flatten(tree).leaves();
  }

  public static TreeDef structure(Object tree) {
    return flatten(tree).def();
  }

  /** Each leaf with its key path, e.g. {@code params.Dense_0.kernel}, in flatten order. */
  public static List<PathLeaf> flattenWithPath(Object tree) {
    Flat flat = flatten(tree);
    List<KeyPath> paths = flat.def().leafPaths();
    var out = new ArrayList<PathLeaf>(paths.size());
    for (int i = 0; i < paths.size(); i++) out.add(new PathLeaf(paths.get(i), flat.leaves().get(i)));
    return out;
  }

  /** Rebuilds a tree of structure {@code def} from exactly {@code def.numLeaves()} leaves. */
  public static Object unflatten(TreeDef def, List<?> leaves) {
    Objects.requireNonNull(def, "def is null");
    Objects.requireNonNull(leaves, "leaves is null");
    int expected = def.numLeaves();
    if (leaves.size() != expected) {
      throw new TreeStructureError("Tree.unflatten: " + def + " has " + expected + " leaves but "
          + leaves.size() + " leaves were given");
    }
    return Walks.unflatten(def, leaves, new int[1]);
  }

  /**
   * The subtrees of {@code tree} found at the leaves of {@code prefix} (JAX's
   * {@code flatten_up_to}), e.g. one in_axes entry per argument subtree.
   */
  public static List<Object> flattenUpTo(TreeDef prefix, Object tree) {
    var out = new ArrayList<Object>();
    Walks.flattenUpTo(prefix, tree, out, new ArrayList<>(), "Tree.flattenUpTo");
    return out;
  }

  /** Throws a {@link TreeStructureError} naming the first differing path unless equal. */
  public static void checkSameStructure(String context, TreeDef expected, TreeDef actual) {
    Walks.requireSame(expected, actual, new ArrayList<>(), context);
  }

  // ---- map ----

  /**
   * A tree of the same structure with {@code f} applied to every leaf. The leaf type {@code T} is
   * inferred from {@code f} (e.g. {@code Tree.map(Array::shape, variables)}); a leaf of another
   * type fails with a ClassCastException naming its key path. The result's type is the caller's
   * ({@code Params p = Tree.map(f, params)}: no cast; JAX's {@code tree_map}).
   */
  @SuppressWarnings("unchecked")
  public static <T, R> R map(Function<? super T, ?> f, Object tree) {
    Objects.requireNonNull(f, "f is null");
    int[] n = new int[1];
    try {
      return (R) Walks.map(tree, x -> f.apply((T) x), n);
    } catch (ClassCastException e) {
      throw leafFailure("Tree.map", tree, n[0] - 1, e);
    }
  }

  /**
   * Maps over several trees at once: {@code f} receives the leaf of {@code tree} followed by the
   * corresponding subtree of each of {@code rest}. As in JAX, {@code tree}'s structure must be a
   * prefix of each other tree's (equal structures are the common case); otherwise a
   * {@link TreeStructureError} names the first differing key path and both sub-structures.
   */
  @SuppressWarnings("unchecked")
  public static <R> R map(Function<? super List<Object>, ?> f, Object tree, Object... rest) {
    Objects.requireNonNull(f, "f is null");
    Flat flat = flatten(tree);
    var others = new ArrayList<List<Object>>(rest.length);
    for (int r = 0; r < rest.length; r++) {
      var out = new ArrayList<Object>();
      Walks.flattenUpTo(flat.def(), rest[r], out, new ArrayList<>(), "Tree.map (tree 0 vs tree " + (r + 1) + ")");
      others.add(out);
    }
    int n = flat.leaves().size();
    var mapped = new Object[n];
    for (int i = 0; i < n; i++) {
      var args = new Object[rest.length + 1];
      args[0] = flat.leaves().get(i);
      for (int r = 0; r < rest.length; r++) args[r + 1] = others.get(r).get(i);
      mapped[i] = f.apply(Walks.unmodifiable(args));
    }
    return (R) Walks.unflatten(flat.def(), java.util.Arrays.asList(mapped), new int[1]);
  }

  /** Two-tree map, e.g. {@code Tree.map2((Array p, Array g) -> p.sub(g.mul(lr)), params, grads)}. */
  @SuppressWarnings("unchecked")
  public static <A, B, R> R map2(BiFunction<? super A, ? super B, ?> f, Object a, Object b) {
    Objects.requireNonNull(f, "f is null");
    return map(xs -> f.apply((A) xs.get(0), (B) xs.get(1)), a, b);
  }

  /** The leaves that are instances of {@code type}, in flatten order. */
  public static <T> List<T> leavesOfType(Object tree, Class<T> type) {
    var out = new ArrayList<T>();
    for (Object leaf : leaves(tree)) if (type.isInstance(leaf)) out.add(type.cast(leaf));
    return out;
  }

  /** Maps {@code f} over the leaves that are instances of {@code type}; other leaves are kept. */
  public static <T, R> R mapLeavesOfType(Class<T> type, Function<? super T, ?> f, Object tree) {
    Objects.requireNonNull(type, "type is null");
    return map((Object x) -> type.isInstance(x) ? f.apply(type.cast(x)) : x, tree);
  }

  /**
   * JAX's {@code tree_map_with_path}: {@code f} receives each leaf's key path and the leaf
   * ({@code Tree.mapWithPath((path, Array x) -> path.toString().endsWith("bias") ? x : x.mul(0.5f), params)}).
   */
  @SuppressWarnings("unchecked")
  public static <T, R> R mapWithPath(BiFunction<KeyPath, ? super T, ?> f, Object tree) {
    Objects.requireNonNull(f, "f is null");
    Flat flat = flatten(tree);
    List<KeyPath> paths = flat.def().leafPaths();
    var mapped = new Object[paths.size()];
    for (int i = 0; i < mapped.length; i++) {
      try {
        mapped[i] = f.apply(paths.get(i), (T) flat.leaves().get(i));
      } catch (ClassCastException e) {
        throw leafFailure("Tree.mapWithPath", tree, i, e);
      }
    }
    return (R) unflatten(flat.def(), java.util.Arrays.asList(mapped));
  }

  /** JAX's {@code tree_reduce}: folds {@code f} over the leaves in flatten order, starting from {@code initial}. */
  @SuppressWarnings("unchecked")
  public static <T, A> A reduce(BiFunction<A, ? super T, A> f, Object tree, A initial) {
    Objects.requireNonNull(f, "f is null");
    A acc = initial;
    List<Object> leaves = leaves(tree);
    for (int i = 0; i < leaves.size(); i++) {
      try {
        acc = f.apply(acc, (T) leaves.get(i));
      } catch (ClassCastException e) {
        throw leafFailure("Tree.reduce", tree, i, e);
      }
    }
    return acc;
  }

  /**
   * JAX's {@code tree_transpose(outer, inner, tree)}: a tree of structure {@code outer} whose leaves
   * are trees of structure {@code inner} becomes a tree of structure {@code inner} whose leaves are
   * trees of structure {@code outer} (e.g. a list of per-example records into a record of lists).
   */
  @SuppressWarnings("unchecked")
  public static <R> R transpose(TreeDef outer, TreeDef inner, Object tree) {
    Objects.requireNonNull(outer, "outer is null");
    Objects.requireNonNull(inner, "inner is null");
    List<Object> subtrees = flattenUpTo(outer, tree);
    int no = outer.numLeaves(), ni = inner.numLeaves();
    var columns = new Object[ni][no];
    for (int o = 0; o < no; o++) {
      Flat f = flatten(subtrees.get(o));
      checkSameStructure("Tree.transpose: the subtree at " + outer.leafPaths().get(o).describe() + " vs inner", inner, f.def());
      for (int i = 0; i < ni; i++) columns[i][o] = f.leaves().get(i);
    }
    var leaves = new Object[ni];
    for (int i = 0; i < ni; i++) leaves[i] = unflatten(outer, java.util.Arrays.asList(columns[i]));
    return (R) unflatten(inner, java.util.Arrays.asList(leaves));
  }

  /** JAX's {@code keystr}: a key path printed as JAX prints it ({@code ['params']['Dense_0']['kernel']}, {@code [0].w}). */
  public static String keystr(KeyPath path) {
    return path.keystr();
  }

  // ---- partition and combine (Equinox) ----

  /** Splits the leaves by {@code isDynamic}; see {@link Partition}. */
  public static Partition partition(Object tree, Predicate<Object> isDynamic) {
    Flat flat = flatten(tree);
    int n = flat.leaves().size();
    var dynamic = new Object[n];
    var statics = new Object[n];
    for (int i = 0; i < n; i++) {
      Object leaf = flat.leaves().get(i);
      if (isDynamic.test(leaf)) dynamic[i] = leaf;
      else statics[i] = leaf;
    }
    return new Partition(flat.def(), Walks.unmodifiable(dynamic), Walks.unmodifiable(statics));
  }

  /** Inverse of {@link #partition}: at each position takes the non-null leaf. */
  public static Object combine(Partition p) {
    return combine(p.def(), p.dynamic(), p.statics());
  }

  /** Rebuilds from two aligned leaf lists, taking {@code dynamic}'s leaf unless it is null. */
  public static Object combine(TreeDef def, List<?> dynamic, List<?> statics) {
    if (dynamic.size() != statics.size()) {
      throw new TreeStructureError("Tree.combine: " + dynamic.size() + " dynamic leaves but " + statics.size() + " static leaves");
    }
    var leaves = new Object[dynamic.size()];
    for (int i = 0; i < leaves.length; i++) leaves[i] = dynamic.get(i) != null ? dynamic.get(i) : statics.get(i);
    return unflatten(def, java.util.Arrays.asList(leaves));
  }

  // ---- registration ----

  /**
   * Makes {@code type} (and its subclasses, unless a more specific registration exists) a pytree
   * node. Registrations take precedence over the built-in node kinds. Thread-safe; registering a
   * class again replaces its earlier registration.
   *
   * <pre>{@code
   * Tree.register(Pair.class,
   *     p -> new Tree.Children(List.of(p.left(), p.right()), List.of("left", "right"), null),
   *     (meta, kids) -> new Pair(kids.get(0), kids.get(1)));
   * }</pre>
   */
  public static <T> void register(Class<T> type, Function<? super T, Children> flatten,
                                  BiFunction<Object, List<Object>, ? extends T> unflatten) {
    Registry.register(Objects.requireNonNull(type, "type is null"), new Nodes.User<>(type,
        Objects.requireNonNull(flatten, "flatten is null"), Objects.requireNonNull(unflatten, "unflatten is null")));
  }

  /** Registers a hand-written node type for {@code type} and its subclasses. */
  public static void register(Class<?> type, NodeType node) {
    Registry.register(Objects.requireNonNull(type, "type is null"), Objects.requireNonNull(node, "node is null"));
  }

  /** Makes {@code type} and its subclasses leaves (the run-time form of {@link Leaf}). */
  public static void registerLeaf(Class<?> type) {
    register(type, NodeType.LEAF);
  }

  /** The node type {@code value} flattens as ({@link NodeType#LEAF} for leaves). */
  public static NodeType nodeType(Object value) {
    return Registry.of(value);
  }

  private static ClassCastException leafFailure(String context, Object tree, int index, ClassCastException e) {
    String where = "a leaf";
    try {
      var flat = flatten(tree);
      if (index >= 0 && index < flat.leaves().size()) {
        Object leaf = flat.leaves().get(index);
        where = "the leaf at " + flat.def().leafPaths().get(index).describe() + " (" + (leaf == null ? "null" : leaf.getClass().getName()) + ")";
      }
    } catch (RuntimeException ignored) {
      // the original failure is more useful than one from describing it
    }
    var wrapped = new ClassCastException(context + ": the function failed on " + where + ": " + e.getMessage());
    wrapped.initCause(e);
    return wrapped;
  }
}
