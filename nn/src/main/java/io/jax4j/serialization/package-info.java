/**
 * Checkpoint formats shared with the Python ecosystem: Flax's msgpack state dicts
 * ({@link io.jax4j.serialization.FlaxSerialization}) and Hugging Face's safetensors files
 * ({@link io.jax4j.serialization.SafeTensors}).
 *
 * <h2>The problem</h2>
 * A user trains in Flax and resumes in Java, or loads a pretrained PyTorch checkpoint, without a Python
 * step; and a checkpoint written here must load in Python. So both formats are reproduced byte for byte:
 * decoding a file and encoding the result gives the same bytes.
 *
 * <h2>The data model</h2>
 * <pre>
 * stateDict ::= Map&lt;String, stateDict&gt; (encounter order) | Array | Long | Double | Boolean | String
 *             | byte[] | null | List&lt;stateDict&gt;
 * pytree --toStateDict--&gt; stateDict --toBytes--&gt; msgpack bytes --fromBytes--&gt; stateDict
 *        &lt;--fromStateDict(target)-- (strict: same keys, shapes and dtypes as the target)
 * safetensors file &lt;--&gt; Map&lt;String, Array&gt; + Map&lt;String, String&gt; metadata
 * </pre>
 * Records map to their components in snake_case (Flax's Python field names: {@code optState} is
 * {@code opt_state}), lists and tuples to {@code {"0": ..., "1": ...}}, as Flax maps dataclasses and
 * tuples. A node can choose its own layout by implementing
 * {@link io.jax4j.serialization.StateDictNode} (Flax's {@code register_serialization_state}): linen's
 * {@code TrainState} writes its extra record's fields next to {@code step}, {@code params} and
 * {@code opt_state}, as Flax writes a {@code TrainState} subclass. Optax states keep Optax's field
 * names ({@code count}, {@code mu}, {@code nu}, {@code trace}); a chain is a tuple, a field-less
 * {@code EmptyState} an empty map.
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>{@code toBytes(fromBytes(b))} equals {@code b} for every file Flax's {@code to_bytes} writes with
 *       supported dtypes (numpy scalars, ext type 3, come back as arrays, ext type 1).</li>
 *   <li>Restoring is strict: a missing or extra key, or a shape or dtype mismatch, is a
 *       {@link io.jax4j.serialization.SerializationException} naming the key path and both sides, never a
 *       silent partial restore.</li>
 *   <li>A safetensors header is validated completely before any tensor is read: a bad file fails with the
 *       file and tensor named, and nothing is loaded.</li>
 * </ul>
 */
package io.jax4j.serialization;
