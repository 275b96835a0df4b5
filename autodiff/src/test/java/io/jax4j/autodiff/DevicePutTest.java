package io.jax4j.autodiff;

import io.jax4j.Array;
import io.jax4j.Device;
import io.jax4j.core.Jax4jException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code devices()} and {@code devicePut} where only host backends are on the class path (the GPU side is tested in xla-lower). */
class DevicePutTest {
    @Test
    void theHostIsAlwaysADevice() {
        assertTrue(Jax.devices().contains(Device.CPU), Jax.devices().toString());
        Array x = Array.of(1f, 2f);
        assertEquals(Device.CPU, x.device());
        assertSame(x, x.blockUntilReady());
    }

    @Test
    void devicePutToTheHostKeepsHostLeavesAndTheTree() {
        Array a = Array.of(1f), b = Array.of(2, 3);
        Map<String, Object> tree = Jax.devicePut(Map.of("a", a, "rest", List.of(b, "static")), Device.CPU);
        assertSame(a, tree.get("a"));
        assertEquals(List.of(b, "static"), tree.get("rest"));
    }

    @Test
    void anUnknownDeviceIsAClearError() {
        var e = assertThrows(Jax4jException.class, () -> Jax.devicePut(Array.of(1f), new Device("cuda", 0)));
        assertTrue(e.getMessage().startsWith("devicePut: no available backend has device cuda:0; the devices here are [cpu:0]"), e.getMessage());
        assertTrue(e.getMessage().contains("jax4j-xla-lower"), e.getMessage());
        var p = assertThrows(IllegalArgumentException.class, () -> Device.parse("cuda:x"));
        assertTrue(p.getMessage().contains("platform:id"), p.getMessage());
    }
}
