package io.jax4j.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** User registration, precedence, @Leaf, and thread safety. Each test uses its own classes. */
class TreeRegistryTest {

  /** A plain class (not a record) that becomes a node once registered. */
  static final class Pair {
    final Object left;
    final Object right;
    final String tag;

    Pair(Object left, Object right, String tag) {
      this.left = left;
      this.right = right;
      this.tag = tag;
    }

    @Override public boolean equals(Object o) {
      return o instanceof Pair p && p.left.equals(left) && p.right.equals(right) && p.tag.equals(tag);
    }

    @Override public int hashCode() {
      return left.hashCode() + right.hashCode() + tag.hashCode();
    }
  }

  interface Shape {}

  static class Box implements Shape {
    final Object content;

    Box(Object content) {
      this.content = content;
    }
  }

  static final class BigBox extends Box {
    BigBox(Object content) {
      super(content);
    }
  }

  @Leaf record Aval(List<Integer> shape, String dtype) {}

  record Opaque(int a, int b) {}

  @Test void registeredClassRoundTripsWithKeysAndMetadata() {
    Tree.register(Pair.class,
        p -> new Tree.Children(List.of(p.left, p.right), List.of("left", "right"), p.tag),
        (tag, kids) -> new Pair(kids.get(0), kids.get(1), (String) tag));
    var tree = Map.of("p", new Pair(1, List.of(2, 3), "t"));
    var flat = Tree.flatten(tree);
    assertEquals(List.of(1, 2, 3), flat.leaves());
    assertEquals(tree, flat.unflatten());
    assertEquals(List.of("p.left", "p.right[0]", "p.right[1]"),
        Tree.flattenWithPath(tree).stream().map(pl -> pl.path().toString()).toList());
    assertEquals("TreeDef({p: Pair[t](left=*, right=[*, *])})", flat.def().toString());
    assertNotEquals(flat.def(), Tree.structure(Map.of("p", new Pair(1, List.of(2, 3), "u"))));
  }

  @Test void mostSpecificRegistrationWins() {
    Tree.register(Shape.class, s -> Tree.Children.of(List.of("shape")), (m, k) -> null);
    Tree.register(Box.class, b -> Tree.Children.of(List.of(b.content)), (m, k) -> new Box(k.get(0)));
    assertEquals(List.of(7), Tree.leaves(new BigBox(7)));        // Box beats Shape
    assertInstanceOf(Box.class, Tree.map(x -> x, new BigBox(7)));
    Tree.register(BigBox.class, b -> Tree.Children.of(List.of(b.content, b.content)), (m, k) -> new BigBox(k.get(0)));
    assertEquals(List.of(7, 7), Tree.leaves(new BigBox(7)));     // registration clears the cache
    assertEquals(List.of(8), Tree.leaves(new Box(8)));
  }

  @Test void leafAnnotationAndRegisterLeafOverrideRecords() {
    var aval = new Aval(List.of(2, 3), "f32");
    assertEquals(List.of(aval), Tree.leaves(List.of(aval)));
    assertEquals(List.of(1, 2), Tree.leaves(new Opaque(1, 2)));
    Tree.registerLeaf(Opaque.class);
    assertEquals(List.of(new Opaque(1, 2)), Tree.leaves(new Opaque(1, 2)));
    assertSame(NodeType.LEAF, Tree.nodeType(new Opaque(1, 2)));
  }

  record Conc(int i, List<Integer> xs) {}

  @Test void concurrentFlattenAndRegisterIsSafe() throws Exception {
    var pool = Executors.newFixedThreadPool(8);
    var start = new CountDownLatch(1);
    var futures = new ArrayList<Future<?>>();
    for (int t = 0; t < 8; t++) {
      int id = t;
      futures.add(pool.submit(() -> {
        start.await();
        for (int i = 0; i < 2000; i++) {
          var tree = Map.of("c", new Conc(i, List.of(id, i)));
          assertEquals(tree, Tree.flatten(tree).unflatten());
          if (id == 0 && i % 500 == 0) Tree.register(Box.class, b -> Tree.Children.of(List.of(b.content)), (m, k) -> new Box(k.get(0)));
        }
        return null;
      }));
    }
    start.countDown();
    for (var f : futures) f.get();
    pool.shutdown();
  }
}
