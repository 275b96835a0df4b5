package io.jax4j.xla.cuda;

import io.jax4j.DType;
import io.jax4j.core.Jax4jException;
import io.jax4j.spi.ProcessGroup;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * NCCL ({@code libnccl.so.2}) through FFM: the all-reduce of a pmap axis that spans processes, run
 * on the device's stream between device buffers (so it stays inside the step's CUDA graph), one GPU
 * per process. The communicator is made at the first collective: process 0's
 * {@code ncclGetUniqueId} reaches the others through the process group (MPI), then every process
 * calls {@code ncclCommInitRank}; a single process gets a communicator of one, and the real NCCL
 * calls still run.
 */
final class Nccl {
    /** ncclUniqueId: 128 bytes, passed by value. */
    static final StructLayout UNIQUE_ID = MemoryLayout.structLayout(MemoryLayout.sequenceLayout(128, JAVA_BYTE).withName("internal"));
    static final int SUM = 0, MAX = 2, MIN = 3;
    static final int INT32 = 2, UINT32 = 3, FLOAT32 = 7, FLOAT64 = 8;

    private final MethodHandle getUniqueId, commInitRank, allReduce, errorString;
    final CudaErrors.Api api;
    private final MemorySegment comm;
    final int ranks, rank;

    Nccl(java.nio.file.Path dir, ProcessGroup group) {
        Ffm lib = Ffm.open(dir, "libnccl.so.2", "libnccl.so");
        getUniqueId = lib.fn("ncclGetUniqueId", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        commInitRank = lib.fn("ncclCommInitRank", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, UNIQUE_ID, JAVA_INT));
        allReduce = lib.fn("ncclAllReduce", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
        errorString = lib.fn("ncclGetErrorString", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        api = new CudaErrors.Api("NCCL", s -> null, this::text);
        ranks = group.processCount();
        rank = group.processIndex();
        Arena g = Arena.global();
        MemorySegment id = g.allocate(UNIQUE_ID);
        try {
            if (rank == 0) CudaErrors.check((int) getUniqueId.invokeExact(id), api, "ncclGetUniqueId", "making the NCCL communicator");
            if (ranks > 1) {   // process 0's id to everyone
                MemorySegment all = g.allocate(UNIQUE_ID.byteSize() * ranks);
                group.allGather(id, all, UNIQUE_ID.byteSize());
                id.copyFrom(all.asSlice(0, UNIQUE_ID.byteSize()));
            }
            MemorySegment c = g.allocate(ADDRESS);
            CudaErrors.check((int) commInitRank.invokeExact(c, ranks, id, rank), api, "ncclCommInitRank",
                    "making the NCCL communicator of " + ranks + " process(es) (" + group.describe() + ")");
            comm = c.get(ADDRESS, 0);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private String text(int status) {
        try {
            return Ffm.string((MemorySegment) errorString.invokeExact(status));
        } catch (Throwable t) {
            return null;
        }
    }

    /** {@code ncclAllReduce(in, out, count, type, op, comm, stream)}, queued on {@code stream}. */
    void allReduce(long in, long out, long count, DType dtype, String op, MemorySegment stream, String context) {
        int type = switch (dtype) {
            case F32 -> FLOAT32;
            case F64 -> FLOAT64;
            case I32 -> INT32;
            case U32 -> UINT32;
            default -> throw new Jax4jException("cuda backend: an NCCL all-reduce of " + dtype.name().toLowerCase() + " is not supported "
                    + "(float32, float64, int32, uint32 are); cast first, while " + context);
        };
        int o = switch (op) {
            case "sum" -> SUM;
            case "max" -> MAX;
            case "min" -> MIN;
            default -> throw new IllegalArgumentException("all-reduce op " + op);
        };
        try {
            CudaErrors.check((int) allReduce.invokeExact(in, out, count, type, o, comm, stream), api, "ncclAllReduce", context);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
