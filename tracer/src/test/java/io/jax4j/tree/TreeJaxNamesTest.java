package io.jax4j.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** tree_map typed at the call site, tree_map_with_path, tree_reduce, tree_transpose, keystr. */
class TreeJaxNamesTest {

  private record Point(Integer x, Integer y) {}

  @Test void mapIsTypedByTheCaller() {
    Point doubled = Tree.map((Integer v) -> v * 2, new Point(1, 2));
    assertEquals(new Point(2, 4), doubled);
    Point summed = Tree.map2((Integer a, Integer b) -> a + b, new Point(1, 2), new Point(10, 20));
    assertEquals(new Point(11, 22), summed);
  }

  @Test void mapWithPathSeesEachLeafsPath() {
    var tree = Map.of("params", Map.of("kernel", 3, "bias", 4));
    Map<String, Map<String, Integer>> out = Tree.mapWithPath((KeyPath p, Integer v) -> p.toString().endsWith("bias") ? v : 0, tree);
    assertEquals(Map.of("params", Map.of("kernel", 0, "bias", 4)), out);
  }

  @Test void reduceFoldsInFlattenOrder() {
    assertEquals("0123", Tree.reduce((String acc, Integer v) -> acc + v, List.of(1, new Point(2, 3)), "0"));
  }

  private record Pair(Object a, Object b) {}

  @Test void transposeSwapsOuterAndInnerStructure() {
    List<Pair> perExample = List.of(new Pair(1, 2), new Pair(3, 4), new Pair(5, 6));
    TreeDef outer = Tree.structure(List.of(0, 0, 0));
    TreeDef inner = Tree.structure(new Pair(0, 0));
    Pair columns = Tree.transpose(outer, inner, perExample);
    assertEquals(new Pair(List.of(1, 3, 5), List.of(2, 4, 6)), columns);
    List<Pair> back = Tree.transpose(inner, outer, columns);
    assertEquals(perExample, back);
    var bad = assertThrows(TreeStructureError.class,
        () -> Tree.transpose(outer, inner, List.of(new Pair(1, 2), List.of(1, 2), new Pair(5, 6))));
    assertTrue(bad.getMessage().contains("Tree.transpose: the subtree at [1]"), bad.getMessage());
  }

  @Test void keystrPrintsAsJaxDoes() {
    var variables = Map.of("params", Map.of("Dense_0", Map.of("kernel", "K")));
    assertEquals("['params']['Dense_0']['kernel']", Tree.keystr(Tree.flattenWithPath(variables).getFirst().path()));
    assertEquals("[1].y", Tree.keystr(Tree.flattenWithPath(List.of(new Point(1, 2), new Point(3, 4))).get(3).path()));
    assertEquals("[\"it's\"]", Tree.keystr(KeyPath.of(new KeyEntry.MapKey("it's"))));
    assertEquals("[3]", Tree.keystr(KeyPath.of(new KeyEntry.MapKey(3))));
  }
}
