package io.jax4j.autodiff;

import java.util.function.Function;

/**
 * The result of {@code linearize}: JAX's {@code (primals_out, f_jvp)}, the outputs and the linear
 * map from input tangents to output tangents (evaluated without re-running the function).
 */
public record Linearized<A, R>(R primalsOut, Function<A, R> jvpFn) {
    public R apply(A tangents) { return jvpFn.apply(tangents); }
}
