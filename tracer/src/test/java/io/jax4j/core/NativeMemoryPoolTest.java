package io.jax4j.core;

import io.jax4j.internal.NativeMemory;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Large freed blocks are reused (no fresh mapping, no page faults) and not counted as live. */
class NativeMemoryPoolTest {
    @Test
    void aFreedLargeBlockIsReusedForTheSameSizeAndIsNotLive() {
        long bytes = (3L << 20) + 64;  // a size no other test uses
        NativeMemory.Block a = NativeMemory.allocateUninitialized(bytes);
        long address = a.segment().address();
        long live = NativeMemory.liveBytes(), pooled = NativeMemory.pooledBytes();
        a.free();
        // the cleaner may free (and pool) other tests' garbage concurrently: live only falls, pooled only grows
        assertTrue(NativeMemory.liveBytes() <= live - bytes, "a pooled block is not live");
        assertTrue(NativeMemory.pooledBytes() >= pooled + bytes, "the freed block is pooled");
        NativeMemory.Block b = NativeMemory.allocate(bytes);
        assertEquals(address, b.segment().address(), "the same block comes back");
        for (long i = 0; i < bytes; i += 4096) assertEquals(0, b.segment().get(java.lang.foreign.ValueLayout.JAVA_BYTE, i), "allocate zero-fills");
        b.free();
    }

    @Test
    void aFullPoolMakesRoomForTheNewestSize() {
        long big = 100L << 20;
        NativeMemory.Block[] blocks = new NativeMemory.Block[6];
        for (int i = 0; i < blocks.length; i++) blocks[i] = NativeMemory.allocateUninitialized(big + 4096L * i);
        for (NativeMemory.Block b : blocks) b.free();  // 600 MB: more than the 512 MB pool
        assertTrue(NativeMemory.pooledBytes() <= 512L << 20, "the pool stays within its limit: " + NativeMemory.pooledBytes());
        long newest = big + 4096L * 5;
        NativeMemory.Block again = NativeMemory.allocateUninitialized(newest);
        assertEquals(blocks[5].segment().address(), again.segment().address(), "the most recently freed size is kept");
        again.free();
    }
}
