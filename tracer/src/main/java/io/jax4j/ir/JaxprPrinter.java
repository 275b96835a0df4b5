package io.jax4j.ir;

import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Prints jaxprs as JAX does: variables named {@code a, b, ..., z, ba, bb, ...} in order of first
 * definition, literals as {@code 1.5:f32[]}, one equation per line once there is more than one.
 */
public final class JaxprPrinter {
    private final Map<Var, String> names = new HashMap<>();
    private int next;

    private JaxprPrinter() {}

    public static String print(Jaxpr jaxpr) { return new JaxprPrinter().jaxpr(jaxpr, ""); }

    private static String encode(int n) {
        StringBuilder sb = new StringBuilder();
        do {
            sb.insert(0, (char) ('a' + n % 26));
            n /= 26;
        } while (n > 0);
        return sb.toString();
    }

    private String define(Var v) {
        String name = encode(next++);
        names.put(v, name);
        return name + ":" + v.aval().str();
    }

    private String use(Atom a) {
        return switch (a) {
            case Var v -> names.getOrDefault(v, "?" + v.id());
            case Literal l -> l.print();
        };
    }

    private String jaxpr(Jaxpr j, String indent) {
        String consts = j.constvars().map(this::define).mkString(" ");
        String ins = j.invars().map(this::define).mkString(" ");
        StringBuilder body = new StringBuilder();
        java.util.List<String> lines = new java.util.ArrayList<>();
        for (Eqn e : j.eqns()) lines.add(eqn(e, indent + "    "));
        String outs = j.outvars().map(this::use).mkString(" ");
        String outTuple = "(" + (j.outvars().size() == 1 ? outs + "," : j.outvars().map(this::use).mkString(", ")) + ")";
        String head = "{ lambda " + consts + (consts.isEmpty() ? "" : "") + "; " + ins + ". let";
        if (lines.size() <= 1 && lines.stream().allMatch(l -> !l.contains("\n") && l.length() < 60)) {
            body.append(head);
            if (!lines.isEmpty()) body.append(' ').append(lines.getFirst());
            return body.append(" in ").append(outTuple).append(" }").toString();
        }
        body.append(head).append('\n');
        for (String l : lines) body.append(indent).append("    ").append(l).append('\n');
        return body.append(indent).append("  in ").append(outTuple).append(" }").toString();
    }

    private String eqn(Eqn e, String indent) {
        String ins = e.inputs().map(this::use).mkString(" ");
        String params = printParams(e, indent);
        String outs = e.outvars().map(this::define).mkString(" ");
        return outs + " = " + e.primitive().name() + params + (ins.isEmpty() ? "" : " " + ins);
    }

    private String printParams(Eqn e, String indent) {
        if (e.params() instanceof HasJaxprs hj) {
            String rest = hj.printOther();
            String jaxprs = hj.jaxprs().entrySet().stream()
                    .map(en -> en.getKey() + "=" + jaxpr(en.getValue(), indent + "  "))
                    .collect(Collectors.joining("\n" + indent + "  "));
            return "[\n" + indent + "  " + jaxprs + (rest.isEmpty() ? "" : "\n" + indent + "  " + rest) + "\n" + indent + "]";
        }
        return e.params().print();
    }

    /** Params of higher-order primitives expose their sub-jaxprs so that they print inline. */
    public interface HasJaxprs {
        java.util.LinkedHashMap<String, Jaxpr> jaxprs();

        String printOther();
    }
}
