/**
 * The interpreter core, after autodidax: {@link io.jax4j.core.Primitive}s carrying all their rules,
 * {@link io.jax4j.core.Trace}s that interpret them, and the tracers those traces own.
 *
 * <p>The current trace lives in a {@link java.lang.ScopedValue}; {@code bind} dispatches to it. A
 * trace evaluates its rules in its parent's context, so transformations nest in any order, and it
 * unwraps only its own tracers: anything else is a constant to it (no perturbation confusion). The
 * traces here are {@link io.jax4j.core.EvalTrace} (eager, reference implementations),
 * {@link io.jax4j.core.StagingTrace} (jaxpr building and, in partial-evaluation mode, linearize) and
 * {@link io.jax4j.core.BatchTrace} (vmap). {@link io.jax4j.core.JitFunction} is the jit front end:
 * trace once per key (input structure, avals, static leaves), then call the {@code pjit} primitive,
 * whose eager implementation compiles through the {@link io.jax4j.spi.Backend} in use.
 *
 * <p>Invariants: arrays are immutable; tracers never outlive their trace (reported by
 * {@link io.jax4j.core.Tracer.EscapedTracerError}); every rule is pure.
 */
package io.jax4j.core;
