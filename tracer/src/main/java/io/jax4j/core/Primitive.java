package io.jax4j.core;

import io.jax4j.Array;
import io.jax4j.ShapedArray;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A primitive operation: its name, its typed parameters and, in one place, all of its rules.
 *
 * <p>The rules are the checklist of autodidax: abstract evaluation (shape and dtype), a reference
 * implementation in plain Java (the oracle), a JVP rule (or a declared zero JVP), a transpose rule
 * exactly when the primitive is linear in some operands, and a batching rule. A primitive is defined
 * once, in its family class under {@code io.jax4j.prims}, with the fluent setters below; a missing
 * rule is reported by {@link MissingRuleError} naming the primitive and the kind of rule.
 *
 * <p>{@link #bind} applies the primitive on the current trace ({@link Trace#current()}).
 */
public final class Primitive {

    /** Properties that passes and fusion use instead of name checks. */
    public enum Property { ELEMENTWISE, LINEAR, REDUCTION, MOVEMENT, HIGHER_ORDER, EFFECTFUL }

    @FunctionalInterface
    public interface AbstractEvalRule { List<ShapedArray> apply(Params params, List<ShapedArray> inputs); }

    @FunctionalInterface
    public interface ImplRule { List<Array> apply(Params params, List<ArrayImpl> inputs); }

    /** Tangents are {@code null} where symbolically zero; the result uses {@code null} the same way. */
    @FunctionalInterface
    public interface JvpRule { JvpResult apply(Params params, List<Array> primals, List<Array> tangents); }

    /**
     * Cotangents of the outputs ({@code null} = zero) and the operands, where the linear ones are
     * {@link UndefinedPrimal}; returns one cotangent per operand ({@code null} where none).
     */
    @FunctionalInterface
    public interface TransposeRule { List<Array> apply(Params params, List<Array> cotangents, List<Object> operands); }

    /** Batch dimensions are {@link Batching#NOT_MAPPED} for unbatched operands. */
    @FunctionalInterface
    public interface BatchRule { BatchResult apply(Params params, List<Array> operands, int[] batchDims); }

    public record JvpResult(List<Array> primals, List<Array> tangents) {}

    public record BatchResult(List<Array> outputs, int[] batchDims) {
        public static BatchResult single(Array out, int dim) { return new BatchResult(List.of(out), new int[]{dim}); }
    }

    private final String name;
    private final Set<Property> properties = EnumSet.noneOf(Property.class);
    private AbstractEvalRule abstractEval;
    private ImplRule impl;
    private JvpRule jvp;
    private boolean zeroJvp;
    private TransposeRule transpose;
    private BatchRule batch;

    public Primitive(String name) {
        this.name = name;
        PrimitiveRegistry.register(this);
    }

    public String name() { return name; }

    public Set<Property> properties() { return properties; }

    public boolean has(Property p) { return properties.contains(p); }

    // ---- definition (fluent, used only in the primitive's definition block)

    public Primitive withProperties(Property... ps) { properties.addAll(List.of(ps)); return this; }

    public Primitive abstractEval(AbstractEvalRule r) { this.abstractEval = r; return this; }

    public Primitive impl(ImplRule r) { this.impl = r; return this; }

    public Primitive jvp(JvpRule r) { this.jvp = r; return this; }

    /** Declares that the primitive's outputs do not depend differentiably on its inputs. */
    public Primitive zeroJvp() { this.zeroJvp = true; return this; }

    public Primitive transpose(TransposeRule r) { this.transpose = r; properties.add(Property.LINEAR); return this; }

    public Primitive batch(BatchRule r) { this.batch = r; return this; }

    // ---- rule access

    public boolean hasAbstractEval() { return abstractEval != null; }
    public boolean hasImpl() { return impl != null; }
    public boolean hasJvp() { return jvp != null || zeroJvp; }
    public boolean isZeroJvp() { return zeroJvp; }
    public boolean hasTranspose() { return transpose != null; }
    public boolean hasBatch() { return batch != null; }

    public List<ShapedArray> abstractEval(Params params, List<ShapedArray> inputs) {
        if (abstractEval == null) throw new MissingRuleError(this, "abstract evaluation");
        return abstractEval.apply(params, inputs);
    }

    public List<Array> impl(Params params, List<ArrayImpl> inputs) {
        if (impl == null) throw new MissingRuleError(this, "implementation");
        return impl.apply(params, inputs);
    }

    public JvpRule jvpRule() {
        if (jvp == null) throw new MissingRuleError(this, "JVP (differentiation)");
        return jvp;
    }

    public TransposeRule transposeRule() {
        if (transpose == null) throw new MissingRuleError(this, "transpose");
        return transpose;
    }

    public BatchRule batchRule() {
        if (batch == null) throw new MissingRuleError(this, "batching (vmap)");
        return batch;
    }

    // ---- application

    /** Applies the primitive on the current trace. */
    public List<Array> bind(Params params, List<Array> inputs) {
        return Trace.current().process(this, params, inputs);
    }

    /** Applies a single-output primitive on the current trace. */
    public Array bind1(Params params, Array... inputs) {
        return bind(params, List.of(inputs)).getFirst();
    }

    @Override
    public String toString() { return name; }

    /** Raised when a transformation needs a rule the primitive does not define. */
    public static final class MissingRuleError extends Jax4jException {
        public MissingRuleError(Primitive p, String kind) {
            super("no " + kind + " rule defined for primitive '" + p.name + "'");
        }
    }
}
