package io.jax4j.distributed;

import io.jax4j.DType;
import io.jax4j.core.Jax4jException;
import io.jax4j.spi.ProcessGroup;
import io.jax4j.spi.ProcessGroups;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code jax.distributed}: the processes of one run, started by {@code mpirun -np N}, connected
 * through MPI. After {@link #initialize()}, {@code Jax.processIndex()}/{@code processCount()} say
 * where this process stands, and a {@code Jax.pmap} axis spans every process's replicas, so
 * {@code Lax.pmean(grads, "batch")} inside it averages over all of them:
 * <pre>{@code
 * Distributed.initialize();                        // jax.distributed.initialize()
 * var step = Jax.pmap(trainStep, "batch", ...);    // each process maps its local replicas
 * ...
 * Distributed.shutdown();                          // jax.distributed.shutdown()
 * }</pre>
 * Every process must call the same collectives in the same order. Run with
 * {@code mpirun -np 2 java ...} (as root also {@code --allow-run-as-root}; more processes than
 * cores: {@code --oversubscribe}).
 */
public final class Distributed {
    private Distributed() {}

    private static volatile MpiGroup group;

    /**
     * Connects this process to the others {@code mpirun} started (its environment names the job):
     * {@code MPI_Init}, the rank and size, and the process group that cross-process collectives use.
     * Calling it again returns the same group.
     *
     * @throws Jax4jException when the process was not started by {@code mpirun}, or Open MPI is missing
     */
    public static synchronized ProcessGroup initialize() {
        if (group != null) return group;
        if (System.getenv("OMPI_COMM_WORLD_SIZE") == null && System.getenv("PMIX_RANK") == null) {
            throw new Jax4jException("Distributed.initialize: this process was not started by mpirun (no OMPI_COMM_WORLD_SIZE in its "
                    + "environment); start every process with 'mpirun -np N java ...' (or './jax4j train --processes N'), "
                    + "or leave initialize() out for a single process");
        }
        Mpi mpi = Mpi.load();
        mpi.init();
        MpiGroup g = new MpiGroup(mpi, mpi.rank(), mpi.size());
        ProcessGroups.install(g);
        Runtime.getRuntime().addShutdownHook(new Thread(g::finishWithDeadline, "jax4j-mpi-finalize"));
        group = g;
        return g;
    }

    /**
     * {@link #initialize()}, checked against what the caller expects ({@code jax.distributed.initialize(
     * num_processes=..., process_id=...)}); a mismatch names both.
     */
    public static ProcessGroup initialize(int numProcesses, int processId) {
        ProcessGroup g = initialize();
        if (g.processCount() != numProcesses || g.processIndex() != processId) {
            throw new Jax4jException("Distributed.initialize(numProcesses=" + numProcesses + ", processId=" + processId + "): mpirun started "
                    + g.processCount() + " processes and this is process " + g.processIndex());
        }
        return g;
    }

    /**
     * The command that starts {@code command} as {@code processes} MPI processes on this machine:
     * {@code mpirun -np N --oversubscribe --bind-to none ...} (JVMs use several threads each; binding
     * each process to one core would starve them), with {@code --allow-run-as-root} when this user is root,
     * and unless the environment sets them, {@code OMP_NUM_THREADS}/{@code OPENBLAS_NUM_THREADS} of the
     * cores per process, passive OpenMP waits and MPI waits that yield (processes that spin while
     * their peers compute take the cores those peers need).
     * A {@code java} command goes through {@code env}: Open MPI rewrites the class path of a program
     * named {@code java} for its own Java bindings, which breaks {@code -cp}.
     */
    public static java.util.List<String> mpirunCommand(int processes, java.util.List<String> command) {
        if (processes < 1) throw new IllegalArgumentException("mpirun: " + processes + " processes; give 1 or more");
        java.util.List<String> out = new java.util.ArrayList<>(java.util.List.of("mpirun", "-np", Integer.toString(processes), "--oversubscribe",
                "--bind-to", "none"));
        if ("root".equals(System.getProperty("user.name"))) out.add("--allow-run-as-root");
        // the machine's cores shared out: each process's OpenMP/OpenBLAS threads, idle threads and MPI waits that yield
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / processes);
        for (String var : new String[]{"OMP_NUM_THREADS=" + threads, "OPENBLAS_NUM_THREADS=" + threads, "OMP_WAIT_POLICY=PASSIVE",
                "OMPI_MCA_mpi_yield_when_idle=1"}) {
            if (System.getenv(var.substring(0, var.indexOf('='))) == null) out.addAll(java.util.List.of("-x", var));
        }
        if (!command.isEmpty() && java.nio.file.Path.of(command.getFirst()).getFileName().toString().equals("java")) out.add("env");
        out.addAll(command);
        return out;
    }

    /** Whether {@link #initialize()} has connected this process. */
    public static boolean isInitialized() { return group != null; }

    /** Waits until every process reaches this point ({@code MPI_Barrier}); nothing in a single process. */
    public static void barrier() {
        MpiGroup g = group;
        if (g != null) g.barrier();
    }

    /**
     * {@code jax.distributed.shutdown()}: a barrier, then {@code MPI_Finalize}. At exit it happens by
     * itself, with a deadline (a process whose peers never arrive exits after
     * {@code -Djax4j.collectiveTimeoutSeconds} instead of hanging).
     */
    public static synchronized void shutdown() {
        MpiGroup g = group;
        if (g == null) return;
        g.barrier();
        g.finishWithDeadline();
    }

    /** The MPI world as a {@link ProcessGroup}: calls serialised, each watched by a deadline. */
    static final class MpiGroup implements ProcessGroup {
        private final Mpi mpi;
        private final int rank, size;
        private final long timeoutSeconds = Long.getLong("jax4j.collectiveTimeoutSeconds", 600);
        private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "jax4j-mpi-watchdog");
            t.setDaemon(true);
            return t;
        });
        private final java.util.concurrent.atomic.AtomicBoolean finished = new java.util.concurrent.atomic.AtomicBoolean();

        MpiGroup(Mpi mpi, int rank, int size) {
            this.mpi = mpi;
            this.rank = rank;
            this.size = size;
        }

        @Override public int processIndex() { return rank; }
        @Override public int processCount() { return size; }
        @Override public String describe() { return "MPI (" + mpi.library() + "), process " + rank + " of " + size; }

        /**
         * In pieces of at most {@link #PIECE_BYTES}: Open MPI allocates a temporary buffer of the
         * message's size per call, and glibc maps one above 32 MB afresh each time (its pages faulted
         * in and zeroed on every call: a 64 MB all-reduce measured 0.4 GB/s whole, against 4 GB/s at 16 MB).
         */
        @Override
        public synchronized void allReduce(MemorySegment in, MemorySegment out, long count, DType dtype, String op) {
            long per = PIECE_BYTES / dtype.byteSize(), bytes = dtype.byteSize();
            watched("all-reduce (" + op + ") of " + count + " " + dtype.name().toLowerCase(), () -> {
                for (long at = 0; at < count; at += per) {
                    long n = Math.min(per, count - at);
                    mpi.allReduce(in.asSlice(at * bytes, n * bytes), out.asSlice(at * bytes, n * bytes), n, dtype, op);
                }
            });
        }

        static final long PIECE_BYTES = 8L << 20;

        @Override
        public synchronized void allGather(MemorySegment in, MemorySegment out, long bytes) {
            watched("all-gather of " + bytes + " bytes", () -> mpi.allGather(in, out, bytes));
        }

        synchronized void barrier() { watched("barrier", mpi::barrier); }

        private void watched(String what, Runnable call) {
            if (finished.get()) throw new Jax4jException("Distributed: " + what + " after shutdown (MPI is finalised)");
            ScheduledFuture<?> alarm = watchdog.schedule(() -> {
                System.err.println("[jax4j] process " + rank + " of " + size + ": the MPI " + what + " has waited " + timeoutSeconds
                        + " s for the other processes (one died, or they stopped calling the same collectives); aborting the job"
                        + " (-Djax4j.collectiveTimeoutSeconds sets the wait)");
                mpi.abortJob(3);
            }, timeoutSeconds, TimeUnit.SECONDS);
            try {
                call.run();
            } finally {
                alarm.cancel(false);
            }
        }

        /** MPI_Finalize, given at most the collective timeout; past it the process halts instead of hanging. */
        void finishWithDeadline() {   // not synchronized: a thread stuck in a collective must not stop the exit
            if (!finished.compareAndSet(false, true)) return;
            Thread t = new Thread(mpi::finish, "jax4j-mpi-finalize-call");
            t.setDaemon(true);
            t.start();
            try {
                t.join(TimeUnit.SECONDS.toMillis(Math.min(timeoutSeconds, 60)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                System.err.println("[jax4j] process " + rank + ": MPI_Finalize did not return (the other processes did not reach it); exiting");
                Runtime.getRuntime().halt(4);
            }
            watchdog.shutdownNow();
        }
    }
}
