package io.jax4j.linen;

import io.jax4j.core.Jax4jException;

import java.util.LinkedHashMap;
import java.util.function.Function;

/**
 * A module with its variables (Flax's bound module). {@link #child} takes a submodule held by a record
 * component together with its variables, and {@link #unbind} returns both: the transfer-learning
 * tutorial's {@code clip.bind(vars).vision_model.unbind()}.
 */
public record Bound<M extends Module>(M module, Variables variables) {

    /** The submodule {@code getter(module)} and, from every collection, the subtree under its name. */
    public <S extends Module> Bound<S> child(Function<? super M, S> getter) {
        S sub = getter.apply(module);
        String name = Module.ModuleNames.nameIn(module, sub);
        if (name == null) {
            throw new Jax4jException("bind(...).child: " + sub.getClass().getSimpleName() + " is not a record component of "
                    + module.getClass().getSimpleName() + ", so it has no fixed name; give it an explicit name()");
        }
        LinkedHashMap<String, Object> cols = new LinkedHashMap<>();
        for (var e : variables.entrySet()) {
            Object sub2 = ((Dict) e.getValue()).get(name);
            if (sub2 != null) cols.put(e.getKey(), sub2);
        }
        return new Bound<>(sub, Variables.copyOf(cols));
    }

    /** Flax's {@code unbind()}: the module and its variables, detached. */
    public Bound<M> unbind() { return this; }
}
