package io.jax4j.autodiff;

import java.util.function.Function;

/** JAX's {@code (primals_out, vjp_fn)}: the outputs and the pullback of cotangents to the inputs. */
public record Vjp<A, R>(R primalsOut, Function<R, A> pullback) {
    public A apply(R cotangent) { return pullback.apply(cotangent); }
}
