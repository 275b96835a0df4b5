package io.jax4j.optim;

import io.jax4j.Array;
import io.jax4j.tree.Tree;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Comparison helpers: |actual - expected| <= atol + rtol * |expected|, element by element. */
final class Checks {
    private Checks() {}

    static void close(String what, double expected, double actual, double rtol, double atol) {
        if (!(Math.abs(actual - expected) <= atol + rtol * Math.abs(expected))) {
            fail(what + ": expected " + expected + " but got " + actual + " (rtol " + rtol + ", atol " + atol + ")");
        }
    }

    static void close(String what, Array expected, Array actual, double rtol, double atol) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        for (int i = 0; i < e.length; i++) close(what + "[" + i + "]", e[i], a[i], rtol, atol);
    }

    /** Trees of equal structure whose array leaves are close (dtypes equal). */
    static void treesClose(String what, Object expected, Object actual, double rtol, double atol) {
        assertEquals(Tree.structure(expected), Tree.structure(actual), what + ": tree structure");
        List<Tree.PathLeaf> e = Tree.flattenWithPath(expected), a = Tree.flattenWithPath(actual);
        for (int i = 0; i < e.size(); i++) {
            Object x = e.get(i).leaf(), y = a.get(i).leaf();
            String at = what + " at " + e.get(i).path();
            if (x instanceof Array ex && y instanceof Array ay) {
                assertEquals(ex.dtype(), ay.dtype(), at + ": dtype");
                close(at, ex, ay, rtol, atol);
            } else assertEquals(x, y, at);
        }
    }
}
