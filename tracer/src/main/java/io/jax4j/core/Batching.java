package io.jax4j.core;

import io.jax4j.Array;
import io.jax4j.Lax;

import java.util.ArrayList;
import java.util.List;

/** Helpers for batching rules: where the vmapped axis is, and moving it. */
public final class Batching {
    /** The batch dimension of an operand that is not mapped (broadcast over the batch). */
    public static final int NOT_MAPPED = -1;

    private Batching() {}

    /** {@code x} with its batch axis {@code from} moved to {@code to} (or broadcast there when unmapped). */
    public static Array moveAxis(Array x, int from, int to, int size) {
        if (from == NOT_MAPPED) return broadcastAt(x, to, size);
        if (from == to) return x;
        int n = x.ndim();
        List<Integer> perm = new ArrayList<>();
        for (int i = 0; i < n; i++) if (i != from) perm.add(i);
        perm.add(to, from);
        return Lax.transpose(x, perm.stream().mapToInt(Integer::intValue).toArray());
    }

    /** {@code x} with a new axis of {@code size} inserted at {@code at}. */
    public static Array broadcastAt(Array x, int at, int size) {
        int[] s = x.shape();
        int[] out = new int[s.length + 1];
        int[] bd = new int[s.length];
        for (int i = 0, j = 0; i < out.length; i++) {
            if (i == at) out[i] = size;
            else {
                out[i] = s[j];
                bd[j] = i;
                j++;
            }
        }
        return Lax.broadcastInDim(x, out, bd);
    }

    /** Moves every operand's batch axis to the front (broadcasting unmapped ones) and returns them. */
    public static List<Array> allAtFront(List<Array> xs, int[] dims) {
        int size = batchSize(xs, dims);
        List<Array> out = new ArrayList<>(xs.size());
        for (int i = 0; i < xs.size(); i++) out.add(moveAxis(xs.get(i), dims[i], 0, size));
        return out;
    }

    public static int batchSize(List<Array> xs, int[] dims) {
        for (int i = 0; i < xs.size(); i++) if (dims[i] != NOT_MAPPED) return xs.get(i).dim(dims[i]);
        throw new IllegalStateException("no mapped operand");
    }
}
