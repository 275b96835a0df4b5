package io.jax4j.spi;

import io.jax4j.core.Jax4jException;
import io.jax4j.core.ReferenceBackend;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Finds the backends on the class path and picks the default: the one named by the system property
 * {@code jax4j.backend} or the environment variable {@code JAX4J_BACKEND}, else the available one of
 * highest priority.
 */
public final class Backends {
    private static volatile List<Backend> all;
    private static volatile Backend selected;

    private Backends() {}

    public static List<Backend> all() {
        if (all == null) {
            synchronized (Backends.class) {
                if (all == null) {
                    List<Backend> found = new ArrayList<>();
                    found.add(ReferenceBackend.INSTANCE);
                    for (Backend b : ServiceLoader.load(Backend.class, Backends.class.getClassLoader())) found.add(b);
                    found.sort(Comparator.comparingInt(Backend::priority).reversed());
                    all = List.copyOf(found);
                }
            }
        }
        return all;
    }

    /** The backend of that name, available or not, or null when none is on the class path. */
    public static Backend byNameOrNull(String name) {
        for (Backend b : all()) if (b.name().equals(name)) return b;
        return null;
    }

    public static Backend byName(String name) {
        for (Backend b : all()) {
            if (b.name().equals(name)) {
                if (!b.isAvailable()) throw new Jax4jException("backend '" + name + "' is not available here: " + b.unavailableReason());
                return b;
            }
        }
        throw new Jax4jException("unknown backend '" + name + "': known backends are "
                + all().stream().map(Backend::name).toList());
    }

    /** Said once when no native backend is on the class or module path at all (a project that depends on jax4j-nn alone). */
    static final String ONLY_REFERENCE = "jit runs on the reference interpreter, the slow oracle: no native backend is on the class or module "
            + "path. Depend on io.jax4j:jax4j (everything) or add io.jax4j:jax4j-xla-lower for the cpu (generated C + OpenBLAS) and cuda backends";

    /**
     * The default backend for jit: {@code -Djax4j.backend} / {@code $JAX4J_BACKEND} when set, else the
     * available backend of highest priority ({@code jax4j info} lists them and why any is unavailable).
     */
    public static Backend current() {
        Backend b = selected;
        if (b != null) return b;
        synchronized (Backends.class) {
            if (selected == null) {
                String requested = System.getProperty("jax4j.backend", System.getenv("JAX4J_BACKEND"));
                if (requested != null && !requested.isBlank()) selected = byName(requested.trim());
                else {
                    selected = all().stream().filter(Backend::isAvailable).findFirst().orElse(ReferenceBackend.INSTANCE);
                    if (all().size() == 1) {
                        System.getLogger("io.jax4j").log(System.Logger.Level.WARNING, ONLY_REFERENCE);
                    }
                }
            }
            return selected;
        }
    }

    /**
     * Makes {@code b} the default backend: one configured in code (a precision, a device), or not
     * found by the service loader. Throws, saying why, when it is not available.
     */
    public static void use(Backend b) {
        if (!b.isAvailable()) throw new Jax4jException("backend '" + b.name() + "' is not available here: " + b.unavailableReason());
        synchronized (Backends.class) {
            selected = b;
        }
    }

    /** Chooses the default backend by name ({@code --backend} on the command line). */
    public static void use(String name) {
        Backend b = byName(name);
        synchronized (Backends.class) {
            selected = b;
        }
    }
}
