package io.jax4j.internal;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The soft limit that follows the live set: the policy, and what it does to allocations. */
class NativeMemoryLimitTest {
    private static final long MB = 1L << 20;

    @Test
    void theLimitIsGrowthTimesTheLiveSetAtLeastTheFloor() {
        assertEquals(256 * MB, NativeMemory.limitAfter(16 * MB, 256 * MB, 2), "a small live set: the floor");
        assertEquals(600 * MB, NativeMemory.limitAfter(300 * MB, 256 * MB, 2), "a large one: twice it");
        assertEquals(450 * MB, NativeMemory.limitAfter(300 * MB, 256 * MB, 1.5));
        assertEquals(Long.MAX_VALUE, NativeMemory.limitAfter(Long.MAX_VALUE / 2 + 1, 256 * MB, 2), "saturates");
        assertEquals(256 * MB, NativeMemory.limitAfter(0, 256 * MB, 2));
    }

    /**
     * Dropped owners are collected when the limit is reached; the memory held stays under it, and the
     * limit comes back down to the floor (a previous test may have left it high).
     */
    @Test
    void droppedOwnersAreReclaimedAtTheLimit() {
        long block = 8 * MB + 64, before = NativeMemory.reclamations();
        long steps = (NativeMemory.softLimit() + 3 * NativeMemory.FLOOR) / block, worst = 0;
        for (int i = 0; i < steps; i++) {
            NativeMemory.register(new Object(), NativeMemory.allocateUninitialized(block));  // the owner is garbage at once
            worst = Math.max(worst, NativeMemory.liveBytes() + NativeMemory.pooledBytes() - NativeMemory.softLimit());
        }
        long reclaimed = NativeMemory.reclamations() - before;
        assertTrue(reclaimed >= 2, "4 x the floor allocated and dropped: collected " + reclaimed + " times");
        assertTrue(reclaimed <= steps / 4, "collected " + reclaimed + " times for " + steps + " allocations");
        assertTrue(worst <= block, "live + pooled passed the soft limit by " + worst + " bytes");
        assertTrue(NativeMemory.softLimit() < 2 * NativeMemory.FLOOR, "the limit follows the live set down: " + NativeMemory.softLimit());
    }

    /** A live set that grows (nothing to collect) moves the limit up geometrically: a few collections, not one per allocation. */
    @Test
    void aGrowingLiveSetDoublesTheLimitInsteadOfCollectingAgainAndAgain() {
        long block = 16 * MB;  // never touched: malloc'ed address space, not resident memory
        long before = NativeMemory.reclamations();
        List<NativeMemory.Block> held = new ArrayList<>();
        try {
            while (held.size() * block < 4 * NativeMemory.FLOOR) held.add(NativeMemory.allocateUninitialized(block));
            long reclaimed = NativeMemory.reclamations() - before;
            assertTrue(reclaimed <= 4, "a live set growing to 4 x the floor collected " + reclaimed + " times");
            assertTrue(NativeMemory.softLimit() >= NativeMemory.liveBytes(), "the limit follows the live set");
        } finally {
            held.forEach(NativeMemory.Block::free);
        }
    }
}
