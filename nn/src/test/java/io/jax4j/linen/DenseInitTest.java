package io.jax4j.linen;

import io.jax4j.Array;
import io.jax4j.Random;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class DenseInitTest {
    @Test
    void denseInitMatchesFlax() {
        Dense d = new Dense(4);
        Variables v = d.init(Random.key(0), () -> d.call(Array.ones(1, 3)));
        Array k = (Array) v.get("params").get("kernel");
        System.out.println(v);
        assertArrayEquals(new int[]{3, 4}, k.shape());
    }
}
