package io.jax4j.xla;

import io.jax4j.ir.Jaxpr;

import java.util.function.Function;

/** A jaxpr-to-jaxpr rewrite; passes compose with {@link #andThen(Pass)} like Class-File transforms. */
@FunctionalInterface
public interface Pass extends Function<Jaxpr, Jaxpr> {
    default Pass andThen(Pass next) { return j -> next.apply(apply(j)); }
}
