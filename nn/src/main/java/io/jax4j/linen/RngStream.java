package io.jax4j.linen;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Random;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * A named rng stream in a scope: Flax's {@code LazyRng}, a root key plus the static suffix (module
 * names, then a per-scope counter) folded in lazily: {@code fold_in(key, uint32(sha1(suffix)[:4]))}.
 */
record RngStream(Array key, List<Object> suffix) {
    RngStream child(Object part) {
        List<Object> s = new ArrayList<>(suffix);
        s.add(part);
        return new RngStream(key, List.copyOf(s));
    }

    /** The key for this stream's {@code counter}-th draw in its scope. */
    Array draw(int counter) { return foldInStatic(key, child(counter).suffix()); }

    /** Flax's {@code _fold_in_static}: SHA-1 of the suffix (strings as UTF-8, ints big-endian, minimal length). */
    static Array foldInStatic(Array key, List<Object> data) {
        if (data.isEmpty()) return key;
        MessageDigest sha1;
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (Object x : data) {
            if (x instanceof String s) sha1.update(s.getBytes(StandardCharsets.UTF_8));
            else if (x instanceof Integer i) sha1.update(minimalBigEndian(i));
            else throw new IllegalArgumentException("rng suffix must be a string or an int, got " + x);
        }
        byte[] d = sha1.digest();
        long hash = ((d[0] & 0xFFL) << 24) | ((d[1] & 0xFFL) << 16) | ((d[2] & 0xFFL) << 8) | (d[3] & 0xFFL);
        return Random.foldIn(key, Array.fromLongs(DType.U32, new long[]{hash}));
    }

    /** Python's {@code x.to_bytes((x.bit_length() + 7) // 8, 'big')} for x >= 0. */
    static byte[] minimalBigEndian(int x) {
        int bits = 32 - Integer.numberOfLeadingZeros(x);
        int n = (bits + 7) / 8;
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) out[n - 1 - i] = (byte) (x >>> (8 * i));
        return out;
    }
}
