package io.jax4j.core;

import io.jax4j.Array;
import io.jax4j.ShapedArray;
import io.jax4j.Shape;
import io.jax4j.prims.CallPrimitives;

import java.util.ArrayList;
import java.util.List;

/**
 * The vmap interpretation: each tracer carries a value with one extra (batch) axis at
 * {@code batchDim}, or {@link Batching#NOT_MAPPED}. Primitives apply their batching rules in the
 * parent context; when no operand is mapped the primitive simply binds on the parent.
 */
public final class BatchTrace extends Trace {
    private final int axisSize;
    private final String axisName;
    private final io.jax4j.spi.ProcessGroup span;

    public BatchTrace(String description, int axisSize) { this(description, axisSize, null); }

    /** A batch trace whose axis has a name: collectives over that name ({@code psum(x, name)}) reduce over it. */
    public BatchTrace(String description, int axisSize, String axisName) { this(description, axisSize, axisName, null); }

    /**
     * A named batch trace whose axis continues in the other processes of {@code span} (null: this
     * process's alone), each holding {@code axisSize} replicas: a multi-process {@code pmap}.
     */
    public BatchTrace(String description, int axisSize, String axisName, io.jax4j.spi.ProcessGroup span) {
        super(description);
        this.axisSize = axisSize;
        this.axisName = axisName;
        this.span = span == null || span.processCount() == 1 ? null : span;
        if (this.span != null && axisName == null) throw new IllegalArgumentException("an axis across processes needs a name");
    }

    /** This process's entries of the mapped axis. */
    public int axisSize() { return axisSize; }

    /** The entries of the named axis over every process it spans ({@code lax.axis_size}). */
    public int globalAxisSize() { return span == null ? axisSize : axisSize * span.processCount(); }

    /** The mapped axis' name, or null. */
    public String axisName() { return axisName; }

    /** The enclosing batch trace (this one or a parent of the current trace) that binds {@code name}, or null. */
    public static BatchTrace binding(String name) {
        for (Trace t = Trace.current(); t != null; t = t.parent()) {
            if (t instanceof BatchTrace b && name.equals(b.axisName)) return b;
        }
        return null;
    }

    public Array wrap(Array value, int batchDim) {
        return batchDim == Batching.NOT_MAPPED ? value : new BatchTracer(this, value, batchDim);
    }

    /** Whether {@code x} carries this trace's batch axis (depends on a mapped input). */
    public boolean isMapped(Array x) { return x instanceof BatchTracer t && t.trace == this; }

    /** The value of {@code x} with its batch axis moved to {@code to} (broadcast when unmapped). */
    public Array unwrapTo(Array x, int to) {
        if (x instanceof BatchTracer t && t.trace == this) return Batching.moveAxis(t.value, t.batchDim, to, axisSize);
        checkNotLeaked(x);
        return Batching.broadcastAt(x, to, axisSize);
    }

    @Override
    public List<Array> process(Primitive p, Params params, List<Array> inputs) {
        if (CallPrimitives.isInlinedCall(p)) return run(() -> CallPrimitives.inline(params, inputs));
        List<Array> vals = new ArrayList<>(inputs.size());
        int[] dims = new int[inputs.size()];
        boolean anyMapped = false;
        for (int i = 0; i < inputs.size(); i++) {
            Array x = inputs.get(i);
            if (x instanceof BatchTracer t && t.trace == this) {
                vals.add(t.value);
                dims[i] = t.batchDim;
                anyMapped = true;
            } else {
                checkNotLeaked(x);
                vals.add(x);
                dims[i] = Batching.NOT_MAPPED;
            }
        }
        if (axisName != null && io.jax4j.prims.Collectives.isCollective(p)
                && axisName.equals(((io.jax4j.prims.Collectives.Named) params).axisName())) {
            Primitive.BatchResult named = inParent(() -> io.jax4j.prims.Collectives.namedAxisRule(p).apply(params, vals, dims, axisSize, span));
            List<Array> outs = new ArrayList<>(named.outputs().size());
            for (int i = 0; i < named.outputs().size(); i++) outs.add(wrap(named.outputs().get(i), named.batchDims()[i]));
            return outs;
        }
        if (!anyMapped) return inParent(() -> p.bind(params, vals));
        Primitive.BatchResult r = inParent(() -> p.batchRule().apply(params, vals, dims));
        List<Array> outs = new ArrayList<>(r.outputs().size());
        for (int i = 0; i < r.outputs().size(); i++) outs.add(wrap(r.outputs().get(i), r.batchDims()[i]));
        return outs;
    }

    static final class BatchTracer extends Tracer {
        final BatchTrace trace;
        final Array value;
        final int batchDim;

        BatchTracer(BatchTrace trace, Array value, int batchDim) {
            this.trace = trace;
            this.value = value;
            this.batchDim = batchDim;
        }

        @Override
        public Trace trace() { return trace; }

        @Override
        public ShapedArray aval() {
            ShapedArray v = value.aval();
            int[] d = v.dims();
            int[] out = new int[d.length - 1];
            for (int i = 0, j = 0; i < d.length; i++) if (i != batchDim) out[j++] = d[i];
            return v.withShape(Shape.of(out));
        }
    }
}
