package io.jax4j.examples.conformance;

/**
 * An elementwise bound {@code |actual - expected| <= atol + rtol * |expected|} (NumPy's
 * {@code allclose}); {@link #EXACT} for integers, booleans and PRNG bits; or, when {@code ulps > 0},
 * a float32 result within {@code ulps} units in the last place of the expected value (integers still
 * exact). The runner's classes are documented in {@link ConformanceRunner}.
 */
public record Tolerance(double rtol, double atol, int ulps) {
    public static final Tolerance EXACT = new Tolerance(0, 0);
    /** float32 elementwise results. */
    public static final Tolerance ELEMENTWISE = new Tolerance(1e-5, 1e-6);
    /** float32 matmuls, convolutions and long reductions (sums reordered). */
    public static final Tolerance LONG = new Tolerance(1e-4, 1e-5);

    public Tolerance(double rtol, double atol) { this(rtol, atol, 0); }

    /** Float32 values within {@code n} ulps of the expected ones, integers exact. */
    public static Tolerance ulps(int n) { return new Tolerance(0, 0, n); }

    public boolean isExact() { return rtol == 0 && atol == 0 && ulps == 0; }

    /** Whether a float32 {@code got} is acceptable for {@code expected} under the ulp bound. */
    boolean withinUlps(double expected, double got) {
        float e = (float) expected, g = (float) got;
        if (Float.isNaN(e) || Float.isNaN(g)) return Float.isNaN(e) && Float.isNaN(g);
        if (Float.isInfinite(e) || Float.isInfinite(g)) return e == g;
        return Math.abs(ordered(e) - ordered(g)) <= ulps;
    }

    /** Float bits as a monotone integer scale (so -0 and +0 are adjacent). */
    private static long ordered(float f) {
        int b = Float.floatToRawIntBits(f);
        return b < 0 ? -(long) (b & 0x7fffffff) : b;
    }

    public String describe() {
        if (ulps > 0) return "ulps<=" + ulps;
        return isExact() ? "exact" : "atol=" + fmt(atol) + " rtol=" + fmt(rtol);
    }

    static String fmt(double v) { return String.format(java.util.Locale.ROOT, "%.0e", v).replace("e-0", "e-").replace("e+0", "e"); }
}
