package io.jax4j.prims;

import io.jax4j.Array;
import io.jax4j.ShapedArray;
import io.jax4j.core.ArrayImpl;
import io.jax4j.core.Interpreter;
import io.jax4j.core.Params;
import io.jax4j.core.Primitive;
import io.jax4j.ir.Jaxpr;
import io.jax4j.ir.JaxprPrinter;
import io.jax4j.spi.Backend;
import io.jax4j.spi.Backends;
import io.jax4j.spi.Executable;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code pjit}: a call of a jitted function inside a jaxpr. Evaluated eagerly, it compiles its
 * jaxpr once per backend and runs the executable. The transformations (JVP, vmap, partial
 * evaluation) inline it: they interpret its jaxpr in their own trace ({@link #inline}).
 */
public final class CallPrimitives {
    private CallPrimitives() {}

    /** Params of pjit: the callee (no constvars), its name, donated inputs. Compared by jaxpr identity. */
    public static final class JitParams implements Params, JaxprPrinter.HasJaxprs {
        private final Jaxpr jaxpr;
        private final String name;
        private final boolean[] donated;
        private final Map<Backend, Executable> executables = new ConcurrentHashMap<>();

        public JitParams(Jaxpr jaxpr, String name, boolean[] donated) {
            this.jaxpr = jaxpr;
            this.name = name;
            this.donated = donated.clone();
        }

        public Jaxpr jaxpr() { return jaxpr; }

        public String name() { return name; }

        public boolean donated(int i) { return donated[i]; }

        public boolean[] donated() { return donated.clone(); }

        /** Runs the compiled callee on concrete inputs (what the eager impl does). */
        public List<Array> execute(List<ArrayImpl> inputs) { return executable().execute(inputs); }

        Executable executable() {
            Backend b = Backends.current();
            Compiled c = last;
            if (c != null && c.backend() == b) return c.executable();
            Executable e = executables.computeIfAbsent(b, k -> k.compile(jaxpr, donated, name));
            last = new Compiled(b, e);
            return e;
        }

        /** The last backend's executable, checked by identity before the map (dispatch, W6). */
        private volatile Compiled last;

        private record Compiled(Backend backend, Executable executable) {}

        @Override
        public LinkedHashMap<String, Jaxpr> jaxprs() {
            LinkedHashMap<String, Jaxpr> m = new LinkedHashMap<>();
            m.put("jaxpr", jaxpr);
            return m;
        }

        @Override
        public String printOther() { return "name=" + name; }

        @Override
        public String print() { return "[name=" + name + "]"; }

        @Override
        public boolean equals(Object o) { return o instanceof JitParams p && p.jaxpr == jaxpr && p.name.equals(name); }

        @Override
        public int hashCode() { return System.identityHashCode(jaxpr); }
    }

    public static final Primitive PJIT = new Primitive("pjit")
            .withProperties(Primitive.Property.HIGHER_ORDER)
            .abstractEval((p, in) -> ((JitParams) p).jaxpr().outAvals().toJavaList())
            .impl((p, in) -> ((JitParams) p).executable().execute(in));

    /** Whether a transformation should interpret this primitive's callee instead of using rules. */
    public static boolean isInlinedCall(Primitive p) { return p == PJIT; }

    /** The callee of an inlined call evaluated on the current trace. */
    public static List<Array> inline(Params p, List<Array> inputs) {
        return Interpreter.eval(((JitParams) p).jaxpr(), List.of(), inputs);
    }

    static List<ShapedArray> avals(List<ArrayImpl> xs) {
        List<ShapedArray> out = new ArrayList<>();
        for (ArrayImpl x : xs) out.add(x.aval());
        return out;
    }
}
