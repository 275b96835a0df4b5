/**
 * Flax linen in Java: modules as values of hyper-parameters, variables in named collections, rng streams
 * derived exactly as Flax derives them, the layers with Flax's defaults and parameter names,
 * {@link io.jax4j.linen.TrainState} and {@code traverse_util}; lifted transforms ({@link io.jax4j.linen.Lift}:
 * {@code nn.remat}, {@code nn.scan}, {@code nn.vmap}, {@code nn.jit}) run a submodule's call as a pure
 * function of its scope's variables and rng streams under the JAX transformation, stacking or sharing
 * collections and splitting streams per step or entry as Flax does.
 *
 * <h2>The functional core and the module sugar</h2>
 * Underneath is Flax's functional core: a {@link io.jax4j.linen.Scope} is a cursor into the variables
 * (collection name → nested dict by module path, {@code {"params": {"Dense_0": {"kernel": ...}}}}) together
 * with the mutable filter and the rng streams of its path. {@code init} and {@code apply} make a root scope
 * and run the call in it; the scope of the running module is a {@link java.lang.ScopedValue}, so layers
 * reach it through {@link io.jax4j.linen.LinenModule}'s default methods ({@code param}, {@code variable},
 * {@code makeRng}, {@code sow}). A module is a record of hyper-parameters whose call method wraps its body
 * in {@link io.jax4j.linen.LinenModule#compact}: Flax's {@code @nn.compact}. Variables are immutable
 * {@link io.jax4j.linen.Dict}s / {@link io.jax4j.linen.Variables} (Flax's frozen dicts) and pytree nodes,
 * so they pass through {@code jit} and {@code grad}.
 *
 * <h2>Naming</h2>
 * A submodule is named, in order of preference, by its {@code name()} (explicit, as {@code name='query'}),
 * by the record component of the parent that holds it ({@code backbone}; {@code layers_0}, {@code layers_1}
 * for a list component, counting every element), or automatically in call order by class:
 * {@code Dense_0}, {@code Dense_1}, {@code BatchNorm_0}. A name used twice in one scope is a
 * {@link io.jax4j.linen.ModuleErrors.NameInUseError}. When a compact call returns, the scope is rewound
 * (reservations and automatic-name counters cleared, as Flax's {@code scope.rewound()}), so calling the
 * same module instance again shares its parameters.
 *
 * <h2>Rng derivation</h2>
 * Each stream ({@code params}, {@code dropout}, ...) is Flax's {@code LazyRng}: the root key plus a
 * suffix of the module path names; the n-th {@code makeRng(stream)} in a scope folds in
 * {@code uint32(sha1(path..., n)[:4])} ({@code fold_in}, threefry). Streams missing at apply time fall back
 * to {@code params} when it is given, else {@code makeRng} fails with "Dropout needs an rng stream named
 * 'dropout': pass rngs=...". So {@code init(Random.key(0), ...)} gives Flax's parameters and
 * {@code Apply.rngs("dropout", key)} Flax's dropout masks, bit for bit.
 *
 * <h2>The mutable filter</h2>
 * {@code init} makes every collection mutable and returns them all. {@code apply} makes none mutable
 * unless asked ({@link io.jax4j.linen.Apply#mutable}, {@link io.jax4j.linen.Apply#mutableAll}); the
 * mutable collections come back in {@link io.jax4j.linen.Applied#updates()}, and writing an immutable one
 * ({@code batch_stats} in training without {@code mutable}) is a
 * {@link io.jax4j.linen.ModuleErrors.ModifyScopeVariableError} naming the collection, the variable and
 * the module path. {@code sow} writes only when its collection is mutable.
 *
 * <h2>Layers</h2>
 * {@link io.jax4j.linen.Dense}, {@link io.jax4j.linen.DenseGeneral}, {@link io.jax4j.linen.Conv},
 * {@link io.jax4j.linen.ConvTranspose}, {@link io.jax4j.linen.Embed}, {@link io.jax4j.linen.BatchNorm},
 * {@link io.jax4j.linen.LayerNorm}, {@link io.jax4j.linen.GroupNorm}, {@link io.jax4j.linen.RMSNorm},
 * {@link io.jax4j.linen.Dropout}, {@link io.jax4j.linen.MultiHeadDotProductAttention},
 * {@link io.jax4j.linen.SelfAttention} (with the functions of {@link io.jax4j.linen.Attention}),
 * {@link io.jax4j.linen.Sequential}. Pooling and activations are the functions of
 * {@code io.jax4j.Pooling} and {@code io.jax4j.Nn}, as in Flax ({@code nn.avg_pool}, {@code nn.relu}).
 * Bound modules: {@code model.bind(variables).child(Model::backbone).unbind()}.
 */
package io.jax4j.linen;
