/**
 * Pytrees: JAX's {@code tree_util} for Java.
 *
 * <h2>The problem</h2>
 * Users write functions over structured values (a record of parameters, a map of collections,
 * a tuple of optimizer states) while every transformation works on a flat list of arrays. This
 * package converts between the two, so that transformations flatten at the edge and work on flat
 * lists inside (STYLE guideline 9). It knows nothing about arrays: a leaf is any object, and the
 * jit layer filters the array leaves itself (with {@link io.jax4j.tree.Tree#partition}).
 *
 * <h2>The data structure</h2>
 * {@code Tree.flatten(tree)} returns the leaves in a canonical order and a
 * {@link io.jax4j.tree.TreeDef}: a record of (node type, static metadata, children, keys).
 * <pre>
 * tree      ::= leaf | null | node
 * node      ::= record | java.util.List | java.util.Map | Optional
 *             | vavr Seq | vavr Map | vavr Tuple0..8 | registered type
 * children  ::= record components in declaration order, minus {@code @Static} ones
 *             | list elements in order | map values by sorted key | the Optional's value
 * metadata  ::= {@code @Static} component values | sorted map keys | the Vavr collection kind
 *             | whatever a registered flatten function returns
 * </pre>
 * Lookup order for a value's node type: a registration for its exact class, the most specific
 * registered supertype, {@link io.jax4j.tree.Leaf @Leaf} types (leaves), records, Vavr, then
 * {@code java.util}; anything else (numbers, strings, enums, lambdas, Java arrays) is a leaf.
 * Each child is reached through a {@link io.jax4j.tree.KeyEntry}; the entries from the root form
 * a {@link io.jax4j.tree.KeyPath}, printed as Flax prints paths: {@code params.Dense_0.kernel},
 * {@code layers[2].w}.
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>{@code unflatten(def, leaves(t))} rebuilds a tree equal in structure to {@code t}; the
 *       containers are rebuilt unmodifiable ({@code java.util}) or persistent (Vavr), records
 *       through their canonical constructor.</li>
 *   <li>Flatten order is deterministic: map keys are sorted (naturally within one key class),
 *       never taken in hash order, so two equal maps always flatten alike.</li>
 *   <li>{@code TreeDef} equality is structural over (node type, metadata, children); keys are
 *       derived from those. A changed {@code @Static} value is a changed structure, hence a new
 *       jit cache entry, exactly like Equinox static fields.</li>
 *   <li>Multi-tree maps follow JAX: the first tree's structure must be a prefix of the others'.
 *       Any mismatch throws {@link io.jax4j.tree.TreeStructureError} naming the first differing
 *       key path and both sub-structures ({@code at params.Dense_0: {bias, kernel} vs {kernel}}).</li>
 *   <li>Registrations are thread-safe and take precedence over the built-in kinds; resolved node
 *       types (and record method handles) are cached per class.</li>
 * </ul>
 */
package io.jax4j.tree;
