package io.jax4j.prims;

/** Reference implementations of special functions the JDK lacks, in double precision. */
final class SpecialFunctions {
    private SpecialFunctions() {}

    /** erf by its Taylor series below |x| = 3 (error ~1e-14), by erfc's asymptotic bound above. */
    static double erf(double x) {
        if (Double.isNaN(x)) return x;
        if (Double.isInfinite(x)) return Math.signum(x);
        double a = Math.abs(x);
        if (a < 3) {
            double term = x, sum = x, x2 = x * x;
            for (int n = 1; n < 200; n++) {
                term *= -x2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
            }
            return 2 / Math.sqrt(Math.PI) * sum;
        }
        return Math.copySign(1 - erfcLarge(a), x);
    }

    /** erfc for x >= 3 by its continued fraction (Lentz), relative error ~1e-15. */
    private static double erfcLarge(double x) {
        // erfc(x) = exp(-x²)/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + 2/(x + ...)))))
        double f = x, c = x, d = 0, tiny = 1e-300;
        for (int k = 1; k < 300; k++) {
            double ak = k / 2.0;
            d = x + ak * d;
            d = d == 0 ? tiny : d;
            c = x + ak / c;
            c = c == 0 ? tiny : c;
            d = 1 / d;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1) < 1e-16) break;
        }
        return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
    }
}
