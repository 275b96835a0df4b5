package io.jax4j;

/**
 * {@code jax.scipy.special}: special functions composed from primitives (so they differentiate,
 * batch and jit like any composition), evaluated as XLA's own implementations evaluate them.
 */
public final class Special {
    private Special() {}

    private static final double LANCZOS_GAMMA = 7;
    private static final double LANCZOS_BASE = 0.99999999999980993227684700473478;
    private static final double[] LANCZOS = {676.520368121885098567009190444019, -1259.13921672240287047156078755283,
            771.3234287776530788486528258894, -176.61502916214059906584551354, 12.507343278686904814458936853,
            -0.13857109526572011689554707, 9.984369578019570859563e-6, 1.50563273514931155834e-7};

    /**
     * {@code gammaln} ({@code lax.lgamma}): log |Γ(x)| by XLA's Lanczos approximation (g = 7, 8 terms),
     * Euler's reflection below 0.5 with the sine taken of the reduced fractional part; +inf at ±inf and
     * at the poles (0, -1, -2, ...).
     */
    public static Array gammaln(Array x) {
        Array f = x.dtype().isFloating() ? x : Lax.convertElementType(x, DType.F32);
        Array half = Lax.fullLike(f, 0.5), one = Lax.fullLike(f, 1);
        Array reflect = Lax.lt(f, half);
        Array z = Lax.select(reflect, Lax.neg(f), Lax.sub(f, one));
        Array series = Lax.fullLike(f, LANCZOS_BASE);
        for (int i = 0; i < LANCZOS.length; i++) {
            series = Lax.add(series, Lax.div(Lax.fullLike(f, LANCZOS[i]), Lax.add(Lax.add(z, Lax.fullLike(f, i)), one)));
        }
        Array t = Lax.add(Lax.fullLike(f, LANCZOS_GAMMA + 0.5), z);
        Array logT = Lax.add(Lax.fullLike(f, Math.log(LANCZOS_GAMMA + 0.5)), Lax.log1p(Lax.div(z, Lax.fullLike(f, LANCZOS_GAMMA + 0.5))));
        Array logY = Lax.add(Lax.add(Lax.fullLike(f, (Math.log(2) + Math.log(Math.PI)) / 2),
                Lax.mul(Lax.sub(Lax.add(z, half), Lax.div(t, logT)), logT)), Lax.log(series));
        Array absX = Lax.abs(f);
        Array frac = Lax.sub(absX, Lax.floor(absX));
        Array reduced = Lax.select(Lax.gt(frac, half), Lax.sub(one, frac), frac);
        // where the reflection is not used, its sine is taken at 0.5 (a finite log): the unselected branch
        // must not hold an infinity, whose zero-weighted derivative would be NaN
        reduced = Lax.select(reflect, reduced, half);
        Array denominator = Lax.log(Lax.sin(Lax.mul(Lax.fullLike(f, Math.PI), reduced)));
        Array reflection = Lax.select(Lax.isFinite(denominator),
                Lax.sub(Lax.sub(Lax.fullLike(f, Math.log(Math.PI)), denominator), logY), Lax.neg(denominator));
        Array result = Lax.select(reflect, reflection, logY);
        Array isInf = Lax.eq(Lax.abs(f), Lax.fullLike(f, Double.POSITIVE_INFINITY));
        return Lax.select(isInf, Lax.fullLike(f, Double.POSITIVE_INFINITY), result);
    }

    /** {@code xlogy(x, y)}: {@code x · log(y)}, 0 where x is 0. */
    public static Array xlogy(Array x, Array y) {
        Array[] p = Np.promoteBroadcast("xlogy", x, y);
        Array a = p[0].dtype().isFloating() ? p[0] : Lax.convertElementType(p[0], DType.F32);
        Array b = p[1].dtype().isFloating() ? p[1] : Lax.convertElementType(p[1], DType.F32);
        return Lax.select(Lax.eq(a, Lax.zerosLike(a)), Lax.zerosLike(a), Lax.mul(a, Lax.log(b)));
    }
}
