package io.jax4j.core;

import io.jax4j.Array;
import io.jax4j.ir.Atom;
import io.jax4j.ir.ClosedJaxpr;
import io.jax4j.ir.Eqn;
import io.jax4j.ir.Jaxpr;
import io.jax4j.ir.Literal;
import io.jax4j.ir.Var;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * JAX's {@code jax_debug_nans}: {@code -Djax4j.debugNans=true} or {@code JAX4J_DEBUG_NANS=1} (or
 * {@link #enable}). Every eagerly run primitive whose floating output holds a NaN raises a
 * {@link FloatingPointError} naming the primitive and the user's line; a jitted call whose output
 * holds a NaN is run again equation by equation on the reference implementation, and the error names
 * the first equation that made a NaN from inputs without one, with the line that traced it. Off, it
 * costs one flag read per primitive.
 */
public final class DebugNans {
    private static volatile boolean enabled = initial();

    private DebugNans() {}

    private static boolean initial() {
        String v = System.getProperty("jax4j.debugNans", System.getenv("JAX4J_DEBUG_NANS"));
        return v != null && (v.equalsIgnoreCase("true") || v.equals("1"));
    }

    public static boolean enabled() { return enabled; }

    /** Turns the check on or off for the whole process (as {@code jax.config.update("jax_debug_nans", ...)}). */
    public static void enable(boolean on) { enabled = on; }

    /** A NaN where none was expected, as JAX's {@code FloatingPointError}. */
    public static final class FloatingPointError extends Jax4jException {
        FloatingPointError(String message) { super(message); }
    }

    static boolean hasNaN(Array a) {
        if (!(a instanceof ArrayImpl x) || !x.dtype().isFloating()) return false;
        for (long i = 0, n = x.size(); i < n; i++) if (Double.isNaN(x.getDouble(i))) return true;
        return false;
    }

    private static boolean anyNaN(List<? extends Array> xs) {
        for (Array a : xs) if (hasNaN(a)) return true;
        return false;
    }

    /** Set while a jitted call runs (a reference backend evaluates eagerly): its check names the traced line instead. */
    private static final ThreadLocal<Boolean> IN_JITTED_CALL = ThreadLocal.withInitial(() -> false);

    /** Runs a jitted call's executable; eager checks inside it are left to {@link #checkJitted}. */
    static List<Array> runJitted(java.util.function.Supplier<List<Array>> call) {
        boolean outer = IN_JITTED_CALL.get();
        IN_JITTED_CALL.set(true);
        try {
            return call.get();
        } finally {
            IN_JITTED_CALL.set(outer);
        }
    }

    /** After an eager primitive: its outputs hold a NaN that its inputs did not. */
    static void checkEager(Primitive p, List<? extends Array> inputs, List<Array> outputs) {
        if (IN_JITTED_CALL.get() || !anyNaN(outputs) || anyNaN(inputs)) return;
        String where = SourceInfo.userFrame();
        throw new FloatingPointError("invalid value (nan) encountered in " + p.name() + (where != null ? " at " + where : "")
                + " (JAX4J_DEBUG_NANS is on)");
    }

    /** The inputs of a jitted call as they are before it runs: copies of those it may overwrite (donated). */
    static List<Array> beforeCall(List<Array> inputs, boolean donates) {
        if (!donates) return inputs;
        List<Array> copies = new ArrayList<>(inputs.size());
        for (Array a : inputs) copies.add(a instanceof ArrayImpl x ? x.withAval(x.aval()) : a);
        return copies;
    }

    /** After a jitted call: a NaN in its outputs is traced to the first equation that made one. */
    static void checkJitted(String name, ClosedJaxpr closed, List<Array> inputs, List<Array> outputs) {
        if (!anyNaN(outputs)) return;
        Jaxpr j = closed.jaxpr();
        int nc = j.constvars().size();
        for (int i = 0; i < inputs.size(); i++) {
            if (hasNaN(inputs.get(i)) && i >= nc) {
                throw new FloatingPointError("invalid value (nan) in jit(" + name + "): argument " + (i - nc) + " (" + inputs.get(i).aval().str()
                        + ") already holds a NaN (JAX4J_DEBUG_NANS is on)");
            }
        }
        Map<Var, Array> env = new HashMap<>();
        for (int i = 0; i < nc; i++) env.put(j.constvars().get(i), inputs.get(i));
        for (int i = 0; i < j.invars().size(); i++) env.put(j.invars().get(i), inputs.get(nc + i));
        for (Eqn e : j.eqns()) {
            List<ArrayImpl> in = new ArrayList<>(e.inputs().size());
            for (Atom a : e.inputs()) in.add(a instanceof Literal l ? l.value() : (ArrayImpl) env.get((Var) a));
            List<Array> out = EvalTrace.INSTANCE.run(() -> e.primitive().impl(e.params(), in));
            if (anyNaN(out) && !anyNaN(in)) {
                throw new FloatingPointError("invalid value (nan) encountered in jit(" + name + "): the first NaN comes from "
                        + e.primitive().name() + " -> " + e.outvars().map(v -> v.aval().str()).mkString(", ")
                        + (e.sourceInfo() != null ? " at " + e.sourceInfo() : "") + " (JAX4J_DEBUG_NANS is on)");
            }
            for (int k = 0; k < out.size(); k++) env.put(e.outvars().get(k), out.get(k));
        }
        throw new FloatingPointError("invalid value (nan) in the output of jit(" + name + "); re-run on the reference implementation, no"
                + " equation made one, so the compiled program differs from the reference here: please report it (JAX4J_DEBUG_NANS is on)");
    }
}
