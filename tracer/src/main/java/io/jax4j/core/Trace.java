package io.jax4j.core;

import io.jax4j.Array;

import java.util.List;
import java.util.function.Supplier;

/**
 * An interpretation of primitives. The current trace lives in a {@link ScopedValue}; each trace
 * remembers the trace that was current when it was created (its parent) and evaluates its rules
 * there, so transformations nest in any order ("stackless" JAX). A trace unwraps only its own
 * tracers; every other value is a constant to it, which rules out perturbation confusion.
 */
public abstract class Trace {
    private static final ScopedValue<Trace> CURRENT = ScopedValue.newInstance();

    protected final Trace parent;
    private final String description;
    private volatile boolean finished;

    protected Trace(String description) {
        this.parent = current();
        this.description = description;
    }

    /** The trace primitives bind to now: the innermost active transformation, or eager evaluation. */
    public static Trace current() { return CURRENT.isBound() ? CURRENT.get() : EvalTrace.INSTANCE; }

    public Trace parent() { return parent; }

    /** What this trace is for, for error messages: {@code jit(train_step)}, {@code grad(loss)}. */
    public String description() { return description; }

    /** Applies {@code p} to {@code inputs} (which may be tracers of this trace or constants). */
    public abstract List<Array> process(Primitive p, Params params, List<Array> inputs);

    /** Runs {@code body} with this trace current. */
    public final <T> T run(Supplier<T> body) {
        return ScopedValue.where(CURRENT, this).call(body::get);
    }

    /** Runs {@code body} in this trace's parent context (where its rules evaluate). */
    public final <T> T inParent(Supplier<T> body) {
        return ScopedValue.where(CURRENT, parent).call(body::get);
    }

    /** Marks the transformation done: its tracers escaping now are reported. */
    public void finish() { finished = true; }

    public boolean isFinished() { return finished; }

    /** Checks that {@code x}, a tracer that is not ours, is not a leaked one. */
    protected static void checkNotLeaked(Array x) {
        if (x instanceof Tracer t && t.trace().isFinished()) {
            throw new Tracer.EscapedTracerError(t);
        }
    }
}
