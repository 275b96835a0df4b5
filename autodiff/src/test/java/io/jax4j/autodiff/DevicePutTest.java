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
    void virtualHostDevicesAreListedAndShareTheHostsMemory() {   // the build runs tests with -Djax4j.cpuDevices=4
        assertEquals(List.of(Device.CPU, new Device("cpu", 1), new Device("cpu", 2), new Device("cpu", 3)), Jax.localDevices());
        assertEquals(4, Jax.localDeviceCount());
        assertEquals(4, Jax.deviceCount());
        assertEquals(0, Jax.processIndex());
        assertEquals(1, Jax.processCount());
        Array a = Array.of(1f, 2f);
        assertSame(a, Jax.devicePut(a, new Device("cpu", 2)), "a virtual host device holds host arrays as they are");
        var e = assertThrows(Jax4jException.class, () -> Jax.devicePut(a, new Device("cpu", 4)));
        assertTrue(e.getMessage().contains("cpu:4"), e.getMessage());
    }

    @Test
    void anUnknownDeviceIsAClearError() {
        var e = assertThrows(Jax4jException.class, () -> Jax.devicePut(Array.of(1f), new Device("cuda", 0)));
        assertTrue(e.getMessage().startsWith("devicePut: no available backend has device cuda:0; the devices here are [cpu:0, cpu:1, cpu:2, cpu:3]"), e.getMessage());
        assertTrue(e.getMessage().contains("jax4j-xla-lower"), e.getMessage());
        var p = assertThrows(IllegalArgumentException.class, () -> Device.parse("cuda:x"));
        assertTrue(p.getMessage().contains("platform:id"), p.getMessage());
    }
}
