package io.jax4j.spi;

import java.util.ServiceLoader;

/** The {@link NativeLinalg} provider, looked up once, and the per-thread switch to the reference implementations. */
final class NativeLinalgLookup {
    private NativeLinalgLookup() {}

    static final ThreadLocal<Boolean> REFERENCE_ONLY = ThreadLocal.withInitial(() -> false);
    static final NativeLinalg CURRENT = find();

    private static NativeLinalg find() {
        if ("reference".equals(System.getProperty("jax4j.linalg"))) return null;
        try {
            for (NativeLinalg p : ServiceLoader.load(NativeLinalg.class, NativeLinalg.class.getClassLoader())) return p;
        } catch (java.util.ServiceConfigurationError e) {
            System.getLogger("io.jax4j").log(System.Logger.Level.WARNING, "no native linear algebra (" + e.getMessage()
                    + "): the factorizations run their Java reference implementation");
        }
        return null;
    }
}
