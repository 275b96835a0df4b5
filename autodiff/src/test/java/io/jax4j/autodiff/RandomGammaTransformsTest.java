package io.jax4j.autodiff;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Lax;
import io.jax4j.Np;
import io.jax4j.Random;
import io.jax4j.core.Jax4jException;
import io.vavr.Function1;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** random_gamma under vmap and jit, and its gradient rule's refusal. */
class RandomGammaTransformsTest {
    private static final Array ALPHA = Array.of(0.4f, 1.5f, 3f);

    @Test
    void vmapOverKeysEqualsALoop() {
        Array keys = Random.split(Random.key(7), 4);
        Function1<Array, Array> draw = k -> Random.gamma(k, ALPHA);
        Array batched = Jax.vmap(draw).apply(keys);
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(draw.apply(keys.get(i)).toFloatArray(), batched.get(i).toFloatArray(), 0, "example " + i);
        }
        Array jitted = Jax.jit(draw).apply(keys.get(2));
        assertArrayEquals(draw.apply(keys.get(2)).toFloatArray(), jitted.toFloatArray(), 0, "jit");
    }

    @Test
    void differentiatingThroughAlphaSaysItIsNotImplemented() {
        Jax4jException e = assertThrows(Jax4jException.class,
                () -> Jax.grad((Array a) -> Np.sum(Random.gamma(Random.key(1), a))).apply(ALPHA));
        assertTrue(e.getMessage().contains("not implemented yet") && e.getMessage().contains("stopGradient"), e.getMessage());
        // with alpha held constant the samples are constants, so a loss through them differentiates in its other inputs
        Array g = Jax.grad((Array w) -> Np.sum(Np.multiply(w, Random.gamma(Random.key(1), Lax.stopGradient(ALPHA))))).apply(Array.ones(3));
        assertArrayEquals(Random.gamma(Random.key(1), ALPHA).toFloatArray(), g.toFloatArray(), 0);
        assertTrue(g.dtype() == DType.F32);
    }
}
