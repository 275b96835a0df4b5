package io.jax4j.tree;

/**
 * One step of a {@link KeyPath}: how a node reaches one of its children.
 *
 * <p>Printing follows JAX's {@code keystr} with Flax's attribute style: a map key or a record
 * component prints as {@code .name}, a sequence or tuple position as {@code [2]}.
 */
public sealed interface KeyEntry permits KeyEntry.MapKey, KeyEntry.IndexKey, KeyEntry.FieldKey {

  /** A map key; a String key prints as {@code .name}, any other key as {@code [key]}. */
  record MapKey(Object key) implements KeyEntry {
    public MapKey {
      if (key == null) throw new NullPointerException("key is null");
    }

    @Override public String toString() {
      return key instanceof String s ? "." + s : "[" + key + "]";
    }
  }

  /** A position in a sequence or tuple; prints as {@code [index]}. */
  record IndexKey(int index) implements KeyEntry {
    private static final IndexKey[] SMALL = new IndexKey[64];

    static {
      for (int i = 0; i < SMALL.length; i++) SMALL[i] = new IndexKey(i);
    }

    /** Shared instances for small indices: flatten builds these on every call. */
    public static IndexKey of(int index) {
      return index >= 0 && index < SMALL.length ? SMALL[index] : new IndexKey(index);
    }

    @Override public String toString() {
      return "[" + index + "]";
    }
  }

  /** A record component or a named child of a user node; prints as {@code .name}. */
  record FieldKey(String name) implements KeyEntry {
    public FieldKey {
      if (name == null) throw new NullPointerException("name is null");
    }

    @Override public String toString() {
      return "." + name;
    }
  }
}
