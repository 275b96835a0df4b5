package io.jax4j.serialization;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jax4j.fuzz.ParsesOrRefuses;

/**
 * Issue 15, fuzzing: any bytes given to the Flax msgpack reader either decode to a state dict (which
 * encodes again) or are refused with a {@link SerializationException}. Seeds, in
 * {@code FlaxMsgpackFuzzTestInputs/fromBytes/}: files written by {@link FlaxSerialization#toBytes} and
 * {@link FlaxSerialization#msgpackSerialize}, a TrainState written by Flax itself, and the 38-byte
 * shape-overflow input. A plain test run (regression mode) runs the seeds; {@code -Pfuzz} fuzzes.
 */
class FlaxMsgpackFuzzTest {
    @FuzzTest(maxDuration = "15s")
    void fromBytes(byte[] input) {
        ParsesOrRefuses.check("FlaxSerialization.fromBytes", input.length, SerializationException.class, () -> {
            Object stateDict = FlaxSerialization.fromBytes(input);
            FlaxSerialization.fromBytes(FlaxSerialization.msgpackSerialize(stateDict));
        });
    }
}
