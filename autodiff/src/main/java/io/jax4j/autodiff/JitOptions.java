package io.jax4j.autodiff;

import java.util.Set;

/**
 * Options of {@code jit}: a name (for debug output and errors) and the argument numbers whose buffers
 * are donated (JAX's {@code donate_argnums}): the caller gives them up and must not use them again.
 */
public record JitOptions(String name, Set<Integer> donateArgnums) {
    public static JitOptions donate(Integer... argnums) { return new JitOptions(null, Set.of(argnums)); }

    public static JitOptions named(String name) { return new JitOptions(name, Set.of()); }

    public JitOptions withName(String n) { return new JitOptions(n, donateArgnums); }
}
