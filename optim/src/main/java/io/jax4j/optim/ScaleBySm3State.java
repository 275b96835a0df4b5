package io.jax4j.optim;

/**
 * {@code ScaleBySM3State} of {@code scale_by_sm3}: per parameter, one accumulator vector per axis
 * ({@code mu}, a list per leaf), and the momentum of the scaled updates ({@code nu}).
 */
public record ScaleBySm3State(Object mu, Object nu) {}
