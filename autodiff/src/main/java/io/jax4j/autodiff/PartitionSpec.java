package io.jax4j.autodiff;

import io.jax4j.core.Jax4jException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * {@code jax.sharding.PartitionSpec} ({@code P}): per array axis, the mesh axis it is split over, or
 * {@code null} for an axis every replica holds whole; missing trailing entries are {@code null}.
 * {@code PartitionSpec.of("data")} splits axis 0 over "data"; {@code PartitionSpec.of()} is fully replicated.
 */
public record PartitionSpec(List<String> axes) {
    public PartitionSpec {
        axes = Collections.unmodifiableList(new ArrayList<>(axes));
        List<String> named = axes.stream().filter(a -> a != null).toList();
        if (named.stream().distinct().count() != named.size()) {
            throw new Jax4jException("PartitionSpec: a mesh axis may split one array axis only, got " + axes);
        }
    }

    /** {@code P(*axes)}: {@code null} entries for unsplit axes. */
    public static PartitionSpec of(String... axes) { return new PartitionSpec(Arrays.asList(axes)); }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("P(");
        for (int i = 0; i < axes.size(); i++) s.append(i == 0 ? "" : ", ").append(axes.get(i) == null ? "None" : "'" + axes.get(i) + "'");
        return s.append(')').toString();
    }

    /** The array axis split over {@code meshAxis}, or -1. */
    public int axisOf(String meshAxis) { return axes.indexOf(meshAxis); }
}
