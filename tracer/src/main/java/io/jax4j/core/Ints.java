package io.jax4j.core;

import java.util.Arrays;

/** An immutable tuple of ints with value semantics, for primitive params (axes, shapes, strides). */
public final class Ints {
    private static final Ints EMPTY = new Ints(new int[0]);
    private final int[] values;

    private Ints(int[] values) { this.values = values; }

    public static Ints of(int... values) { return values.length == 0 ? EMPTY : new Ints(values.clone()); }

    public static Ints range(int n) {
        int[] v = new int[n];
        for (int i = 0; i < n; i++) v[i] = i;
        return new Ints(v);
    }

    public int get(int i) { return values[i]; }

    public int size() { return values.length; }

    public int[] toArray() { return values.clone(); }

    public boolean contains(int v) {
        for (int x : values) if (x == v) return true;
        return false;
    }

    public int indexOf(int v) {
        for (int i = 0; i < values.length; i++) if (values[i] == v) return i;
        return -1;
    }

    @Override
    public boolean equals(Object o) { return o instanceof Ints i && Arrays.equals(values, i.values); }

    @Override
    public int hashCode() { return Arrays.hashCode(values); }

    /** Python tuple syntax: {@code (1, 2)}, {@code (1,)}, {@code ()}. */
    @Override
    public String toString() {
        if (values.length == 1) return "(" + values[0] + ",)";
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < values.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append(values[i]);
        }
        return sb.append(')').toString();
    }
}
