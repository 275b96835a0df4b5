package io.jax4j.core;

import io.jax4j.Array;
import io.jax4j.internal.NativeMemory;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NativeMemoryTest {
    @Test
    void millionsOfSmallArraysStayBounded() {
        long peak = 0;
        Array acc = Array.zeros(4);
        for (int i = 0; i < 2_000_000; i++) {
            acc = Array.ones(4).mul(0.5f);
            if (i % 100_000 == 0) peak = Math.max(peak, NativeMemory.liveBytes());
        }
        assertEquals(0.5f, acc.toFloatArray()[0]);
        // 2M arrays of 16 bytes = 32 MB allocated in all; the cleaner keeps far fewer alive
        assertTrue(peak < 1L << 30, "live native bytes peaked at " + peak);
    }

    @Test
    void closeFreesAtOnce() {
        ArrayImpl big = (ArrayImpl) Array.zeros(1 << 20);
        // the cleaner may free other garbage concurrently, which only makes the drop larger
        long during = NativeMemory.liveBytes();
        big.close();
        long after = NativeMemory.liveBytes();
        assertTrue(during - after >= 4L << 20, "live bytes " + during + " before close, " + after + " after");
        assertTrue(big.isDeleted());
    }
}
