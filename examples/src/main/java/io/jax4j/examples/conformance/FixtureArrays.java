package io.jax4j.examples.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Shape;
import io.jax4j.ShapedArray;
import io.jax4j.core.ArrayImpl;

import java.util.Arrays;
import java.util.Locale;

/**
 * The fixture encoding of an array, {@code {"shape": [..], "dtype": "float32", "data": [..]}} with
 * {@code data} flat in row-major order, read into an {@link Array}, and the comparison of a result
 * with an expected array under a {@link Tolerance}.
 */
public final class FixtureArrays {
    private FixtureArrays() {}

    /** Whether a JSON node is an encoded array. */
    public static boolean isArray(JsonNode n) { return n != null && n.isObject() && n.has("shape") && n.has("dtype") && n.has("data"); }

    public static int[] shape(JsonNode n) {
        JsonNode s = n.get("shape");
        int[] out = new int[s.size()];
        for (int i = 0; i < out.length; i++) out[i] = s.get(i).asInt();
        return out;
    }

    public static DType dtype(JsonNode n) { return DType.of(n.get("dtype").asText()); }

    /** Decodes an encoded array (float32 values are exact in the JSON doubles). */
    public static Array decode(JsonNode n) {
        if (!isArray(n)) throw new IllegalArgumentException("not an encoded array (needs shape, dtype, data): " + abbreviate(n));
        DType dt = dtype(n);
        int[] shape = shape(n);
        JsonNode data = n.get("data");
        ShapedArray aval = new ShapedArray(dt, Shape.of(shape));
        if (data.size() != aval.size()) {
            throw new IllegalArgumentException("encoded array of shape " + Arrays.toString(shape) + " has " + data.size() + " values, expected " + aval.size());
        }
        if (dt.isFloating()) {
            double[] d = new double[data.size()];
            for (int i = 0; i < d.length; i++) d[i] = number(data.get(i));
            return ArrayImpl.ofDoubles(aval, d);
        }
        long[] l = new long[data.size()];
        for (int i = 0; i < l.length; i++) l[i] = data.get(i).isBoolean() ? (data.get(i).asBoolean() ? 1 : 0) : data.get(i).asLong();
        return ArrayImpl.ofLongs(aval, l);
    }

    private static double number(JsonNode v) {
        if (v.isNumber()) return v.asDouble();
        // Python's json writes NaN and Infinity as bare words; Jackson reads them as text when allowed
        return switch (v.asText()) {
            case "NaN" -> Double.NaN;
            case "Infinity" -> Double.POSITIVE_INFINITY;
            case "-Infinity" -> Double.NEGATIVE_INFINITY;
            default -> throw new IllegalArgumentException("not a number: " + v);
        };
    }

    /** The outcome of comparing a result with an expected array. */
    public record Comparison(boolean ok, String detail) {}

    /** Compares shape, dtype and values; NaN matches NaN and infinities must be equal. */
    public static Comparison compare(Array actual, JsonNode expected, Tolerance tol) {
        int[] es = shape(expected);
        DType ed = dtype(expected);
        if (!Arrays.equals(es, actual.shape()) || ed != actual.dtype()) {
            return new Comparison(false, "expected " + new ShapedArray(ed, Shape.of(es)).str() + " got " + actual.aval().str());
        }
        if (!(actual instanceof ArrayImpl a)) return new Comparison(false, "result is not concrete: " + actual.aval().str());
        JsonNode data = expected.get("data");
        double maxErr = 0, worstExcess = 0;
        long bad = 0, firstBad = -1;
        boolean floating = ed.isFloating();
        for (int i = 0; i < data.size(); i++) {
            double e, g;
            if (floating) {
                e = number(data.get(i));
                g = a.getDouble(i);
            } else {
                e = data.get(i).isBoolean() ? (data.get(i).asBoolean() ? 1 : 0) : data.get(i).asLong();
                g = a.getLong(i);
            }
            boolean same = e == g || (Double.isNaN(e) && Double.isNaN(g));
            double err = same ? 0 : Math.abs(g - e);
            if (Double.isNaN(err)) err = Double.POSITIVE_INFINITY;
            maxErr = Math.max(maxErr, err);
            double allowed = tol.atol() + tol.rtol() * Math.abs(e);
            boolean ok = tol.ulps() > 0 && floating ? tol.withinUlps(e, g)
                    : same || (err <= allowed && !Double.isInfinite(e) && !Double.isInfinite(g));
            if (!ok) {
                bad++;
                if (firstBad < 0 || err - allowed > worstExcess) { firstBad = i; worstExcess = err - allowed; }
            }
        }
        String errText = "max_abs_err=" + fmt(maxErr) + " " + tol.describe();
        if (bad == 0) return new Comparison(true, errText);
        String at = " (" + bad + " of " + data.size() + " elements; worst at flat index " + firstBad + ": expected "
                + (floating ? number(data.get((int) firstBad)) : data.get((int) firstBad).asText()) + " got "
                + (floating ? a.getDouble(firstBad) : a.getLong(firstBad)) + ")";
        return new Comparison(false, errText + at);
    }

    /** The largest |actual - expected| over the elements (0 when shapes differ or the result is not concrete). */
    static double maxAbsErr(Array actual, JsonNode expected) {
        if (!(actual instanceof ArrayImpl a) || a.size() != expected.get("data").size()) return 0;
        JsonNode data = expected.get("data");
        double m = 0;
        for (int i = 0; i < data.size(); i++) {
            JsonNode v = data.get(i);
            double e = v.isBoolean() ? (v.asBoolean() ? 1 : 0) : number(v);
            double g = a.dtype().isFloating() ? a.getDouble(i) : a.getLong(i);
            if (e != g && !(Double.isNaN(e) && Double.isNaN(g))) m = Math.max(m, Math.abs(e - g));
        }
        return m;
    }

    static String fmt(double v) { return v == 0 ? "0" : String.format(Locale.ROOT, "%.1e", v); }

    static String abbreviate(JsonNode n) {
        String s = String.valueOf(n);
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
