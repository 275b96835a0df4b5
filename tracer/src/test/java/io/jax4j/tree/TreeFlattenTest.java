package io.jax4j.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vavr.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Round trips for every node kind, nesting, leaf order and printed structures. */
class TreeFlattenTest {

  private record Dense(float[] kernel, float[] bias) {}

  private record Layer(String name, Object w) {}

  record Point(double x, double y) {}

  /** Flattens, checks the leaves, unflattens and checks the result equals the input. */
  private static void roundTrip(Object tree, List<?> expectedLeaves) {
    var flat = Tree.flatten(tree);
    assertEquals(expectedLeaves, flat.leaves());
    assertEquals(expectedLeaves.size(), flat.def().numLeaves());
    Object rebuilt = Tree.unflatten(flat.def(), flat.leaves());
    assertEquals(tree, rebuilt);
    assertEquals(flat.def(), Tree.structure(rebuilt));
  }

  @Test void leavesAreAnythingThatIsNotANode() {
    for (Object leaf : List.of(1, 2.5f, "s", Thread.State.NEW, new int[] {1}, (Runnable) () -> {}, new Object[] {1, 2})) {
      var flat = Tree.flatten(leaf);
      assertEquals(List.of(leaf), flat.leaves());
      assertEquals(TreeDef.LEAF, flat.def());
      assertEquals(leaf, Tree.unflatten(flat.def(), flat.leaves()));
    }
  }

  @Test void nullIsAnEmptyNode() {
    var flat = Tree.flatten(null);
    assertEquals(List.of(), flat.leaves());
    assertEquals(TreeDef.NONE, flat.def());
    assertEquals(0, flat.def().numLeaves());
    assertNull(Tree.unflatten(flat.def(), List.of()));
    roundTrip(java.util.Arrays.asList(1, null, 2), List.of(1, 2));
  }

  @Test void javaListsRoundTripUnmodifiable() {
    roundTrip(List.of(1, 2, 3), List.of(1, 2, 3));
    roundTrip(new ArrayList<>(List.of("a", List.of("b", "c"))), List.of("a", "b", "c"));
    Object rebuilt = Tree.map(x -> x, new ArrayList<>(List.of(1)));
    assertThrows(UnsupportedOperationException.class, () -> ((List<Object>) rebuilt).add(2));
  }

  @Test void javaMapsFlattenInSortedKeyOrder() {
    var m = new HashMap<String, Object>();
    m.put("zeta", 1);
    m.put("alpha", 2);
    m.put("mid", 3);
    roundTrip(m, List.of(2, 3, 1));
    var rebuilt = (Map<?, ?>) Tree.unflatten(Tree.structure(m), List.of(20, 30, 10));
    assertEquals(List.of("alpha", "mid", "zeta"), List.copyOf(rebuilt.keySet()));
    assertEquals(List.of(20, 30, 10), List.copyOf(rebuilt.values()));
    // The same keys in another Map class or insertion order give the same structure.
    assertEquals(Tree.structure(m), Tree.structure(new TreeMap<>(m)));
    assertEquals(Tree.structure(Map.of(2, "b", 1, "a")).keys().toString(), "[[1], [2]]");
  }

  @Test void recordsFlattenByComponentsAndRebuild() {
    roundTrip(new Point(1, 2), List.of(1.0, 2.0));
    var k = new float[] {1};
    var b = new float[] {2};
    var flat = Tree.flatten(new Dense(k, b));
    assertEquals(2, flat.leaves().size());
    var rebuilt = (Dense) Tree.unflatten(flat.def(), flat.leaves());
    assertTrue(rebuilt.kernel() == k && rebuilt.bias() == b);
  }

  @Test void localRecordsWork() {
    record Local(int a, List<Integer> b) {}
    roundTrip(new Local(1, List.of(2, 3)), List.of(1, 2, 3));
  }

  @Test void optionalHasZeroOrOneChild() {
    roundTrip(Optional.of(5), List.of(5));
    roundTrip(Optional.empty(), List.of());
    assertNotEquals(Tree.structure(Optional.of(5)), Tree.structure(Optional.empty()));
  }

  @Test void vavrSequencesRebuildAsTheirOwnKind() {
    roundTrip(io.vavr.collection.Vector.of(1, 2), List.of(1, 2));
    roundTrip(io.vavr.collection.List.of(1, 2), List.of(1, 2));
    roundTrip(io.vavr.collection.Array.of(1, 2), List.of(1, 2));
    Object q = Tree.map(x -> x, io.vavr.collection.Queue.of(1, 2));
    assertInstanceOf(io.vavr.collection.Vector.class, q);
    assertNotEquals(Tree.structure(io.vavr.collection.Vector.of(1)), Tree.structure(io.vavr.collection.List.of(1)));
    assertNotEquals(Tree.structure(io.vavr.collection.Vector.of(1)), Tree.structure(List.of(1)));
    assertEquals(TreeDef.LEAF, Tree.structure(io.vavr.collection.CharSeq.of("abc")));
  }

