package io.jax4j.distributed;

import io.jax4j.DType;
import io.jax4j.core.Jax4jException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.Optional;

/**
 * Open MPI's C API through FFM: the calls a data-parallel run needs ({@code MPI_Init_thread},
 * {@code MPI_Comm_rank/size}, {@code MPI_Allreduce}, {@code MPI_Allgather}, {@code MPI_Barrier},
 * {@code MPI_Finalize}, {@code MPI_Abort}). Open MPI's handles ({@code MPI_COMM_WORLD},
 * {@code MPI_FLOAT}, {@code MPI_SUM}, ...) are the addresses of its predefined objects
 * ({@code ompi_mpi_comm_world}, ...), looked up by name. The library is opened with
 * {@code RTLD_GLOBAL}, as Open MPI's plugins expect of their host; its signal handlers are turned off
 * before {@code MPI_Init} ({@code OMPI_MCA_opal_signal=""}) because the JVM owns SIGSEGV and friends.
 * Errors return (the world communicator gets {@code MPI_ERRORS_RETURN}) and become exceptions that
 * quote {@code MPI_Error_string}.
 */
final class Mpi {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout ADDR = ValueLayout.ADDRESS;
    /** MPI_THREAD_SERIALIZED: any thread may call, one at a time (the calls here are serialised). */
    private static final int THREAD_SERIALIZED = 2;
    private static final List<String> LIBRARIES = List.of("libmpi.so.40", "libmpi.so");

    private final SymbolLookup lib;
    private final String library;
    private final MethodHandle initThread, commRank, commSize, allreduce, allgather, barrier, finalizeCall, abort, errorString,
            setErrhandler, initialized, finalized;
    final MemorySegment world;
    /** The predefined handles the collectives pass, looked up once: reduction ops and datatypes. */
    private final MemorySegment opSum, opMax, opMin, f32, f64, i32, u32, bytes, errorsReturn;

    private Mpi(SymbolLookup lib, String library) {
        this.lib = lib;
        this.library = library;
        initThread = fn("MPI_Init_thread", ADDR, ADDR, INT, ADDR);
        commRank = fn("MPI_Comm_rank", ADDR, ADDR);
        commSize = fn("MPI_Comm_size", ADDR, ADDR);
        allreduce = fn("MPI_Allreduce", ADDR, ADDR, INT, ADDR, ADDR, ADDR);
        allgather = fn("MPI_Allgather", ADDR, INT, ADDR, ADDR, INT, ADDR, ADDR);
        barrier = fn("MPI_Barrier", ADDR);
        finalizeCall = fn("MPI_Finalize");
        abort = fn("MPI_Abort", ADDR, INT);
        errorString = fn("MPI_Error_string", INT, ADDR, ADDR);
        setErrhandler = fn("MPI_Comm_set_errhandler", ADDR, ADDR);
        initialized = fn("MPI_Initialized", ADDR);
        finalized = fn("MPI_Finalized", ADDR);
        world = handle("ompi_mpi_comm_world");
        opSum = handle("ompi_mpi_op_sum");
        opMax = handle("ompi_mpi_op_max");
        opMin = handle("ompi_mpi_op_min");
        f32 = handle("ompi_mpi_float");
        f64 = handle("ompi_mpi_double");
        i32 = handle("ompi_mpi_int32_t");
        u32 = handle("ompi_mpi_uint32_t");
        bytes = handle("ompi_mpi_byte");
        errorsReturn = handle("ompi_mpi_errors_return");
    }

    /**
     * Opens Open MPI's library ({@code libmpi.so.40}, found like any shared library: the loader's path,
     * {@code LD_LIBRARY_PATH}).
     *
     * @throws Jax4jException naming the libraries tried and the Debian package that has them
     */
    static Mpi load() {
        StringBuilder tried = new StringBuilder();
        for (String name : LIBRARIES) {
            try {
                dlopenGlobal(name);
                SymbolLookup lookup = SymbolLookup.libraryLookup(name, Arena.global());
                if (lookup.find("ompi_mpi_comm_world").isEmpty()) {
                    tried.append(name).append(" (not Open MPI: no ompi_mpi_comm_world) ");
                    continue;
                }
                return new Mpi(lookup, name);
            } catch (IllegalArgumentException | UnsatisfiedLinkError e) {
                tried.append(name).append(" (").append(e.getMessage()).append(") ");
            }
        }
        throw new Jax4jException("Distributed: Open MPI's library is not loadable; tried " + tried.toString().trim()
                + ". Install it (Debian/Ubuntu: apt-get install openmpi-bin) and start the processes with mpirun");
    }

