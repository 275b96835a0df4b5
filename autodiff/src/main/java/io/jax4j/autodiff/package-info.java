/**
 * JAX's transformations for Java: the facade {@link io.jax4j.autodiff.Jax} ({@code jit}, {@code grad},
 * {@code valueAndGrad}, {@code valueAndGradWithAux}, {@code jvp}, {@code vjp}, {@code linearize},
 * {@code vmap}, {@code jacfwd}, {@code jacrev}, {@code hessian}, {@code makeJaxpr}) and
 * {@link io.jax4j.autodiff.ControlFlow} ({@code cond}, {@code switchCase}, {@code scan},
 * {@code foriLoop}, {@code whileLoop}, {@code customJvp}, {@code customVjp}, {@code checkpoint}).
 *
 * <p>Autodiff is JAX's, after autodidax: forward mode is a {@code JvpTrace} whose tracers carry a
 * primal and a tangent (symbolically zero until an input reaches it), using each primitive's JVP
 * rule. {@code linearize} runs the JVP under a partial-evaluation trace
 * ({@link io.jax4j.core.StagingTrace} in partial mode): primal work, whose inputs are all known,
 * runs right away; tangent work is staged into a linear jaxpr whose constants are the residuals.
 * {@code vjp} transposes that jaxpr equation by equation with the primitives' transpose rules
 * ({@code Transpose}); {@code grad} is {@code vjp} with a unit cotangent. Every step binds on the
 * current trace, so any composition works: {@code grad(grad(f))}, {@code jit(grad(f))},
 * {@code grad(jit(f))}, {@code vmap(grad(f))}.
 *
 * <p>{@code valueAndGradWithAux(f)} is JAX's {@code value_and_grad(f, has_aux=True)}: {@code f}
 * returns {@code HasAux.of(value, aux)}; the call returns the value, the aux (not differentiated)
 * and the gradient in the argument's structure. Gradients are taken with respect to the
 * floating-point array leaves; an integer array leaf is an error naming its key path.
 *
 * <p>Several devices: {@code pmap} and {@code shardMap} (over a {@link io.jax4j.autodiff.Mesh} with
 * {@link io.jax4j.autodiff.PartitionSpec}s) map replicas as named batch axes, with collectives over
 * the names; {@link io.jax4j.autodiff.NamedSharding} with {@code Jax.devicePut} lays arrays out over a
 * mesh of devices ({@code Jax.makeMesh}), and {@code jit} places its outputs by its
 * {@code outShardings} or by propagating the inputs' specs through the program ({@code Shardings}).
 */
package io.jax4j.autodiff;
