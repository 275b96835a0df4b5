package io.jax4j.core;

import io.jax4j.Array;
import io.jax4j.ShapedArray;
import io.jax4j.ir.ClosedJaxpr;
import io.jax4j.tree.Tree;

import java.util.Collection;
import java.util.List;

/**
 * {@code JAX4J_DEBUG} (or {@code -Djax4j.debug}): 1 prints jit cache misses with the reason for the
 * retrace, 2 also the traced jaxprs; higher levels are used by the lowering (kernel plans, sources).
 */
public final class Debug {
    public static final int LEVEL = level();

    private Debug() {}

    private static int level() {
        String v = System.getProperty("jax4j.debug", System.getenv("JAX4J_DEBUG"));
        try {
            return v == null || v.isBlank() ? 0 : Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static void cacheMiss(JitFunction f, JitFunction.JitKey key, Collection<JitFunction.JitKey> known, List<Object> args) {
        if (LEVEL < 1) return;
        System.err.println("[jax4j] jit(" + f.name() + "): cache miss, tracing: " + reason(key, known, args));
    }

    static void traced(JitFunction f, ClosedJaxpr jaxpr) {
        if (LEVEL < 2) return;
        System.err.println("[jax4j] jit(" + f.name() + ") traced to:\n" + jaxpr);
    }

    /** Why {@code key} differs from the closest cached key, naming the argument's key path. */
    static String reason(JitFunction.JitKey key, Collection<JitFunction.JitKey> known, List<Object> args) {
        if (known.isEmpty()) return "first call";
        for (JitFunction.JitKey k : known) {
            if (!k.treedef().equals(key.treedef())) continue;
            var paths = Tree.flattenWithPath(args);
            int a = 0;
            StringBuilder sb = new StringBuilder();
            for (var entry : paths) {
                if (!(entry.leaf() instanceof Array arr)) continue;
                ShapedArray before = k.avals().get(a), now = arr.aval();
                if (!before.equals(now)) {
                    sb.append("argument ").append(entry.path()).append(" changed from ").append(before.str())
                            .append(before.weakType() ? " (weak)" : "").append(" to ").append(now.str())
                            .append(now.weakType() ? " (weak)" : "").append("; ");
                }
                a++;
            }
            if (!k.statics().equals(key.statics())) {
                sb.append("static arguments changed from ").append(k.statics()).append(" to ").append(key.statics()).append("; ");
            }
            if (!sb.isEmpty()) return sb.substring(0, sb.length() - 2);
        }
        return "the structure of the arguments changed (" + key.treedef() + ")";
    }
}
