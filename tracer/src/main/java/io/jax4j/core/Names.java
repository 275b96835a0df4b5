package io.jax4j.core;

import io.jax4j.ir.ClosedJaxpr;
import io.jax4j.ir.Jaxpr;

import java.util.Arrays;
import java.util.Collection;
import java.util.stream.Collectors;

/** Small printing helpers shared by the jaxpr printer and error messages. */
public final class Names {
    private Names() {}

    /** {@code lhsDilation} -> {@code lhs_dilation}: JAX's parameter names. */
    public static String snake(String camel) {
        StringBuilder sb = new StringBuilder();
        for (char ch : camel.toCharArray()) {
            if (Character.isUpperCase(ch)) sb.append('_').append(Character.toLowerCase(ch));
            else sb.append(ch);
        }
        return sb.toString();
    }

    /** Python-like rendering of a parameter value: tuples for arrays and lists, None for null. */
    public static String printValue(Object v) {
        if (v == null) return "None";
        if (v instanceof Boolean b) return b ? "True" : "False";
        if (v instanceof int[] a) return tuple(Arrays.stream(a).mapToObj(String::valueOf).toList());
        if (v instanceof long[] a) return tuple(Arrays.stream(a).mapToObj(String::valueOf).toList());
        if (v instanceof double[] a) return tuple(Arrays.stream(a).mapToObj(String::valueOf).toList());
        if (v instanceof boolean[] a) {
            String[] s = new String[a.length];
            for (int i = 0; i < a.length; i++) s[i] = a[i] ? "True" : "False";
            return tuple(Arrays.asList(s));
        }
        if (v instanceof int[][] a) return tuple(Arrays.stream(a).map(Names::printValue).toList());
        if (v instanceof Object[] a) return tuple(Arrays.stream(a).map(Names::printValue).toList());
        if (v instanceof Collection<?> c) return tuple(c.stream().map(Names::printValue).toList());
        if (v instanceof io.vavr.collection.Seq<?> c) return tuple(c.map(Names::printValue).toJavaList());
        if (v instanceof io.jax4j.DType d) return d.jaxName();
        if (v instanceof Enum<?> e) return e.name().toLowerCase();
        if (v instanceof ClosedJaxpr cj) return "{ jaxpr with " + cj.jaxpr().eqns().size() + " eqns }";
        if (v instanceof Jaxpr j) return "{ jaxpr with " + j.eqns().size() + " eqns }";
        return String.valueOf(v);
    }

    private static String tuple(java.util.List<String> items) {
        if (items.size() == 1) return "(" + items.get(0) + ",)";
        return items.stream().collect(Collectors.joining(", ", "(", ")"));
    }
}
