package io.jax4j.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.vavr.Tuple;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Key paths and @Static record components. */
class TreePathTest {

  private record Dense(@Static int features, String kernel, String bias) {}

  private record Layer(String w, String b) {}

  private record Model(List<Layer> layers, @Static String activation) {}

  private record Shaped(@Static int[] shape, Object value) {}

  private static List<String> paths(Object tree) {
    var out = new java.util.ArrayList<String>();
    for (var pl : Tree.flattenWithPath(tree)) out.add(pl.path().toString());
    return out;
  }

  @Test void mapKeysPrintAsAttributesWithoutALeadingDot() {
    var variables = Map.of("params", Map.of("Dense_0", Map.of("kernel", "K", "bias", "B")));
    assertEquals(List.of("params.Dense_0.bias", "params.Dense_0.kernel"), paths(variables));
    var pl = Tree.flattenWithPath(variables).get(1);
    assertEquals("K", pl.leaf());
  }

  @Test void sequenceIndicesAndRecordComponents() {
    var model = new Model(List.of(new Layer("w0", "b0"), new Layer("w1", "b1"), new Layer("w2", "b2")), "relu");
    assertEquals(List.of("layers[0].w", "layers[0].b", "layers[1].w", "layers[1].b", "layers[2].w", "layers[2].b"),
        paths(model));
    assertEquals(List.of("[0]", "[1].x", "[1].y[0]"),
        paths(Tuple.of(1, io.vavr.collection.HashMap.of("x", 2, "y", io.vavr.collection.Vector.of(3)))));
    assertEquals(List.of(""), paths(42));
    assertEquals(List.of("[1]", "[2]"), paths(Map.of(2, "b", 1, "a")));
  }

  @Test void keyPathValue() {
    var p = KeyPath.of(new KeyEntry.MapKey("params"), new KeyEntry.IndexKey(2), new KeyEntry.FieldKey("w"));
    assertEquals("params[2].w", p.toString());
    assertEquals(p, KeyPath.ROOT.append(new KeyEntry.MapKey("params")).append(KeyEntry.IndexKey.of(2)).append(new KeyEntry.FieldKey("w")));
    assertEquals("", KeyPath.ROOT.toString());
  }

  @Test void staticComponentsAreMetadataNotLeaves() {
    var d = new Dense(4, "K", "B");
    var flat = Tree.flatten(d);
    assertEquals(List.of("K", "B"), flat.leaves());
    assertEquals(List.of("kernel", "bias"), paths(d));
    assertEquals(new Dense(4, "k2", "b2"), Tree.unflatten(flat.def(), List.of("k2", "b2")));
    assertEquals("TreeDef(Dense(features=4, kernel=*, bias=*))", flat.def().toString());
    assertEquals("Dense[features=4]", flat.def().describe());
  }

  @Test void staticComponentsTakePartInTreeDefEquality() {
    assertEquals(Tree.structure(new Dense(4, "a", "b")), Tree.structure(new Dense(4, "c", "d")));
    assertEquals(Tree.structure(new Dense(4, "a", "b")).hashCode(), Tree.structure(new Dense(4, "c", "d")).hashCode());
    assertNotEquals(Tree.structure(new Dense(4, "a", "b")), Tree.structure(new Dense(8, "a", "b")));
    var m = new Model(List.of(), "relu");
    assertNotEquals(Tree.structure(m), Tree.structure(new Model(List.of(), "gelu")));
    assertEquals("relu", ((Model) Tree.map(x -> x, m)).activation());
  }

  @Test void arrayValuedStaticsCompareDeeply() {
    assertEquals(Tree.structure(new Shaped(new int[] {2, 3}, 1.0)), Tree.structure(new Shaped(new int[] {2, 3}, 2.0)));
    assertNotEquals(Tree.structure(new Shaped(new int[] {2, 3}, 1.0)), Tree.structure(new Shaped(new int[] {3, 2}, 1.0)));
    assertEquals("TreeDef(Shaped(shape=[2, 3], value=*))", Tree.structure(new Shaped(new int[] {2, 3}, 1.0)).toString());
  }

  @Test void leafPathsMatchFlattenOrder() {
    var tree = Map.of("b", List.of(1, 2), "a", new Layer("w", "b"));
    assertEquals(List.of("a.w", "a.b", "b[0]", "b[1]"),
        Tree.structure(tree).leafPaths().stream().map(KeyPath::toString).toList());
  }
}
