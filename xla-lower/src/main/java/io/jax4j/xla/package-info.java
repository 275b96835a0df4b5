/**
 * Jaxpr-to-jaxpr passes of the lowering, each a {@link io.jax4j.xla.Pass} composed with
 * {@code andThen}: inlining of nested {@code pjit} calls, dead-code elimination, common-subexpression
 * elimination and algebraic simplification. Every pass returns a jaxpr that
 * {@link io.jax4j.ir.JaxprChecker} accepts, with the same invars and output avals as its input.
 */
package io.jax4j.xla;
