package io.jax4j.tree;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A record class as a node: the children are its components in declaration order, except those
 * annotated {@link Static}, whose values form the metadata. Rebuilt through the canonical
 * constructor. The method handles are looked up once per class (see {@link Registry}).
 */
final class RecordNode implements NodeType {

  /** The static component values, compared deeply so that array-valued statics behave. */
  record Statics(Object[] values) {
    @Override public boolean equals(Object o) {
      return o instanceof Statics s && Arrays.deepEquals(values, s.values);
    }

    @Override public int hashCode() {
      return Arrays.deepHashCode(values);
    }

    @Override public String toString() {
      return Nodes.abbreviate(values);
    }
  }

  private static final MethodType GETTER = MethodType.methodType(Object.class, Object.class);

  private final Class<?> type;
  private final RecordComponent[] components;
  private final boolean[] isStatic;
  private final int numStatic;
  private final MethodHandle[] getters;   // (Object) Object
  private final MethodHandle constructor; // (Object[]) Object
  private final List<KeyEntry> keys;

  RecordNode(Class<?> type) {
    this.type = type;
    this.components = type.getRecordComponents();
    int n = components.length;
    this.isStatic = new boolean[n];
    this.getters = new MethodHandle[n];
    var keys = new ArrayList<KeyEntry>();
    var types = new Class<?>[n];
    int statics = 0;
    var lookup = MethodHandles.lookup();
    try {
      for (int i = 0; i < n; i++) {
        RecordComponent c = components[i];
        types[i] = c.getType();
        isStatic[i] = c.isAnnotationPresent(Static.class);
        if (isStatic[i]) statics++;
        else keys.add(new KeyEntry.FieldKey(c.getName()));
        var accessor = c.getAccessor();
        accessor.trySetAccessible();
        getters[i] = lookup.unreflect(accessor).asType(GETTER);
      }
      Constructor<?> ctor = type.getDeclaredConstructor(types);
      ctor.trySetAccessible();
      this.constructor = lookup.unreflectConstructor(ctor)
          .asType(MethodType.methodType(Object.class, objects(n)))
          .asSpreader(Object[].class, n);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalArgumentException("record " + type.getName() + " cannot be used as a pytree node: its "
          + "accessors or canonical constructor are not accessible to io.jax4j.tree (" + e.getMessage()
          + "); make the record public, or on the module path open its package to the jax4j core: "
          + "'opens " + type.getPackageName() + " to io.jax4j.tracer;' in your module-info.java", e);
    }
    this.numStatic = statics;
    this.keys = List.copyOf(keys);
  }

  private static Class<?>[] objects(int n) {
    var a = new Class<?>[n];
    Arrays.fill(a, Object.class);
    return a;
  }

  @Override public String name() {
    return type.getSimpleName();
  }

  @Override public Object flatten(Object node, List<Object> children) {
    Object[] statics = numStatic == 0 ? null : new Object[numStatic];
    int s = 0;
    try {
      for (int i = 0; i < getters.length; i++) {
        Object v = (Object) getters[i].invokeExact(node);
        if (isStatic[i]) statics[s++] = v;
        else children.add(v);
      }
    } catch (Throwable t) {
      throw rethrow(t, "reading the components of " + type.getName());
    }
    return statics == null ? null : new Statics(statics);
  }

  @Override public List<KeyEntry> keys(Object metadata, int arity) {
    return keys;
  }

  @Override public Object unflatten(Object metadata, List<Object> children) {
    Object[] args = new Object[components.length];
    Object[] statics = metadata == null ? null : ((Statics) metadata).values();
    int c = 0, s = 0;
    for (int i = 0; i < args.length; i++) args[i] = isStatic[i] ? statics[s++] : children.get(c++);
    try {
      return (Object) constructor.invokeExact(args);
    } catch (ClassCastException | NullPointerException e) {
      throw new IllegalArgumentException("cannot rebuild record " + type.getName() + ": " + badArgument(args), e);
    } catch (Throwable t) {
      throw rethrow(t, "rebuilding record " + type.getName());
    }
  }

  /** Names the first component whose new value does not fit its declared type. */
  private String badArgument(Object[] args) {
    for (int i = 0; i < args.length; i++) {
      Class<?> want = MethodType.methodType(components[i].getType()).wrap().returnType();
      if (args[i] == null ? components[i].getType().isPrimitive() : !want.isInstance(args[i])) {
        return "component " + components[i].getName() + " has type " + components[i].getType().getSimpleName()
            + " but the new value is " + (args[i] == null ? "null" : "a " + args[i].getClass().getName());
      }
    }
    return "its canonical constructor rejected the new components";
  }

  private static RuntimeException rethrow(Throwable t, String what) {
    if (t instanceof RuntimeException r) return r;
    if (t instanceof Error e) throw e;
    return new IllegalStateException(what + " failed", t);
  }

  @Override public String describe(Object metadata, int arity) {
    return metadata == null ? name() : name() + "[" + staticsText((Statics) metadata) + "]";
  }

  private String staticsText(Statics statics) {
    var sb = new StringBuilder();
    int s = 0;
    for (int i = 0; i < components.length; i++) {
      if (!isStatic[i]) continue;
      if (s > 0) sb.append(", ");
      sb.append(components[i].getName()).append('=').append(Nodes.abbreviate(statics.values()[s++]));
    }
    return sb.toString();
  }

  /** All components in declaration order: {@code Dense(features=4, kernel=*, bias=*)}. */
  @Override public String format(Object metadata, List<KeyEntry> keys, List<String> children) {
    var sb = new StringBuilder(name()).append('(');
    Object[] statics = metadata == null ? null : ((Statics) metadata).values();
    int c = 0, s = 0;
    for (int i = 0; i < components.length; i++) {
      if (i > 0) sb.append(", ");
      sb.append(components[i].getName()).append('=');
      sb.append(isStatic[i] ? Nodes.abbreviate(statics[s++]) : children.get(c++));
    }
    return sb.append(')').toString();
  }

  @Override public boolean equals(Object o) {
    return o instanceof RecordNode r && r.type == type;
  }

  @Override public int hashCode() {
    return type.hashCode();
  }

  @Override public String toString() {
    return "record " + type.getName();
  }
}
