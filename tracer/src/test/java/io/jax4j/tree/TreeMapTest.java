package io.jax4j.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vavr.Tuple;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** map over one and several trees, typed helpers, mismatch errors, partition/combine. */
class TreeMapTest {

  private record Params(Map<String, Object> dense, List<Double> layers) {}

  private record Scaled(double value, @Static String unit) {}

  private static void assertMessage(Throwable e, String... phrases) {
    for (String p : phrases) assertTrue(e.getMessage().contains(p), () -> "expected '" + p + "' in: " + e.getMessage());
  }

  @Test void mapAppliesToEveryLeafAndKeepsStructure() {
    var tree = Map.of("a", List.of(1, 2), "b", Tuple.of(3, Optional.of(4)), "c", Arrays.asList((Object) null));
    Object doubled = Tree.map((Integer x) -> x * 2, tree);
    assertEquals(Map.of("a", List.of(2, 4), "b", Tuple.of(6, Optional.of(8)), "c", Arrays.asList((Object) null)), doubled);
    assertEquals(new Scaled(3.0, "m"), Tree.map((Double x) -> x + 1, new Scaled(2.0, "m")));
  }

  @Test void mapWithMethodReferenceInfersTheLeafType() {
    Object lengths = Tree.map(String::length, List.of("ab", "cde"));
    assertEquals(List.of(2, 3), lengths);
  }

  @Test void mapFailureOnAWrongLeafTypeNamesThePath() {
    var e = assertThrows(ClassCastException.class,
        () -> Tree.map(String::length, Map.of("params", List.of("ok", 7))));
    assertMessage(e, "Tree.map", "params[1]", "java.lang.Integer");
  }

  @Test void multiTreeMap() {
    var a = new Params(Map.of("w", 1.0, "b", 2.0), List.of(3.0));
    var b = new Params(Map.of("w", 10.0, "b", 20.0), List.of(30.0));
    Object sum = Tree.map2((Double x, Double y) -> x + y, a, b);
    assertEquals(new Params(Map.of("w", 11.0, "b", 22.0), List.of(33.0)), sum);
    Object three = Tree.map(xs -> (Double) xs.get(0) + (Double) xs.get(1) + (Double) xs.get(2), a, b, b);
    assertEquals(new Params(Map.of("w", 21.0, "b", 42.0), List.of(63.0)), three);
  }

  @Test void firstTreeMayBeAPrefix() {
    // As in JAX (and optax masks): a leaf of the first tree matches a whole subtree of the others.
    var mask = Map.of("enc", true, "dec", false);
    var params = Map.of("enc", List.of(1, 2), "dec", List.of(3));
    Object picked = Tree.map2((Boolean m, Object p) -> m ? p : null, mask, params);
    var expected = new java.util.HashMap<String, Object>();
    expected.put("enc", List.of(1, 2));
    expected.put("dec", null);
    assertEquals(expected, picked);
    assertEquals(List.of(List.of(1, 2), List.of(3)), Tree.flattenUpTo(Tree.structure(Map.of("a", 0, "b", 0)), Map.of("a", List.of(1, 2), "b", List.of(3))));
  }

  @Test void mismatchedMapKeysNameThePathAndBothKeySets() {
    var a = Map.of("params", Map.of("Dense_0", Map.of("kernel", 1, "bias", 2)));
    var b = Map.of("params", Map.of("Dense_0", Map.of("kernel", 1)));
    var e = assertThrows(TreeStructureError.class, () -> Tree.map2((Object x, Object y) -> x, a, b));
    assertMessage(e, "tree structure mismatch at params.Dense_0: {bias, kernel} vs {kernel}");
    assertEquals("params.Dense_0", e.path().toString());
  }

  @Test void mismatchedListLengthsNameThePathAndBothLengths() {
    var a = Map.of("layers", List.of(List.of(1), List.of(2), List.of(3, 4, 5)));
    var b = Map.of("layers", List.of(List.of(1), List.of(2), List.of(3, 4)));
    var e = assertThrows(TreeStructureError.class, () -> Tree.map2((Object x, Object y) -> x, a, b));
    assertMessage(e, "at layers[2]: list of 3 vs list of 2");
  }

  @Test void mismatchedKindsAndLeavesAndStatics() {
    var e1 = assertThrows(TreeStructureError.class,
        () -> Tree.map2((Object x, Object y) -> x, List.of(1, 2), io.vavr.collection.Vector.of(1, 2)));
    assertMessage(e1, "at the root: list of 2 vs Vector of 2");
    var e2 = assertThrows(TreeStructureError.class,
        () -> Tree.map2((Object x, Object y) -> x, Map.of("a", List.of(1)), Map.of("a", 5)));
    assertMessage(e2, "at a: list of 1 vs a leaf of type java.lang.Integer");
    var e3 = assertThrows(TreeStructureError.class,
        () -> Tree.map2((Object x, Object y) -> x, List.of(new Scaled(1, "m")), List.of(new Scaled(1, "s"))));
    assertMessage(e3, "at [0]: Scaled[unit=m] vs Scaled[unit=s]");
    var e4 = assertThrows(TreeStructureError.class,
        () -> Tree.map(xs -> xs.get(0), List.of(1), List.of(1), Tuple.of(1)));
    assertMessage(e4, "tree 0 vs tree 2", "list of 1 vs Tuple1");
  }

  @Test void checkSameStructureComparesTreeDefs() {
    TreeDef a = Tree.structure(Map.of("x", List.of(1, 2)));
    Tree.checkSameStructure("jit", a, Tree.structure(Map.of("x", List.of(3, 4))));
    var e = assertThrows(TreeStructureError.class,
        () -> Tree.checkSameStructure("jit", a, Tree.structure(Map.of("x", List.of(3)))));
    assertMessage(e, "jit: tree structure mismatch at x: list of 2 vs list of 1");
  }

  @Test void typedLeafHelpers() {
    var tree = Map.of("a", 1, "b", List.of("s", 2.5, 3), "c", new Scaled(4.0, "m"));
    assertEquals(List.of(1, 3), Tree.leavesOfType(tree, Integer.class));
    assertEquals(List.of(2.5, 4.0), Tree.leavesOfType(tree, Double.class));
    Object negated = Tree.mapLeavesOfType(Integer.class, x -> -x, tree);
    assertEquals(Map.of("a", -1, "b", List.of("s", 2.5, -3), "c", new Scaled(4.0, "m")), negated);
  }

  @Test void partitionAndCombine() {
    var tree = Map.of("w", 1.5, "name", "dense", "sizes", List.of(2.5, 3));
    var p = Tree.partition(tree, x -> x instanceof Double);
    // Leaves by sorted key: name, sizes[0], sizes[1], w; each lands in exactly one list.
    assertEquals(Arrays.asList(null, 2.5, null, 1.5), p.dynamic());
    assertEquals(Arrays.asList("dense", null, 3, null), p.statics());
    assertEquals(tree, Tree.combine(p));
    Object replaced = Tree.combine(p.def(), Arrays.asList(null, -1.0, null, -2.0), p.statics());
    assertEquals(Map.of("w", -2.0, "name", "dense", "sizes", List.of(-1.0, 3)), replaced);
  }

  @Test void rebuildingARecordWithAWrongComponentTypeNamesTheComponent() {
    var e = assertThrows(IllegalArgumentException.class, () -> Tree.map(x -> "text", new Scaled(1.0, "m")));
    assertMessage(e, "Scaled", "component value has type double", "java.lang.String");
  }

  @Test void nullSubtreesMapToNull() {
    assertNull(Tree.map(x -> x, null));
  }
}
