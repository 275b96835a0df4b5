package io.jax4j.core;

import io.jax4j.ir.Jaxpr;
import io.jax4j.spi.Backend;
import io.jax4j.spi.Executable;

import java.util.List;

/** The oracle: runs a jaxpr equation by equation with the primitives' reference implementations. */
public final class ReferenceBackend implements Backend {
    public static final ReferenceBackend INSTANCE = new ReferenceBackend();

    private ReferenceBackend() {}

    @Override
    public String name() { return "reference"; }

    @Override
    public int priority() { return 0; }

    @Override
    public boolean isAvailable() { return true; }

    @Override
    public Executable compile(Jaxpr jaxpr, boolean[] donated, String name) {
        return args -> EvalTrace.INSTANCE.run(() -> Interpreter.eval(jaxpr, List.of(), args));
    }

    @Override
    public String describe() { return "reference: pure-Java interpreter of jaxprs (the oracle)"; }
}
