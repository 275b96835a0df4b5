package io.jax4j.optim;

import io.jax4j.Array;

/**
 * The carry of Optax's zoom line search ({@code ZoomLinesearchState}): the point and direction, the
 * current trial step with its value, gradient and slope, the values at step 0, the criteria's errors,
 * the phase flags, the bracketing interval [low, high] with values and slopes, the reference point of
 * the cubic interpolation, and the best step found so far that decreases the objective enough.
 */
public record ZoomLinesearchState(Array count, Object params, Object updates, Array stepsizeGuess, Array stepsize, Array value, Object grad,
                                  Array slope, Array valueInit, Array slopeInit, Array decreaseError, Array curvatureError, Array error,
                                  Array intervalFound, Array done, Array failed, Array low, Array valueLow, Array slopeLow, Array high,
                                  Array valueHigh, Array slopeHigh, Array cubicRef, Array valueCubicRef, Array safeStepsize,
                                  Array safeValue, Object safeGrad) {}
