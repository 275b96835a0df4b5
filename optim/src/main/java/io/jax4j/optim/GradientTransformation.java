package io.jax4j.optim;

import java.util.Objects;
import java.util.function.Function;

/**
 * Optax's {@code GradientTransformation}: a pair of pure functions over pytrees.
 *
 * <ul>
 *   <li>{@code init(params) -> state}: the initial state, an immutable pytree (records such as
 *       {@link ScaleByAdamState}, lists for {@code chain}).</li>
 *   <li>{@code update(updates, state, params) -> (updates, state)}: transforms the updates (at
 *       first the gradients) and returns the next state; {@code params} may be null for
 *       transformations that do not read them.</li>
 * </ul>
 * Both are traceable, so a whole optimizer step runs unchanged under {@code jit}.
 */
public interface GradientTransformation {

    Object init(Object params);

    Update update(Object updates, Object state, Object params);

    default Update update(Object updates, Object state) { return update(updates, state, null); }

    /**
     * Optax's {@code update(updates, state, params, **extra_args)}: named extra arguments such as
     * {@code value} (the loss, for {@link Optim#reduceOnPlateau}). {@link Optim#chain} passes them
     * to every transformation; one that takes none ignores them (this default).
     */
    default Update update(Object updates, Object state, Object params, java.util.Map<String, ?> extraArgs) {
        return update(updates, state, params);
    }

    /** The result of {@code update}: the transformed updates and the next state (a pytree). */
    record Update(Object updates, Object state) {}

    /** The update function of a transformation. */
    @FunctionalInterface
    interface UpdateFn {
        Update apply(Object updates, Object state, Object params);
    }

    /** A transformation from its two functions. */
    static GradientTransformation of(Function<Object, Object> init, UpdateFn update) {
        Objects.requireNonNull(init, "init is null");
        Objects.requireNonNull(update, "update is null");
        return new GradientTransformation() {
            @Override public Object init(Object params) { return init.apply(params); }
            @Override public Update update(Object updates, Object state, Object params) { return update.apply(updates, state, params); }
        };
    }
}
