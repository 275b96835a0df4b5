package io.jax4j.prims;

import io.jax4j.Random;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * XLA's float32 log and log1p under erf_inv: within 1.5 ulp (log) and 3 ulp (log1p, whose 1 + x is rounded above √2 - 1) of the true value (they are approximations,
 * not correctly rounded, on purpose), the special values, and the draw that a correctly rounded log
 * got wrong.
 */
class XlaLogTest {
    @Test
    void logAndLog1pStayWithinAboutAnUlp() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        double worstLog = 0, worstLog1p = 0;
        int notCorrectlyRounded = 0;
        for (int i = 0; i < 200_000; i++) {
            float v = (float) Math.exp(r.nextDouble(-80, 80));
            float got = RandomPrimitives.xlaLog32(v);
            worstLog = Math.max(worstLog, Math.abs(got - Math.log(v)) / Math.ulp((float) Math.log(v)));
            if (got != (float) Math.log(v)) notCorrectlyRounded++;
            float z = (float) r.nextDouble(-0.999, 1);
            double exact = Math.log1p(z);
            if ((float) exact != 0) worstLog1p = Math.max(worstLog1p, Math.abs(RandomPrimitives.xlaLog1p32(z) - exact) / Math.ulp((float) exact));
        }
        assertTrue(worstLog < 1.5, "log error " + worstLog + " ulp");
        assertTrue(worstLog1p < 3.0, "log1p error " + worstLog1p + " ulp");
        assertTrue(notCorrectlyRounded > 0, "XLA's logf is an approximation: some results differ from the correctly rounded ones");
        assertEquals(Float.NEGATIVE_INFINITY, RandomPrimitives.xlaLog32(0f));
        assertTrue(Float.isNaN(RandomPrimitives.xlaLog32(-1f)) && Float.isNaN(RandomPrimitives.xlaLog32(Float.NaN)));
        assertEquals(Float.POSITIVE_INFINITY, RandomPrimitives.xlaLog32(Float.POSITIVE_INFINITY));
        assertEquals(0f, RandomPrimitives.xlaLog32(1f));
        assertEquals(0f, RandomPrimitives.xlaLog1p32(0f));
    }

    @Test
    void truncatedNormalMatchesJaxWhereACorrectlyRoundedLogDidNot() {
        // jax.random.truncated_normal(PRNGKey(2024), -2, 2, (8,))[0] on XLA:CPU; log(0.32610428) rounded
        // correctly gave -1.343567132949829 (2 ulp away)
        float first = Random.truncatedNormal(Random.key(2024), -2, 2, 8).toFloatArray()[0];
        assertEquals(-1.34356689453125f, first, 0f);
    }
}
