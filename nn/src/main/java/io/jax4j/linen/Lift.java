package io.jax4j.linen;

import io.jax4j.autodiff.ControlFlow;

import java.util.List;
import java.util.function.Function;

/**
 * Flax's lifted transforms, applied to one submodule call: the call becomes a pure function of the
 * submodule's variables (every collection of its scope) and rng streams, the JAX transformation is
 * applied to that function, and the collections it updates (params at init, {@code batch_stats} with
 * {@code mutable}) are written back into the submodule's scope. The submodule is named as it would be
 * without the transform ({@code Dense_0}; Flax names a lifted class {@code CheckpointDense_0}).
 *
 * <pre>{@code
 * // h = nn.remat(nn.Dense)(features=512)(x)
 * Array h = Lift.remat(new Dense(512), d -> d.call(x));
 * }</pre>
 */
public final class Lift {
    private Lift() {}

    /**
     * {@code nn.remat} ({@code nn.checkpoint}): the submodule's forward pass is recomputed in the
     * backward pass instead of storing its intermediates ({@link ControlFlow#checkpoint}); values and
     * gradients are those of the plain call.
     */
    public static <M extends Module, T> T remat(M module, Function<? super M, T> call) {
        Scope parent = Scope.current();
        Scope child = parent.childFor(module, Module.ModuleNames.nameIn(parent.module, module));
        io.vavr.Function1<Variables, List<Object>> pure = vars -> {
            Scope root = child.liftedRoot(vars);
            T out = root.run(() -> call.apply(module));
            return List.of(out, root.mutableVariables(false));
        };
        List<Object> r = ControlFlow.checkpoint(pure).apply(child.subtree());
        child.writeBack((Variables) r.get(1));
        @SuppressWarnings("unchecked") T out = (T) r.get(0);
        return out;
    }
}
