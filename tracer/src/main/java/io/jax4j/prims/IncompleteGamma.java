package io.jax4j.prims;

/**
 * The regularized lower incomplete gamma function P(a, x) and its derivative in {@code a}, in double
 * precision, for {@code random_gamma_grad}: the derivative of a Gamma(a) sample x with respect to a
 * at a fixed quantile (implicit reparameterization, Figurnov et al. 2018), dx/da = -(∂P/∂a) / (∂P/∂x).
 *
 * <p>As XLA evaluates it: the power series below x = max(1, a) (x ≤ 1 or x < a), Legendre's continued
 * fraction for Q = 1 - P above, each carried with its a-derivative (forward mode through the
 * recurrence). log Γ by Lanczos (g = 7), ψ by recurrence to 10 and the asymptotic series.
 */
final class IncompleteGamma {
    private IncompleteGamma() {}

    private static final double EPS = 0x1p-53;
    private static final int MAX_ITERATIONS = 100_000;   // ~√a terms near the mode; stops at convergence

    /** dx/da of a Gamma(a) sample x at fixed P(a, x); 0 where x is 0 or a density underflows; NaN outside a > 0, x ≥ 0. */
    static double sampleDerivative(double a, double x) {
        if (!(a > 0) || !(x >= 0) || Double.isInfinite(a)) return Double.NaN;
        if (x == 0 || Double.isInfinite(x)) return 0;
        double logDensity = (a - 1) * Math.log(x) - x - logGamma(a);
        double dPda = dPda(a, x);
        double r = -dPda / Math.exp(logDensity);
        return Double.isFinite(r) ? r : 0;
    }

    /** P(a, x), the regularized lower incomplete gamma function. */
    static double p(double a, double x) {
        if (x == 0) return 0;
        return useSeries(a, x) ? series(a, x)[0] : 1 - continuedFraction(a, x)[0];
    }

    /** ∂P(a, x)/∂a. */
    static double dPda(double a, double x) {
        return useSeries(a, x) ? series(a, x)[1] : -continuedFraction(a, x)[1];
    }

    private static boolean useSeries(double a, double x) { return x <= 1 || x < a; }

    /** {P, ∂P/∂a} from P = exp(a ln x - x - lnΓ(a + 1)) Σ x^n / ((a + 1)···(a + n)). */
    private static double[] series(double a, double x) {
        double c = 1, dc = 0, sum = 1, dsum = 0;
        for (int n = 1; n < MAX_ITERATIONS; n++) {
            double r = x / (a + n);
            dc = r * (dc - c / (a + n));
            c *= r;
            sum += c;
            dsum += dc;
            if (Math.abs(c) <= EPS * Math.abs(sum) && Math.abs(dc) <= EPS * Math.abs(dsum)) break;
        }
        double logPrefactor = a * Math.log(x) - x - logGamma(a + 1);
        double prefactor = Math.exp(logPrefactor);
        double dLogPrefactor = Math.log(x) - digamma(a + 1);
        return new double[]{prefactor * sum, prefactor * (sum * dLogPrefactor + dsum)};
    }

    /**
     * {Q, ∂Q/∂a} from Q = exp(a ln x - x - lnΓ(a)) / (x + 1 - a - 1(1 - a)/(x + 3 - a - 2(2 - a)/(...))),
     * the fraction evaluated by the modified Lentz method on (value, a-derivative) pairs.
     */
    private static double[] continuedFraction(double a, double x) {
        final double tiny = 1e-300;
        double b = x + 1 - a, db = -1;
        double c = 1 / tiny, dc = 0;
        double d = 1 / b, dd = -db / (b * b);
        double h = d, dh = dd;
        for (int i = 1; i < MAX_ITERATIONS; i++) {
            double an = -i * (i - a), dan = i;
            b += 2;
            // d = 1 / (an d + b)
            double den = an * d + b, dden = dan * d + an * dd + db;
            if (Math.abs(den) < tiny) den = tiny;
            d = 1 / den;
            dd = -dden * d * d;
            // c = b + an / c
            double cNew = b + an / c, dcNew = db + (dan * c - an * dc) / (c * c);
            if (Math.abs(cNew) < tiny) cNew = tiny;
            c = cNew;
            dc = dcNew;
            double delta = c * d, dDelta = dc * d + c * dd;
            dh = dh * delta + h * dDelta;
            h *= delta;
            if (Math.abs(delta - 1) <= EPS && Math.abs(dDelta) <= EPS * (1 + Math.abs(dh / h))) break;
        }
        double logPrefactor = a * Math.log(x) - x - logGamma(a);
        double prefactor = Math.exp(logPrefactor);
        double dLogPrefactor = Math.log(x) - digamma(a);
        return new double[]{prefactor * h, prefactor * (h * dLogPrefactor + dh)};
    }

    private static final double[] LANCZOS = {0.99999999999980993227684700473478, 676.520368121885098567009190444019,
            -1259.13921672240287047156078755283, 771.3234287776530788486528258894, -176.61502916214059906584551354,
            12.507343278686904814458936853, -0.13857109526572011689554707, 9.984369578019570859563e-6,
            1.50563273514931155834e-7};

    /** ln Γ(a) for a > 0 (Lanczos, g = 7, reflected below 0.5). */
    static double logGamma(double a) {
        if (a < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * a))) - logGamma(1 - a);
        double z = a - 1, s = LANCZOS[0];
        for (int i = 1; i < LANCZOS.length; i++) s += LANCZOS[i] / (z + i);
        double t = z + 7.5;
        return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(s);
    }

    /** ψ(a) = d ln Γ(a) / da for a > 0: recurrence up to 10, then the asymptotic series. */
    static double digamma(double a) {
        double result = 0;
        while (a < 10) {
            result -= 1 / a;
            a += 1;
        }
        double inv = 1 / a, inv2 = inv * inv;
        return result + Math.log(a) - 0.5 * inv
                - inv2 * (1.0 / 12 - inv2 * (1.0 / 120 - inv2 * (1.0 / 252 - inv2 * (1.0 / 240 - inv2 * (1.0 / 132)))));
    }
}
