package io.jax4j.linen;

import io.jax4j.core.Jax4jException;

import java.util.LinkedHashMap;
import java.util.function.Function;

/**
 * A module with its variables (Flax's bound module). {@link #child} takes a submodule held by a record
 * component together with its variables, and {@link #unbind} returns both: the transfer-learning
 * tutorial's {@code clip.bind(vars).vision_model.unbind()}.
 */
public record Bound<M extends LinenModule>(M module, Variables variables) {

    /**
     * The submodule {@code getter(module)} and, from every collection, the subtree under its name:
     * {@code model.bind(variables).child(Clip::visionModel).unbind()}. The getter may take the module's
     * concrete type ({@code bind} on an interface cannot know it).
     */
    public <P extends M, S extends LinenModule> Bound<S> child(Function<P, S> getter) {
        S sub;
        try {
            @SuppressWarnings("unchecked") P self = (P) module;
            sub = getter.apply(self);
        } catch (ClassCastException e) {
            throw new Jax4jException("bind(...).child: the getter does not apply to the bound " + module.getClass().getSimpleName(), e);
        }
        String name = LinenModule.ModuleNames.nameIn(module, sub);
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

    /** A module bound to its variables, typed by the module's class. */
    public static <M extends LinenModule> Bound<M> of(M module, java.util.Map<String, ?> variables) {
        return new Bound<>(module, variables instanceof Variables v ? v : Variables.copyOf(variables));
    }

    /** Flax's {@code unbind()}: the module and its variables, detached. */
    public Bound<M> unbind() { return this; }
}
