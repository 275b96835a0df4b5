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
}
