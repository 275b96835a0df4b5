package io.jax4j.autodiff;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * vmap's {@code in_axes}: one entry per argument, an axis, {@code null} for a broadcast argument, or
 * a pytree prefix of the argument whose leaves are axes or {@code null}, e.g.
 * {@code InAxes.of(axes, 0)} with {@code axes} a {@code HashMap} of {@code w -> 0, b -> null} maps
 * {@code w} over axis 0 and broadcasts {@code b} ({@code Map.of} refuses null values).
 */
public record InAxes(List<Object> axes) {
    public static InAxes of(Object... axes) { return new InAxes(Collections.unmodifiableList(Arrays.asList(axes))); }
}