  @Test void vavrMapsSortKeysAndKeepTheirKind() {
    var linked = io.vavr.collection.LinkedHashMap.of("b", 1, "a", 2);
    var flat = Tree.flatten(linked);
    assertEquals(List.of(2, 1), flat.leaves());
    Object rebuilt = flat.unflatten();
    assertInstanceOf(io.vavr.collection.LinkedHashMap.class, rebuilt);
    assertEquals(io.vavr.collection.List.of("a", "b"), ((io.vavr.collection.Map<?, ?>) rebuilt).keySet().toList());
    roundTrip(io.vavr.collection.HashMap.of("x", 1, "y", 2), List.of(1, 2));
    roundTrip(io.vavr.collection.TreeMap.of("x", 1, "y", 2), List.of(1, 2));
    assertInstanceOf(io.vavr.collection.TreeMap.class, Tree.map(x -> x, io.vavr.collection.TreeMap.of("x", 1)));
  }

  @Test void vavrTuplesOfEveryArity() {
    roundTrip(Tuple.empty(), List.of());
    roundTrip(Tuple.of(1), List.of(1));
    roundTrip(Tuple.of(1, "two"), List.of(1, "two"));
    roundTrip(Tuple.of(1, 2, 3, 4, 5, 6, 7, 8), List.of(1, 2, 3, 4, 5, 6, 7, 8));
  }

  @Test void deepNestingRoundTrips() {
    var tree = List.of(
        Map.of("layer", new Layer("a", io.vavr.collection.Vector.of(1, 2)), "opt", Optional.of(Tuple.of(3, 4))),
        io.vavr.collection.LinkedHashMap.of("z", new Point(5, 6), "y", List.of()),
        Tuple.of(null, 7));
    // Map values by sorted key: layer before opt, y before z.
    roundTrip(tree, List.of("a", 1, 2, 3, 4, 5.0, 6.0, 7));
  }

  @Test void unflattenCountMismatchNamesBothCounts() {
    TreeDef def = Tree.structure(Map.of("a", 1, "b", List.of(2, 3)));
    var e = assertThrows(TreeStructureError.class, () -> Tree.unflatten(def, List.of(1, 2)));
    assertTrue(e.getMessage().contains("Tree.unflatten"), e.getMessage());
    assertTrue(e.getMessage().contains("{a: *, b: [*, *]}"), e.getMessage());
    assertTrue(e.getMessage().contains("has 3 leaves but 2 leaves were given"), e.getMessage());
    assertInstanceOf(IllegalArgumentException.class, e);
  }

  @Test void treeDefPrintsLikeJax() {
    assertEquals("TreeDef({a: *, b: [*, *]})", Tree.structure(Map.of("b", List.of(1, 2), "a", 0)).toString());
    assertEquals("TreeDef(*)", TreeDef.LEAF.toString());
    assertEquals("TreeDef(null)", TreeDef.NONE.toString());
    assertEquals("TreeDef(Point(x=*, y=*))", Tree.structure(new Point(1, 2)).toString());
    assertEquals("TreeDef((*, Vector(*, *), Optional.empty, LinkedHashMap{k: *}))",
        Tree.structure(Tuple.of(1, io.vavr.collection.Vector.of(2, 3), Optional.empty(),
            io.vavr.collection.LinkedHashMap.of("k", 4))).toString());
  }

  @Test void treeDefIsAUsableCacheKey() {
    var a = Tree.structure(Map.of("w", List.of(1.0, 2.0), "b", new Point(0, 0)));
    var b = Tree.structure(Map.of("b", new Point(9, 9), "w", List.of(3.0, 4.0)));
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    assertNotEquals(a, Tree.structure(Map.of("w", List.of(1.0), "b", new Point(0, 0))));
    var cache = new HashMap<TreeDef, String>();
    cache.put(a, "hit");
    assertEquals("hit", cache.get(b));
  }

  @Test void isLeafPredicateStopsTheDescent() {
    var flat = Tree.flatten(List.of(List.of(1, 2), 3), x -> x instanceof List<?> l && l.size() == 2 && l.get(0).equals(1));
    assertEquals(List.of(List.of(1, 2), 3), flat.leaves());
  }
}
