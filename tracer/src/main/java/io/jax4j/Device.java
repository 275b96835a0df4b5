package io.jax4j;

/**
 * Where an array's data lives, as JAX's {@code jax.Device}: {@code cpu:0} (host memory) or
 * {@code cuda:0} (an NVIDIA GPU's memory). {@link Array#device()} says which; printing it gives
 * {@code platform:id}.
 */
public record Device(String platform, int id) {
    /** The host: arrays made in Java, and the outputs of the {@code cpu} and {@code reference} backends. */
    public static final Device CPU = new Device("cpu", 0);

    public Device {
        if (platform == null || platform.isBlank()) throw new IllegalArgumentException("Device: the platform must be named (cpu, cuda)");
        if (id < 0) throw new IllegalArgumentException("Device: id " + id + " is negative");
    }

    /** {@code cpu:0} or {@code cuda:0}. */
    public static Device parse(String s) {
        String t = s.trim();
        int colon = t.indexOf(':');
        try {
            return colon < 0 ? new Device(t, 0) : new Device(t.substring(0, colon), Integer.parseInt(t.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Device.parse: '" + s + "' is not of the form platform:id (cpu:0, cuda:0)");
        }
    }

    @Override
    public String toString() { return platform + ":" + id; }
}
