package io.jax4j.optim;

/**
 * The state of {@code injectHyperparams} (Optax's {@code InjectStatefulHyperparamsState}): the
 * hyperparameters as arrays, readable and replaceable between steps
 * ({@code state.withHyperparam("learning_rate", x)}), the schedules' states and the inner state.
 */
public record InjectHyperparamsState(io.jax4j.Array count, java.util.Map<String, io.jax4j.Array> hyperparams, java.util.Map<String, WrappedScheduleState> hyperparamsStates, Object innerState) {

    /** A copy with hyperparameter {@code name} replaced (e.g. a new learning rate), as Optax users assign {@code state.hyperparams[name]}. */
    public InjectHyperparamsState withHyperparam(String name, io.jax4j.Array value) {
        if (!hyperparams.containsKey(name)) {
            throw new IllegalArgumentException("withHyperparam: unknown hyperparameter '" + name + "'; known: " + new java.util.TreeSet<>(hyperparams.keySet()));
        }
        var copy = new java.util.TreeMap<>(hyperparams);
        copy.put(name, value.astype(hyperparams.get(name).dtype()));
        return new InjectHyperparamsState(count, java.util.Collections.unmodifiableMap(copy), hyperparamsStates, innerState);
    }
}
