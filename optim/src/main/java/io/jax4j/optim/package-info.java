/**
 * Optax in Java.
 *
 * <h2>The problem</h2>
 * Training code needs optimizers that are pure functions, so a whole step (gradients, optimizer
 * update, parameter update) can be traced once and run under {@code jit}, and whose state can be
 * saved and restored in the layout Optax uses.
 *
 * <h2>The data structure</h2>
 * A {@link io.jax4j.optim.GradientTransformation} is an {@code (init, update)} pair over pytrees;
 * its state is an immutable record (a pytree node) such as {@link io.jax4j.optim.ScaleByAdamState}
 * {@code (count, mu, nu)}, or a {@code List} for {@code chain}. Named optimizers are chains:
 * {@code adam = chain(scaleByAdam(...), scaleByLearningRate(lr))}. A
 * {@link io.jax4j.optim.Schedule} is a pure function of the int32 step.
 * <pre>{@code
 * var tx = Optim.adam(1e-3);
 * Object state = tx.init(params);
 * var r = tx.update(grads, state, params);
 * params = Optim.applyUpdates(params, r.updates());
 * state = r.state();
 * }</pre>
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>Formulas, defaults and operation order are Optax 0.2's; step counters are int32 scalars,
 *       incremented with {@code safe_int32_increment} before bias correction.</li>
 *   <li>State record components are Optax's field names in camelCase ({@code innerStates} is
 *       {@code inner_states}); {@link io.jax4j.optim.EmptyState} and
 *       {@link io.jax4j.optim.MaskedNode} are empty nodes, as in Optax.</li>
 *   <li>No {@code lax.cond} in the transformations of fixed cost: conditional steps
 *       ({@code applyIfFinite}, {@code MultiSteps}) compute both branches and select, which is equal
 *       in value and traceable. The exception is L-BFGS's zoom line search, whose number of objective
 *       evaluations varies: as in Optax it is a {@code lax.while_loop} over {@code lax.cond}s, so it
 *       still traces (and jits) as one program; it differentiates the objective passed as
 *       {@code value_fn}, which is why this module reads {@code io.jax4j.autodiff}.</li>
 *   <li>{@link io.jax4j.optim.Losses} are Optax's losses, per example; {@code ctc_loss} is one
 *       {@code lax.scan} over the frames.</li>
 * </ul>
 */
package io.jax4j.optim;
