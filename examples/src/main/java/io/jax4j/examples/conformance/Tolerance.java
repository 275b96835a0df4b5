package io.jax4j.examples.conformance;

/**
 * An elementwise bound {@code |actual - expected| <= atol + rtol * |expected|} (NumPy's
 * {@code allclose}); {@link #EXACT} for integers, booleans and PRNG bits. The runner's classes are
 * documented in {@link ConformanceRunner}.
 */
public record Tolerance(double rtol, double atol) {
    public static final Tolerance EXACT = new Tolerance(0, 0);
    /** float32 elementwise results. */
    public static final Tolerance ELEMENTWISE = new Tolerance(1e-5, 1e-6);
    /** float32 matmuls, convolutions and long reductions (sums reordered). */
    public static final Tolerance LONG = new Tolerance(1e-4, 1e-5);

    public boolean isExact() { return rtol == 0 && atol == 0; }

    public String describe() { return isExact() ? "exact" : "atol=" + fmt(atol) + " rtol=" + fmt(rtol); }

    static String fmt(double v) { return String.format(java.util.Locale.ROOT, "%.0e", v).replace("e-0", "e-").replace("e+0", "e"); }
}
