package io.jax4j.core;

import io.jax4j.Array;
import io.jax4j.DType;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Prints arrays as JAX does: {@code Array([[1., 2.]], dtype=float32)}. */
public final class Formatting {
    private Formatting() {}

    public static String repr(Array x) {
        if (!(x instanceof ArrayImpl a)) return x.toString();
        if (a.isDeleted()) return "Array(<deleted>, shape=" + a.aval().shape() + ", dtype=" + a.dtype() + ")";
        int n = Math.toIntExact(a.size());
        String[] items = new String[n];
        int width = 0;
        for (int i = 0; i < n; i++) {
            items[i] = element(a, i);
            width = Math.max(width, items[i].length());
        }
        StringBuilder sb = new StringBuilder("Array(");
        if (a.ndim() == 0) sb.append(items[0]);
        else nest(sb, a.shape(), 0, new int[]{0}, items, width, "Array(".length());
        sb.append(", dtype=").append(a.dtype().jaxName());
        if (a.aval().weakType()) sb.append(", weak_type=True");
        return sb.append(')').toString();
    }

    private static void nest(StringBuilder sb, int[] shape, int axis, int[] pos, String[] items, int width, int indent) {
        sb.append('[');
        for (int i = 0; i < shape[axis]; i++) {
            if (i > 0) {
                sb.append(',');
                if (axis == shape.length - 1) sb.append(' ');
                else sb.append("\n".repeat(shape.length - 1 - axis)).append(" ".repeat(indent + axis + 1));
            }
            if (axis == shape.length - 1) {
                String s = items[pos[0]++];
                sb.append(" ".repeat(width - s.length())).append(s);
            } else nest(sb, shape, axis + 1, pos, items, width, indent);
        }
        sb.append(']');
    }

    private static String element(ArrayImpl a, long i) {
        DType dt = a.dtype();
        if (dt == DType.BOOL) return a.getDouble(i) != 0 ? "True" : "False";
        if (dt.isInteger()) return Long.toString(a.getLong(i));
        return floating(a.getDouble(i), dt);
    }

    /** A scalar as the jaxpr printer shows literals: Python's repr ({@code 2.0}, {@code 1e-05}, {@code True}). */
    public static String scalar(ArrayImpl a) {
        if (!a.dtype().isFloating()) return element(a, 0);
        double v = a.getDouble(0);
        if (Double.isNaN(v)) return "nan";
        if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
        String s = a.dtype() == DType.F64 ? Double.toString(v) : Float.toString((float) v);
        if (!s.contains("E")) return s;
        return numpyExp(s);
    }

    /** numpy's style: shortest round-trip digits, at most 8 decimals, {@code 1.} for integral values. */
    static String floating(double v, DType dt) {
        if (Double.isNaN(v)) return "nan";
        if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
        String shortest = dt == DType.F64 ? Double.toString(v) : Float.toString((float) v);
        if (shortest.contains("E")) {
            double abs = Math.abs(v);
            if (abs >= 1e16 || (abs < 1e-4 && abs != 0)) return numpyExp(shortest);
        }
        BigDecimal bd = new BigDecimal(shortest);
        if (bd.scale() > 8) bd = bd.setScale(8, RoundingMode.HALF_EVEN);
        String s = bd.stripTrailingZeros().toPlainString();
        if (!s.contains(".")) s = s + ".";
        if (s.equals("-0.") && Math.copySign(1.0, v) > 0) s = "0.";
        return s;
    }

    private static String numpyExp(String javaRepr) {
        int e = javaRepr.indexOf('E');
        String mant = javaRepr.substring(0, e);
        int exp = Integer.parseInt(javaRepr.substring(e + 1));
        if (mant.endsWith(".0")) mant = mant.substring(0, mant.length() - 1);
        return mant + "e" + (exp < 0 ? "-" : "+") + String.format("%02d", Math.abs(exp));
    }
}
