package io.jax4j.xla.cuda;

import io.jax4j.core.Jax4jException;

import java.util.function.IntFunction;

/**
 * The one place a native status becomes an exception. {@link #check} names the library, the call,
 * the status's native name and message, and the context (the executable and the kernel or GEMM that
 * failed); {@link #compileError} adds the compiler log and the numbered source.
 */
public final class CudaErrors {
    private CudaErrors() {}

    /** How one library names its statuses (the driver's cuGetErrorName/cuGetErrorString, nvrtcGetErrorString, cublasGetStatusName). */
    public record Api(String library, IntFunction<String> name, IntFunction<String> message) {}

    /** Throws unless {@code status} is 0 (success in the driver, NVRTC and cuBLAS alike). */
    public static void check(int status, Api api, String call, String context) {
        if (status != 0) throw new Jax4jException(message(status, api, call, context));
    }

    public static String message(int status, Api api, String call, String context) {
        String name = safe(api.name(), status), msg = safe(api.message(), status);
        StringBuilder sb = new StringBuilder("cuda backend: ").append(call).append(" failed with ");
        sb.append(name != null ? name : api.library() + " status").append(" (").append(status).append(')');
        if (msg != null && !msg.equals(name)) sb.append(": ").append(msg);
        if (context != null && !context.isEmpty()) sb.append("\n  while ").append(context);
        return sb.toString();
    }

    private static String safe(IntFunction<String> f, int status) {
        try {
            return f == null ? null : f.apply(status);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** A compile failure: the status, the options, the compiler's log and the source with line numbers. */
    public static Jax4jException compileError(String status, String program, java.util.List<String> options, String log, String source) {
        StringBuilder sb = new StringBuilder("cuda backend: NVRTC could not compile the kernels of ").append(program)
                .append(": ").append(status).append("\n  options: ").append(String.join(" ", options)).append("\n  log:\n");
        for (String l : log.strip().split("\n")) sb.append("    ").append(l).append('\n');
        String[] lines = source.split("\n", -1);
        for (int i = 0; i < lines.length; i++) sb.append(String.format("%5d  %s%n", i + 1, lines[i]));
        return new Jax4jException(sb.toString());
    }
}
