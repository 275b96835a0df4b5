package io.jax4j.autodiff;

import java.util.List;

/**
 * The gradients of {@code grad(f, argnums...)} with several argnums: JAX's tuple, one gradient
 * pytree per argnum in the order the argnums were given. A pytree itself (so optimizers and
 * {@code Tree.map} take it whole).
 *
 * <pre>{@code
 * Gradients g = Jax.grad(loss, 0, 1).apply(params, x);   // grad(loss, argnums=(0, 1))(params, x)
 * Params dParams = g.get(0);
 * Array dx = g.get(1);
 * }</pre>
 */
public record Gradients(List<Object> values) {
    public Gradients {
        values = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(values));
    }

    /** The gradient of the {@code i}-th requested argnum (not the argument number), typed by the caller's variable. */
    @SuppressWarnings("unchecked")
    public <T> T get(int i) {
        if (i < 0 || i >= values.size()) {
            throw new IndexOutOfBoundsException("Gradients.get(" + i + "): there are " + values.size()
                    + " gradients, one per argnum, in the order the argnums were given");
        }
        return (T) values.get(i);
    }

    public int size() { return values.size(); }
}
