package io.jax4j.optim;

/** The state of {@code scaleByRss} (adagrad): the running sum of squared updates. */
public record ScaleByRssState(Object sumOfSquares) {}