    private static void dlopenGlobal(String name) {
        MethodHandle dlopen = LINKER.downcallHandle(LINKER.defaultLookup().find("dlopen").orElseThrow(),
                FunctionDescriptor.of(ADDR, ADDR, INT));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment h = (MemorySegment) dlopen.invokeExact(a.allocateFrom(name), 0x101);   // RTLD_LAZY | RTLD_GLOBAL
            if (h.address() == 0) throw new UnsatisfiedLinkError("dlopen failed");
        } catch (Throwable t) {
            if (t instanceof UnsatisfiedLinkError u) throw u;
            throw new UnsatisfiedLinkError(t.toString());
        }
    }

    private MethodHandle fn(String name, java.lang.foreign.MemoryLayout... args) {
        MemorySegment f = lib.find(name).orElseThrow(() -> new Jax4jException("Distributed: " + library + " has no " + name));
        return LINKER.downcallHandle(f, FunctionDescriptor.of(INT, args));
    }

    private MemorySegment handle(String symbol) {
        Optional<MemorySegment> s = lib.find(symbol);
        return s.orElseThrow(() -> new Jax4jException("Distributed: " + library + " has no " + symbol + " (not Open MPI?)"));
    }

    /** The library's file name, for messages. */
    String library() { return library; }

    /** MPI_Init_thread (serialised threads) unless done; the world communicator returns errors instead of aborting. */
    void init() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment flag = a.allocate(INT);
            check("MPI_Initialized", (int) initialized.invokeExact(flag));
            if (flag.get(INT, 0) == 0) {
                setenv("OMPI_MCA_opal_signal", "");
                MemorySegment provided = a.allocate(INT);
                check("MPI_Init_thread", (int) initThread.invokeExact(MemorySegment.NULL, MemorySegment.NULL, THREAD_SERIALIZED, provided));
            }
            check("MPI_Comm_set_errhandler", (int) setErrhandler.invokeExact(world, errorsReturn));
        } catch (Jax4jException e) {
            throw e;
        } catch (Throwable t) {
            throw new Jax4jException("Distributed: MPI_Init_thread failed: " + t, t);
        }
    }

    private static void setenv(String name, String value) throws Throwable {
        MethodHandle setenv = LINKER.downcallHandle(LINKER.defaultLookup().find("setenv").orElseThrow(), FunctionDescriptor.of(INT, ADDR, ADDR, INT));
        try (Arena a = Arena.ofConfined()) {
            int rc = (int) setenv.invokeExact(a.allocateFrom(name), a.allocateFrom(value), 1);
            if (rc != 0) throw new Jax4jException("Distributed: setenv(" + name + ") failed");
        }
    }

    int rank() { return intOut("MPI_Comm_rank", commRank); }

    int size() { return intOut("MPI_Comm_size", commSize); }

    private int intOut(String what, MethodHandle h) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(INT);
            check(what, (int) h.invokeExact(world, out));
            return out.get(INT, 0);
        } catch (Jax4jException e) {
            throw e;
        } catch (Throwable t) {
            throw new Jax4jException("Distributed: " + what + " failed: " + t, t);
        }
    }

    /** {@code MPI_Allreduce(in, out, count, type(dtype), op, world)}; {@code in == out} is MPI_IN_PLACE. */
    void allReduce(MemorySegment in, MemorySegment out, long count, DType dtype, String op) {
        if (count > Integer.MAX_VALUE) throw new Jax4jException("Distributed: an all-reduce of " + count + " elements is more than MPI's int count");
        MemorySegment type = datatype(dtype, "all-reduce");
        MemorySegment o = switch (op) {
            case "sum" -> opSum;
            case "max" -> opMax;
            case "min" -> opMin;
            default -> throw new IllegalArgumentException("all-reduce op " + op);
        };
        MemorySegment send = in.address() == out.address() ? MemorySegment.ofAddress(1) : in;   // MPI_IN_PLACE is (void *) 1 in Open MPI
        try {
            check("MPI_Allreduce", (int) allreduce.invokeExact(send, out, (int) count, type, o, world));
        } catch (Jax4jException e) {
            throw e;
        } catch (Throwable t) {
            throw new Jax4jException("Distributed: MPI_Allreduce failed: " + t, t);
        }
    }

    /** {@code MPI_Allgather} of {@code count} bytes per process. */
    void allGather(MemorySegment in, MemorySegment out, long count) {
        if (count > Integer.MAX_VALUE) throw new Jax4jException("Distributed: an all-gather of " + count + " bytes per process is more than MPI's int count");
        try {
            check("MPI_Allgather", (int) allgather.invokeExact(in, (int) count, bytes, out, (int) count, bytes, world));
        } catch (Jax4jException e) {
            throw e;
        } catch (Throwable t) {
            throw new Jax4jException("Distributed: MPI_Allgather failed: " + t, t);
        }
    }

    void barrier() {
        try {
            check("MPI_Barrier", (int) barrier.invokeExact(world));
        } catch (Jax4jException e) {
            throw e;
        } catch (Throwable t) {
            throw new Jax4jException("Distributed: MPI_Barrier failed: " + t, t);
        }
    }

    /** MPI_Finalize unless finalised already. */
    void finish() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment flag = a.allocate(INT);
            check("MPI_Finalized", (int) finalized.invokeExact(flag));
            if (flag.get(INT, 0) == 0) check("MPI_Finalize", (int) finalizeCall.invokeExact());
        } catch (Jax4jException e) {
            throw e;
        } catch (Throwable t) {
            throw new Jax4jException("Distributed: MPI_Finalize failed: " + t, t);
        }
    }

    /** MPI_Abort: ends every process of the job with {@code code}. */
    void abortJob(int code) {
        try {
            int ignored = (int) abort.invokeExact(world, code);
        } catch (Throwable t) {
            Runtime.getRuntime().halt(code);
        }
    }

    private MemorySegment datatype(DType d, String what) {
        return switch (d) {
            case F32 -> f32;
            case F64 -> f64;
            case I32 -> i32;
            case U32 -> u32;
            default -> throw new Jax4jException("Distributed: an MPI " + what + " of " + d.name().toLowerCase()
                    + " is not supported (float32, float64, int32, uint32 are); cast first (astype)");
        };
    }

    private void check(String call, int rc) {
        if (rc == 0) return;
        String msg = "error code " + rc;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(1024), len = a.allocate(INT);
            if ((int) errorString.invokeExact(rc, buf, len) == 0) msg = buf.getString(0);
        } catch (Throwable ignored) {
            // keep the code
        }
        throw new Jax4jException("Distributed: " + call + " failed: " + msg);
    }
}
