/**
 * Several processes as one run, as {@code jax.distributed}: {@link io.jax4j.distributed.Distributed}
 * connects the processes that {@code mpirun} started (Open MPI, called through FFM by
 * {@link io.jax4j.distributed.Mpi}; no protocol of our own) and installs them as the
 * {@link io.jax4j.spi.ProcessGroup} that cross-process collectives use. After it, a {@code pmap}
 * axis spans every process's replicas: {@code psum}/{@code pmean} inside the mapped function reduce
 * over all of them (a {@code process_allreduce} host op that calls {@code MPI_Allreduce}),
 * {@code axis_index} counts globally, {@code all_gather} and {@code ppermute} reach every replica.
 *
 * <p>Failure: an MPI error is a {@link io.jax4j.core.Jax4jException} naming the call and MPI's
 * message; a collective that waits longer than {@code -Djax4j.collectiveTimeoutSeconds} (600) for
 * its peers (one died or stopped calling the same collectives) prints which one and aborts the job;
 * at exit {@code MPI_Finalize} runs with a deadline, so a process never hangs on its way out.
 */
package io.jax4j.distributed;
