package io.jax4j.linen;

import io.jax4j.Array;

/** A handle on a variable of a collection, as Flax's {@code Variable}: read with value(), write with set(). */
public final class VariableRef {
    private final Scope scope;
    private final String collection;
    private final String name;

    VariableRef(Scope scope, String collection, String name) {
        this.scope = scope;
        this.collection = collection;
        this.name = name;
    }

    public Array value() { return (Array) scope.getVariable(collection, name); }

    /** Writes the variable; an error naming it when its collection is not mutable. */
    public void set(Array value) { scope.putVariable(collection, name, value); }

    public boolean isMutable() { return scope.isMutableCollection(collection); }

    /** The key path of the variable in the variables, e.g. {@code batch_stats/BatchNorm_0/mean}. */
    public String keyPath() {
        String p = scope.pathText();
        return collection + (p.equals("/") ? "" : p) + "/" + name;
    }

    /**
     * This variable, after checking that it is an array of {@code shape} ({@code what} says where the
     * shape comes from); otherwise a {@link ModuleErrors.ScopeVariableShapeError} naming its key path.
     */
    public VariableRef requireShape(int[] shape, String what) {
        Object v = scope.getVariable(collection, name);
        if (!(v instanceof Array a) || !java.util.Arrays.equals(a.shape(), shape)) {
            String got = v instanceof Array a ? a.aval().str() : v == null ? "null" : v.getClass().getSimpleName();
            throw new ModuleErrors.ScopeVariableShapeError(keyPath(), shape, got, what);
        }
        return this;
    }
}
