package io.jax4j;

import io.jax4j.core.Jax4jException;

import java.util.ArrayList;
import java.util.List;

/**
 * One item of a NumPy/JAX index, what goes between the brackets of {@code x[...]}: a static integer,
 * a slice {@code start:stop:step}, {@code None} (a new unit axis), {@code ...}, or an integer array
 * (advanced indexing; a 0-d array is a traced scalar index).
 *
 * <p>{@link Array#get(Object...)} and {@link Array#at(Object...)} accept these items or their
 * shorthands: an {@code Integer}/{@code Long}, an {@code int[]} (a constant index array), an
 * {@link Array}, or a string in Python's syntax, possibly several separated by commas:
 * {@code x.get(":, 0")} is {@code x[:, 0]}, {@code x.get("::-1", idx)} is {@code x[::-1, idx]},
 * {@code x.get("...", "None")} is {@code x[..., None]}.
 */
public sealed interface Index {

    /** A static integer index; negative counts from the end. */
    record Int(long value) implements Index {
        @Override
        public String toString() { return Long.toString(value); }
    }

    /** {@code start:stop:step}; a null bound is Python's omitted one. */
    record Slice(Integer start, Integer stop, Integer step) implements Index {
        public Slice {
            if (step != null && step == 0) throw new Jax4jException("index: slice step cannot be zero");
        }

        @Override
        public String toString() { return str(start) + ":" + str(stop) + (step == null ? "" : ":" + step); }

        private static String str(Integer v) { return v == null ? "" : v.toString(); }
    }

    /** {@code None} / {@code jnp.newaxis}: a new axis of size 1. */
    record NewAxis() implements Index {
        @Override
        public String toString() { return "None"; }
    }

    /** {@code ...}: as many full slices as the other items leave axes. */
    record Ellipsis() implements Index {
        @Override
        public String toString() { return "..."; }
    }

    /** An integer array of any rank (advanced indexing), or a boolean mask of concrete values. */
    record Dynamic(Array indices) implements Index {
        @Override
        public String toString() { return indices.aval().str(); }
    }

    /** {@code :}, the whole axis. */
    Index ALL = new Slice(null, null, null);
    /** {@code None} ({@code jnp.newaxis}). */
    Index NEW_AXIS = new NewAxis();
    /** {@code ...}. */
    Index ELLIPSIS = new Ellipsis();

    /** {@code start:stop}. */
    static Index slice(Integer start, Integer stop) { return new Slice(start, stop, null); }

    /** {@code start:stop:step}. */
    static Index slice(Integer start, Integer stop, Integer step) { return new Slice(start, stop, step); }

    /**
     * What JAX's {@code mode=} selects for indices out of range. Reading ({@code x[...]},
     * {@code at[...].get()}) clamps by default; updates drop out-of-range updates by default.
     */
    enum Mode {
        /** The caller promises in-range indices; jax4j clamps (as XLA does). */
        PROMISE_IN_BOUNDS,
        /** Indices are clamped into range. */
        CLIP,
        /** Updates at out-of-range indices are skipped. */
        DROP,
        /** Reads at out-of-range indices give the fill value (NaN for floats by default). */
        FILL
    }

    /** The items of an index given as {@link Index} values or their shorthands (see the class comment). */
    static List<Index> of(Object... items) {
        List<Index> out = new ArrayList<>();
        for (Object item : items) {
            switch (item) {
                case null -> out.add(NEW_AXIS);
                case Index i -> out.add(i);
                case Integer i -> out.add(new Int(i));
                case Long l -> out.add(new Int(l));
                case Short s -> out.add(new Int(s));
                case int[] a -> out.add(new Dynamic(Array.of(a)));
                case Array a -> out.add(new Dynamic(a));
                case String s -> out.addAll(parse(s));
                default -> throw new Jax4jException("index: cannot index with " + item.getClass().getSimpleName() + " (" + item
                        + "); use an integer, a slice such as \"1:3\" or Index.slice(1, 3), \"...\", \"None\", an int[] or an integer Array");
            }
        }
        return out;
    }

    /** Python's index syntax: {@code "1:3, ::-1, ..., None, -1"}. */
    static List<Index> parse(String text) {
        List<Index> out = new ArrayList<>();
        for (String raw : text.split(",", -1)) {
            String t = raw.strip();
            try {
                if (t.equals("...") || t.equals("Ellipsis")) out.add(ELLIPSIS);
                else if (t.equals("None") || t.equals("newaxis") || t.equals("np.newaxis") || t.equals("jnp.newaxis")) out.add(NEW_AXIS);
                else if (t.contains(":")) {
                    String[] p = t.split(":", -1);
                    if (p.length > 3) throw new NumberFormatException();
                    out.add(new Slice(bound(p[0]), bound(p[1]), p.length == 3 ? bound(p[2]) : null));
                } else out.add(new Int(Long.parseLong(t)));
            } catch (NumberFormatException e) {
                throw new Jax4jException("index: cannot read '" + t + "' in \"" + text
                        + "\": expected an integer, a slice start:stop:step, '...' or 'None'");
            }
        }
        return out;
    }

    private static Integer bound(String s) {
        String t = s.strip();
        return t.isEmpty() ? null : Integer.valueOf(t);
    }
}
