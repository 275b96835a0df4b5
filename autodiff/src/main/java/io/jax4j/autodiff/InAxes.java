package io.jax4j.autodiff;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/** vmap's {@code in_axes}: one entry per argument, an axis or {@code null} for a broadcast argument. */
public record InAxes(List<Integer> axes) {
    public static InAxes of(Integer... axes) { return new InAxes(Collections.unmodifiableList(Arrays.asList(axes))); }
}
