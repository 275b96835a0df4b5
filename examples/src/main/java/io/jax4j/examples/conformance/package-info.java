/**
 * The conformance runner: golden fixture files from the reference Python stack (JAX, Flax, Optax)
 * checked against jax4j, one line per check. {@link io.jax4j.examples.conformance.ConformanceRunner}
 * documents the tolerances; {@link io.jax4j.examples.conformance.CheckSuite} is the interface of a
 * kind of file ({@link io.jax4j.examples.conformance.OpsSuite} for {@code ops_*.json}).
 */
package io.jax4j.examples.conformance;
