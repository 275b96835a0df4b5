/**
 * Checkpoints in Orbax's spirit: a {@link io.jax4j.checkpoint.CheckpointManager} owns a directory of
 * training steps and never loses one.
 *
 * <p>The problem: a training run must be resumable exactly, from a checkpoint that is complete even
 * when the process was killed while writing it, and a restore must never silently load part of a
 * state into a model it does not fit.
 *
 * <p>The data structure, one directory per committed step:
 * <pre>
 * dir/
 *   100/state.msgpack        Flax msgpack of FlaxSerialization.toStateDict(state) (flax.serialization.from_bytes reads it)
 *   100/metadata.json        {"format_version", "step", "time", "metrics", "tree": [{"path", "dtype", "shape"}]}
 *   100/commit_success.txt   the commit marker, written last
 *   200/...
 *   300.tmp-&lt;uuid&gt;/          a save in progress, or the leftover of a killed one: never listed, deleted on open
 *                            by the writer (only this exact name pattern; nothing else in dir is ever deleted)
 *   writer.lock              "pid N": the one process whose manager writes here (a dead pid's lock is taken over)
 * </pre>
 *
 * <p>The invariants:
 * <ul>
 *   <li>a step is listed only after its files were fsynced in a temporary directory that was then
 *       renamed atomically to {@code dir/<step>} (and {@code dir} fsynced);</li>
 *   <li>old steps are deleted by the keep policies only after a newer step has committed, and the
 *       latest step is never deleted;</li>
 *   <li>a restore is strict: the target's structure, shapes and dtypes must match the saved state dict
 *       exactly, or the error names the key path; structure changes are explicit transforms.</li>
 * </ul>
 */
package io.jax4j.checkpoint;
