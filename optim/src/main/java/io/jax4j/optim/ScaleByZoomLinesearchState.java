package io.jax4j.optim;

import io.jax4j.Array;

/**
 * Optax's {@code ScaleByZoomLinesearchState}: the step size the line search took last, the value and
 * gradient at the parameters it moved to (which {@link Optim#valueAndGradFromState} reuses), and
 * what the search reported.
 */
public record ScaleByZoomLinesearchState(Array learningRate, Array value, Object grad, Info info) {
    /** Optax's {@code ZoomLinesearchInfo}: the steps the search took and the criteria's errors where it stopped. */
    public record Info(Array numLinesearchSteps, Array decreaseError, Array curvatureError) {}
}
