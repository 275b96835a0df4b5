package io.jax4j.spi;

import io.jax4j.DType;

import java.lang.foreign.MemorySegment;

/**
 * The processes of one multi-process run and the collectives between them, as a communication
 * engine (MPI on CPUs) provides them: what {@code jax.distributed.initialize} connects. The
 * cross-process collectives ({@code process_allreduce}, {@code process_allgather}) call the group
 * that {@link ProcessGroups#current()} holds; a {@code pmap} axis spans the processes when that
 * group has more than one. Every process must call the same collectives in the same order, as in
 * MPI.
 */
public interface ProcessGroup {
    /** This process's index, {@code 0 .. processCount() - 1} ({@code jax.process_index()}). */
    int processIndex();

    /** The number of processes ({@code jax.process_count()}). */
    int processCount();

    /** What connects the processes, for messages ({@code "MPI (Open MPI 4.1.4), 2 processes"}). */
    String describe();

    /**
     * {@code out[i] = op over processes of in[i]} for {@code count} elements of {@code dtype}
     * ({@code op}: {@code sum}, {@code max} or {@code min}); {@code in} and {@code out} may be one segment.
     */
    void allReduce(MemorySegment in, MemorySegment out, long count, DType dtype, String op);

    /** Every process's {@code bytes} bytes of {@code in}, concatenated in process order into {@code out}. */
    void allGather(MemorySegment in, MemorySegment out, long bytes);

    /** The one process of a single-process run: its collectives copy. */
    ProcessGroup SINGLE = new ProcessGroup() {
        @Override public int processIndex() { return 0; }
        @Override public int processCount() { return 1; }
        @Override public String describe() { return "a single process"; }
        @Override public void allReduce(MemorySegment in, MemorySegment out, long count, DType dtype, String op) {
            if (in.address() != out.address()) out.copyFrom(in.asSlice(0, count * dtype.byteSize()));
        }
        @Override public void allGather(MemorySegment in, MemorySegment out, long bytes) { out.copyFrom(in.asSlice(0, bytes)); }
    };
}
