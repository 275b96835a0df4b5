package io.jax4j.core;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;

/**
 * The typed parameters of a primitive application: a record per primitive (never a string map).
 * Records must have value semantics ({@code equals}/{@code hashCode}), since jit cache keys and CSE
 * compare them. {@link #print} renders them as JAX prints equation params: {@code [axes=(1,)]}.
 */
public interface Params {

    /** The parameters of primitives that have none. */
    Params NONE = new None();

    record None() implements Params {
        @Override
        public String print() { return ""; }
    }

    /** {@code name=value} pairs for the jaxpr printer; empty for no parameters. */
    default String print() {
        if (!getClass().isRecord()) return "";
        List<String> parts = new ArrayList<>();
        for (RecordComponent c : getClass().getRecordComponents()) {
            try {
                var acc = c.getAccessor();
                acc.setAccessible(true);
                parts.add(Names.snake(c.getName()) + "=" + Names.printValue(acc.invoke(this)));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return parts.isEmpty() ? "" : "[" + String.join(" ", parts) + "]";
    }
}
