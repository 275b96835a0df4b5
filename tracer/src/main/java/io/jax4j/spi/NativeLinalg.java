package io.jax4j.spi;

import io.jax4j.core.ArrayImpl;
import io.jax4j.core.Params;

import java.util.List;
import java.util.function.Supplier;

/**
 * A native implementation of {@code lax.linalg}'s factorizations ({@code cholesky},
 * {@code triangular_solve}, {@code lu}, {@code qr}, {@code eigh}, {@code svd}): LAPACK on the CPU,
 * as JAX's CPU backend calls it. Their primitives' implementation asks the provider first (so eager
 * calls and the host ops of jitted programs give the same numbers) and falls back to the Java
 * reference implementation where no provider is on the path, where it declines (a dtype it does not
 * handle) or where {@code -Djax4j.linalg=reference} asks for the reference.
 */
public interface NativeLinalg {
    /** The outputs of {@code primitive} on {@code inputs}, in the primitive's layout, or null where this provider does not handle them. */
    List<ArrayImpl> run(String primitive, Params params, List<ArrayImpl> inputs);

    /** A short description for {@code jax4j info}: which library runs the factorizations. */
    String describe();

    /** The provider found on the class or module path (null: none, or not usable here, or the reference asked for). */
    static NativeLinalg current() { return NativeLinalgLookup.CURRENT; }

    /** {@code primitive}'s outputs from the provider where it handles them, else from {@code reference}. */
    static List<ArrayImpl> runOr(String primitive, Params params, List<ArrayImpl> inputs, Supplier<List<ArrayImpl>> reference) {
        NativeLinalg n = NativeLinalgLookup.CURRENT;
        if (n != null && !NativeLinalgLookup.REFERENCE_ONLY.get()) {
            List<ArrayImpl> out = n.run(primitive, params, inputs);
            if (out != null) return out;
        }
        return reference.get();
    }

    /** Runs {@code body} with the reference implementations only (on this thread): the oracle for testing a provider. */
    static <T> T withReference(Supplier<T> body) {
        boolean before = NativeLinalgLookup.REFERENCE_ONLY.get();
        NativeLinalgLookup.REFERENCE_ONLY.set(true);
        try {
            return body.get();
        } finally {
            NativeLinalgLookup.REFERENCE_ONLY.set(before);
        }
    }
}
