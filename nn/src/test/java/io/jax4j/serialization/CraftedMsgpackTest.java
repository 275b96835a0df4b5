package io.jax4j.serialization;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 15: crafted msgpack is a SerializationException with a clear message, never an OutOfMemoryError or StackOverflowError. */
class CraftedMsgpackTest {
    static SerializationException refused(String hex) { return refused(HexFormat.of().parseHex(hex)); }

    /** The exception; an OutOfMemoryError or StackOverflowError (which JUnit would let end the whole run) fails the test. */
    static SerializationException refused(byte[] bytes) {
        try {
            FlaxSerialization.fromBytes(bytes);
        } catch (SerializationException e) {
            return e;
        } catch (OutOfMemoryError | StackOverflowError e) {
            fail("FlaxSerialization.fromBytes of " + bytes.length + " crafted bytes: " + e);
        }
        return fail("FlaxSerialization.fromBytes accepted " + bytes.length + " crafted bytes");
    }

    static void assertMessage(Exception e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "'" + p + "' not in: " + e.getMessage());
    }

    @Test
    void lengthsAreBoundedByTheBytesLeft() {
        // {"k": ndarray ext whose shape list claims 2^31 - 1 dimensions}: 12 bytes
        var dims = refused("81a16bc70601" + "93dd7fffffff");
        assertMessage(dims, "FlaxSerialization.fromBytes", "the array at k", "2147483647 dimensions", "truncated or corrupt");
        // a list, a map, a string, a bin and an ext claiming far more than the input holds
        assertMessage(refused("dd7fffffff00000000000000"), "at the root", "array claims 2147483647 entries", "bytes are left");
        assertMessage(refused("df7fffffff00000000000000"), "map claims 2147483647 entries");
        assertMessage(refused("81a16bdb7fffffff000000"), "at k", "string claims 2147483647 bytes");
        assertMessage(refused("81a16bc67fffffff000000"), "bin claims 2147483647 bytes");
        assertMessage(refused("81a16bc97fffffff01000000"), "extension claims 2147483647 bytes");
        assertMessage(refused("81a16bc70f01" + "9390a7666c6f61743332db7fffffff"), "the array at k", "claims 2147483647 bytes");
    }

    @Test
    void nestingIsBoundedByADepthLimit() {
        var deep = new ByteArrayOutputStream();
        for (int i = 0; i < 100_000; i++) deep.writeBytes(HexFormat.of().parseHex("81a16b"));   // {"k": {"k": ...
        deep.write(0xc0);
        assertMessage(refused(deep.toByteArray()), "FlaxSerialization.fromBytes", "nest deeper than " + FlaxMsgpack.MAX_DEPTH, "k.k.k");
        var lists = new ByteArrayOutputStream();
        for (int i = 0; i < 100_000; i++) lists.write(0x91);                                      // [[[...
        lists.write(0xc0);
        assertMessage(refused(lists.toByteArray()), "nest deeper than");
    }
}
