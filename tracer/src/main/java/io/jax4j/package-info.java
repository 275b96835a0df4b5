/**
 * jax4j's user-facing core: {@link io.jax4j.Array} (immutable n-dimensional arrays on native memory,
 * concrete or traced), {@link io.jax4j.DType} with JAX's promotion lattice and weak types,
 * {@link io.jax4j.ShapedArray} (avals), and the op facades {@link io.jax4j.Lax} (strict, one call per
 * primitive), {@link io.jax4j.Np} (jax.numpy semantics: broadcasting, promotion, axes) and
 * {@link io.jax4j.Linalg} (jnp.linalg and jax.scipy.linalg over the factorization primitives),
 * {@link io.jax4j.Special} (jax.scipy.special), {@link io.jax4j.Random} (jax.random) and
 * {@link io.jax4j.Pooling} (flax.linen's pooling); {@code Lax} also reaches lax's control flow
 * ({@code scan}, {@code cond}, ...) and collectives ({@code psum}, ...).
 *
 * <h2>Glossary (JAX's vocabulary)</h2>
 * <dl>
 * <dt>aval</dt><dd>abstract value: dtype, shape, weak type ({@code f32[3,4]}).</dd>
 * <dt>primitive</dt><dd>an operation with all its rules in one place ({@link io.jax4j.core.Primitive}).</dd>
 * <dt>bind</dt><dd>applying a primitive on the current trace.</dd>
 * <dt>trace / tracer</dt><dd>an interpretation (eager, staging, JVP, batching) and the values it owns.</dd>
 * <dt>jaxpr</dt><dd>the typed IR a function is staged into ({@link io.jax4j.ir.Jaxpr}).</dd>
 * <dt>primal / tangent / cotangent</dt><dd>a value, its forward-mode perturbation, its reverse-mode sensitivity.</dd>
 * <dt>jvp / vjp / linearize / transpose</dt><dd>forward mode; reverse mode; JVP plus partial evaluation;
 * reversing a linear jaxpr.</dd>
 * <dt>literal / consts / residuals</dt><dd>scalars inlined in jaxprs; captured arrays; values the
 * backward pass needs from the forward pass.</dd>
 * <dt>weak type</dt><dd>the type of a Java scalar in an expression: it never widens a strong operand.</dd>
 * <dt>hasAux</dt><dd>a differentiated function returns {@code (value, aux)}; aux is passed through.</dd>
 * </dl>
 */
package io.jax4j;
