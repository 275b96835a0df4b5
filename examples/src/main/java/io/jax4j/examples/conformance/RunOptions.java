package io.jax4j.examples.conformance;

/**
 * How checks run. {@code jit}: every computation (values, VJPs, JVPs) is wrapped in
 * {@code Jax.jit}, so it is staged to a jaxpr and executed by the selected backend; otherwise it is
 * evaluated eagerly, primitive by primitive, on the reference implementation.
 */
public record RunOptions(boolean jit) {
    public static final RunOptions EAGER = new RunOptions(false);
    public static final RunOptions JIT = new RunOptions(true);

    public String describe() { return jit ? "jit" : "eager"; }
}
