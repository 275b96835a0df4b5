package io.jax4j.prims;

/**
 * The standard primitive families. Loading a family class defines (and registers) its primitives;
 * {@link #load} loads them all, so that the registry is complete before it is walked.
 */
public final class Primitives {
    private Primitives() {}

    private static final Class<?>[] FAMILIES = {
            Elementwise.class,
            Structural.class,
            Reductions.class,
            LinearAlgebra.class,
            CallPrimitives.class,
            // ---- families added by later work go below, one line each
            RandomPrimitives.class,
            Convolution.class,
            Windows.class,
            Indexing.class,
            Scatter.class,
            Sorting.class,          // sort (also lax.sort_key_val for Random.permutation), scans, reduce_prod
            Decompositions.class,   // cholesky, lu, triangular_solve, qr, eigh, svd (Linalg)
            Collectives.class,      // psum, pmax, pmin, all_gather, ppermute, axis_index over named axes
    };

    public static void load() {
        for (Class<?> c : FAMILIES) {
            try {
                Class.forName(c.getName(), true, c.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
