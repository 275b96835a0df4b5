package io.jax4j.serialization;

import java.util.Map;
import java.util.SequencedMap;

/**
 * A pytree node that lays out its own Flax state dict: Flax's {@code register_serialization_state}.
 * The node names its children; {@link FlaxSerialization#toStateDict} converts each child in turn,
 * and {@link FlaxSerialization#fromStateDict} restores each child into the target's child of that
 * name (strictly: the state dict must have exactly these keys) and hands the restored children to
 * {@link #withStateDictChildren}.
 *
 * <pre>{@code
 * // linen's TrainState: Flax's subclass layout, the extra record's fields next to step and params
 * public SequencedMap<String, Object> stateDictChildren() {
 *     var out = new LinkedHashMap<String, Object>();
 *     out.put("step", step); out.put("params", params); out.put("opt_state", optState);
 *     out.putAll(StateDictNode.recordFields(extra));              // "batch_stats", "key"
 *     return out;
 * }
 * public TrainState<E> withStateDictChildren(Map<String, Object> c) {
 *     return new TrainState<>((Array) c.get("step"), applyFn, (Dict) c.get("params"), tx, c.get("opt_state"),
 *             StateDictNode.withRecordFields(extra, c));
 * }
 * }</pre>
 * Only the serialization layout changes: as a pytree (jit, grad, {@code Tree.map}) the node is what
 * it always was.
 */
public interface StateDictNode {

    /**
     * The state-dict children of this node, in the order they are written, by their state-dict keys;
     * each value is itself converted by {@code toStateDict}, and on restore serves as the target of its key.
     */
    SequencedMap<String, Object> stateDictChildren();

    /**
     * A node of this one's structure holding {@code children}: the restored values under exactly the
     * keys of {@link #stateDictChildren()} (this node is the restore target; its static parts are kept).
     */
    Object withStateDictChildren(Map<String, Object> children);

    /**
     * The state-dict fields of a record, as Flax names a dataclass's fields: its non-{@code @Static}
     * components, snake_case ({@code batchStats} is {@code batch_stats}), in declaration order, with
     * their (unconverted) values.
     */
    static SequencedMap<String, Object> recordFields(Record record) {
        return StateDicts.recordFields(record);
    }

    /**
     * {@code record} with its state-dict fields replaced by {@code values} (keyed as
     * {@link #recordFields} names them; every field must be present, other keys are ignored), its
     * {@code @Static} components kept.
     */
    @SuppressWarnings("unchecked")
    static <R extends Record> R withRecordFields(R record, Map<String, ?> values) {
        return (R) StateDicts.withRecordFields(record, values);
    }
}
