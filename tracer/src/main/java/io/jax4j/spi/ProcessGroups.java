package io.jax4j.spi;

import java.util.Objects;

/**
 * The process group of this JVM: {@link ProcessGroup#SINGLE} until a distributed runtime
 * ({@code io.jax4j.distributed.Distributed.initialize()}) installs its own, once.
 */
public final class ProcessGroups {
    private ProcessGroups() {}

    private static volatile ProcessGroup current = ProcessGroup.SINGLE;

    /** The group collectives across processes use. */
    public static ProcessGroup current() { return current; }

    /** Installs {@code group} (a distributed runtime's, at its initialisation); a second different group is an error. */
    public static synchronized void install(ProcessGroup group) {
        Objects.requireNonNull(group, "group");
        if (current != ProcessGroup.SINGLE && current != group) {
            throw new IllegalStateException("the process group is set already (" + current.describe() + "); initialise the distributed runtime once");
        }
        current = group;
    }
}
