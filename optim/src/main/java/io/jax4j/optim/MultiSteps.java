package io.jax4j.optim;

import io.jax4j.Array;
import io.jax4j.Np;

import java.util.List;
import java.util.Objects;

/**
 * Optax's {@code MultiSteps}: gradient accumulation. The inner optimizer is applied once every
 * {@code k} calls to the (mean, or sum) of the gradients accumulated since; the calls in between
 * return zero updates. Both branches are computed and selected (Optax's {@code lax.cond}), so it
 * runs under {@code jit}.
 */
public final class MultiSteps {
    private final GradientTransformation opt;
    private final Schedule everyKSchedule;
    private final boolean useGradMean;

    public MultiSteps(GradientTransformation opt, Schedule everyKSchedule, boolean useGradMean) {
        this.opt = Objects.requireNonNull(opt, "opt is null");
        this.everyKSchedule = Objects.requireNonNull(everyKSchedule, "everyKSchedule is null");
        this.useGradMean = useGradMean;
    }

    /** Accumulates the mean of {@code everyKSteps} gradients. */
    public MultiSteps(GradientTransformation opt, int everyKSteps) {
        this(opt, constantSteps(everyKSteps), true);
    }

    private static Schedule constantSteps(int k) {
        if (k < 1) throw new IllegalArgumentException("MultiSteps: everyKSteps must be >= 1, got " + k);
        return step -> Array.weak(k);
    }

    public Object init(Object params) {
        return new MultiStepsState(Array.scalar(0), Array.scalar(0), opt.init(params), Optim.map(Np::zerosLike, params), List.of());
    }

    public GradientTransformation.Update update(Object updates, Object state, Object params) {
        var st = (MultiStepsState) state;
        Array k = everyKSchedule.apply(st.gradientStep());
        Array n = st.miniStep();
        // acc + (g - acc) / (n + 1): the running mean of the n + 1 gradients so far
        Object acc = Optim.map2((g, a) -> useGradMean ? a.add(g.sub(a).div(n.add(1))) : a.add(g), updates, st.accGrads());
        var fin = opt.update(acc, st.innerOptState(), params);
        Array mid = n.lt(k.sub(1));
        Object out = Optim.selectTree(mid, Optim.map(Np::zerosLike, fin.updates()), fin.updates());
        Object inner = Optim.selectTree(mid, st.innerOptState(), fin.state());
        Object nextAcc = Optim.selectTree(mid, acc, Optim.map(Np::zerosLike, acc));
        Array miniStep = Np.where(mid, Optim.safeInt32Increment(n), Array.scalar(0));
        Array gradientStep = Np.where(mid, st.gradientStep(), Optim.safeInt32Increment(st.gradientStep()));
        return new GradientTransformation.Update(out, new MultiStepsState(miniStep, gradientStep, inner, nextAcc, st.skipState()));
    }

    /** True right after the inner optimizer was applied: {@code mini_step == 0 and gradient_step > 0}. */
    public Array hasUpdated(MultiStepsState state) {
        return Np.logicalAnd(state.miniStep().eq(0), state.gradientStep().gt(0));
    }

    /** This accumulation as a plain {@link GradientTransformation}. */
    public GradientTransformation gradientTransformation() {
        return GradientTransformation.of(this::init, this::update);
    }
}
