package io.jax4j.optim;

import io.jax4j.Array;
import io.jax4j.Linalg;
import io.jax4j.Np;
import io.jax4j.Random;
import io.jax4j.tree.Tree;

import java.util.ArrayList;
import java.util.List;

import static io.jax4j.optim.Optim.biasCorrection;
import static io.jax4j.optim.Optim.map;
import static io.jax4j.optim.Optim.map2;
import static io.jax4j.optim.Optim.selectTree;
import static io.jax4j.optim.Optim.stateOf;
import static io.jax4j.optim.Optim.updateMoment;
import static io.jax4j.optim.Optim.w;
import static io.jax4j.optim.Optim.zeroCount;

/**
 * The gradient transformations behind Optax's adabelief, yogi, radam, sm3, novograd, noisy_sgd,
 * adamax, amsgrad, adadelta and rprop, and {@code zero_nans}, written as optax/_src/transform.py and
 * optax/transforms write them; the public names are on {@link Optim}.
 */
final class Optimizers {
    private Optimizers() {}

    /** The NAdam-style or plain bias-corrected first moment, as scale_by_adam/belief/radam compute it. */
    private static Object muHat(Object updates, Object mu, double b1, Array countInc, boolean nesterov) {
        if (!nesterov) return biasCorrection(mu, b1, countInc);
        return map2((m, g) -> m.mul(b1).add(g.mul(1 - b1)),
                biasCorrection(mu, b1, Optim.safeInt32Increment(countInc)), biasCorrection(updates, b1, countInc));
    }

    static GradientTransformation scaleByBelief(double b1, double b2, double eps, double epsRoot, boolean nesterov) {
        return GradientTransformation.of(
                p -> new ScaleByBeliefState(zeroCount(), map(Np::zerosLike, p), map(Np::zerosLike, p)),
                (u, s, p) -> {
                    var st = stateOf("scale_by_belief", ScaleByBeliefState.class, s);
                    Object mu = updateMoment(u, st.mu(), b1, 1);
                    Object predictionError = map2(Array::sub, u, mu);
                    Object nu = map(v -> v.add(epsRoot), updateMoment(predictionError, st.nu(), b2, 2));
                    Array countInc = Optim.safeInt32Increment(st.count());
                    Object nuHat = biasCorrection(nu, b2, countInc);
                    Object out = map2((m, v) -> m.div(Np.sqrt(v).add(eps)), muHat(u, mu, b1, countInc, nesterov), nuHat);
                    return new GradientTransformation.Update(out, new ScaleByBeliefState(countInc, mu, nu));
                });
    }

    static GradientTransformation scaleByYogi(double b1, double b2, double eps, double epsRoot, double initialAccumulatorValue) {
        return GradientTransformation.of(
                p -> new ScaleByAdamState(zeroCount(), map(x -> Np.fullLike(x, initialAccumulatorValue), p),
                        map(x -> Np.fullLike(x, initialAccumulatorValue), p)),
                (u, s, p) -> {
                    var st = stateOf("scale_by_yogi", ScaleByAdamState.class, s);
                    Object mu = updateMoment(u, st.mu(), b1, 1);
                    Object nu = map2((g, v) -> {
                        Array g2 = g.mul(g);
                        return v.sub(Np.sign(v.sub(g2)).mul(g2).mul(1 - b2));
                    }, u, st.nu());
                    Array countInc = Optim.safeInt32Increment(st.count());
                    Object out = map2((m, v) -> m.div(Np.sqrt(v.add(epsRoot)).add(eps)),
                            biasCorrection(mu, b1, countInc), biasCorrection(nu, b2, countInc));
                    return new GradientTransformation.Update(out, new ScaleByAdamState(countInc, mu, nu));
                });
    }

    static GradientTransformation scaleByRadam(double b1, double b2, double eps, double epsRoot, double threshold, boolean nesterov) {
        double roInf = 2.0 / (1.0 - b2) - 1.0;
        return GradientTransformation.of(
                p -> new ScaleByAdamState(zeroCount(), map(Np::zerosLike, p), map(Np::zerosLike, p)),
                (u, s, p) -> {
                    var st = stateOf("scale_by_radam", ScaleByAdamState.class, s);
                    Object mu = updateMoment(u, st.mu(), b1, 1);
                    Object nu = updateMoment(u, st.nu(), b2, 2);
                    Array countInc = Optim.safeInt32Increment(st.count());
                    Array b2t = Np.power(w(b2), countInc);
                    Array ro = w(roInf).sub(countInc.mul(2).mul(b2t).div(b2t.rsub(1)));
                    Object mh = muHat(u, mu, b1, countInc, nesterov);
                    Object nh = biasCorrection(nu, b2, countInc);
                    // r = sqrt((ro - 4)(ro - 2) ro_inf / ((ro_inf - 4)(ro_inf - 2) ro)): NaN while ro < 4, where the plain moment is used
                    Array r = Np.sqrt(ro.sub(4).mul(ro.sub(2)).mul(roInf).div(ro.mul((roInf - 4) * (roInf - 2))));
                    Object rectified = map2((m, v) -> r.astype(m.dtype()).mul(m).div(Np.sqrt(v.add(epsRoot)).add(eps)), mh, nh);
                    Object out = map2((t, f) -> Np.where(ro.ge(threshold), t, f), rectified, mh);
                    return new GradientTransformation.Update(out, new ScaleByAdamState(countInc, mu, nu));
                });
    }

    static GradientTransformation scaleBySm3(double b1, double b2, double eps) {
        return GradientTransformation.of(
                p -> new ScaleBySm3State(Tree.<Array, Object>map(x -> perAxisZeros(x), p), map(Np::zerosLike, p)),
                (u, s, p) -> {
                    var st = stateOf("scale_by_sm3", ScaleBySm3State.class, s);
                    Tree.Flat flat = Tree.flatten(u);
                    List<Object> grads = flat.leaves(), accs = Tree.flattenUpTo(flat.def(), st.mu());
                    List<Object> accum = new ArrayList<>(), newMu = new ArrayList<>();
                    for (int i = 0; i < grads.size(); i++) {
                        Array g = (Array) grads.get(i);
                        @SuppressWarnings("unchecked") List<Array> v = (List<Array>) accs.get(i);
                        Array a = sm3Accumulator(g, v, b2);
                        accum.add(a);
                        newMu.add(sm3NewMu(a));
                    }
                    Object accumTree = Tree.unflatten(flat.def(), accum);
                    Object up = map2((g, a) -> g.mul(Np.where(a.gt(0), io.jax4j.Lax.rsqrt(a.add(eps)), w(0.0))), u, accumTree);
                    Object nu = updateMoment(up, st.nu(), b1, 1);
                    return new GradientTransformation.Update(nu, new ScaleBySm3State(Tree.unflatten(flat.def(), newMu), nu));
                });
    }

    private static List<Array> perAxisZeros(Array x) {
        List<Array> out = new ArrayList<>();
        for (int i = 0; i < x.ndim(); i++) out.add(Np.zeros(x.dtype(), x.dim(i)));
        return out;
    }

    private static Array sm3Accumulator(Array g, List<Array> v, double b2) {
        if (g.ndim() == 0) {
            throw new IllegalArgumentException("scale_by_sm3: a scalar parameter has no axes to keep accumulators for (as in Optax); "
                    + "give it shape [1], or mask it out with Optim.masked");
        }
        double c0 = b2 != 1.0 ? 1.0 - b2 : 1.0;
        Array g2 = g.mul(g).mul(c0);
        if (g.ndim() < 2) return g2.add(v.getFirst().mul(b2));
        Array min = null;
        for (int i = 0; i < g.ndim(); i++) {
            int[] expanded = new int[g.ndim()];
            java.util.Arrays.fill(expanded, 1);
            expanded[i] = g.dim(i);
            Array vi = v.get(i).reshape(expanded);
            min = min == null ? vi : Np.minimum(min, vi);
        }
        return g2.add(min.mul(b2));
    }

    private static List<Array> sm3NewMu(Array accum) {
        List<Array> out = new ArrayList<>();
        if (accum.ndim() < 2) {
            out.add(accum);
            return out;
        }
        for (int i = 0; i < accum.ndim(); i++) {
            int axis = i;
            int[] others = java.util.stream.IntStream.range(0, accum.ndim()).filter(a -> a != axis).toArray();
            out.add(Np.max(accum, others));
        }
        return out;
    }

    static GradientTransformation scaleByNovograd(double b1, double b2, double eps, double epsRoot, double weightDecay) {
        return GradientTransformation.of(
                p -> new ScaleByNovogradState(zeroCount(), map(Np::zerosLike, p), map(x -> Np.zeros(x.dtype()), p)),
                (u, s, p) -> {
                    if (p == null) throw new IllegalArgumentException("scale_by_novograd.update: needs the params (its weight decay reads them)");
                    var st = stateOf("scale_by_novograd", ScaleByNovogradState.class, s);
                    Array countInc = Optim.safeInt32Increment(st.count());
                    Array first = countInc.eq(1);
                    Object norms = map(g -> Np.integerPow(Linalg.norm(g), 2), u);
                    Object nu = selectTree(first, map2((n, old) -> n.astype(old.dtype()), norms, st.nu()), updateMoment(norms, st.nu(), b2, 1));
                    Object step = Tree.map(xs -> {
                        Array g = (Array) xs.get(0), param = (Array) xs.get(1), n = (Array) xs.get(2);
                        return g.div(Np.sqrt(n.add(epsRoot)).add(eps)).add(param.mul(weightDecay));
                    }, u, p, nu);
                    Object mu = selectTree(first, step, map2((m, a) -> m.mul(b1).add(a), st.mu(), step));
                    return new GradientTransformation.Update(mu, new ScaleByNovogradState(countInc, mu, nu));
                });
    }

    static GradientTransformation addNoise(double eta, double gamma, Array key) {
        return GradientTransformation.of(
                p -> new AddNoiseState(zeroCount(), key),
                (u, s, p) -> {
                    var st = stateOf("add_noise", AddNoiseState.class, s);
                    Array countInc = Optim.safeInt32Increment(st.count());
                    Array std = Np.sqrt(w(eta).div(Np.power(countInc, gamma)));
                    Array split = Random.split(st.rngKey());
                    Array next = split.get(0), sample = split.get(1);
                    Tree.Flat flat = Tree.flatten(u);
                    Array keys = Random.split(sample, flat.leaves().size());
                    List<Object> noisy = new ArrayList<>();
                    for (int i = 0; i < flat.leaves().size(); i++) {
                        Array g = (Array) flat.leaves().get(i);
                        noisy.add(g.add(std.mul(Random.normal(keys.get(i), g.shape(), g.dtype()))));
                    }
                    return new GradientTransformation.Update(Tree.unflatten(flat.def(), noisy), new AddNoiseState(countInc, next));
                });
    }

    static GradientTransformation zeroNans() {
        return GradientTransformation.of(
                p -> new ZeroNansState(map(x -> Array.of(false).reshape(), p)),
                (u, s, p) -> {
                    Object found = map(g -> Np.any(Np.isnan(g)), u);
                    Object out = map(g -> Np.where(Np.isnan(g), Np.zerosLike(g), g), u);
                    return new GradientTransformation.Update(out, new ZeroNansState(found));
                });
    }

    static GradientTransformation scaleByAdamax(double b1, double b2, double eps) {
        return GradientTransformation.of(
                p -> new ScaleByAdamState(zeroCount(), map(Np::zerosLike, p), map(Np::zerosLike, p)),
                (u, s, p) -> {
                    var st = stateOf("scale_by_adamax", ScaleByAdamState.class, s);
                    Array countInc = Optim.safeInt32Increment(st.count());
                    Object mu = updateMoment(u, st.mu(), b1, 1);
                    Object nu = map2((g, t) -> Np.maximum(Np.abs(g).add(eps), t.mul(b2)), u, st.nu());   // the infinity moment
                    Object out = map2(Array::div, biasCorrection(mu, b1, countInc), nu);
                    return new GradientTransformation.Update(out, new ScaleByAdamState(countInc, mu, nu));
                });
    }

    static GradientTransformation scaleByAmsgrad(double b1, double b2, double eps, double epsRoot, boolean biasCorrectionMu, boolean biasCorrectionNu) {
        return GradientTransformation.of(
                p -> new ScaleByAmsgradState(zeroCount(), map(Np::zerosLike, p), map(Np::zerosLike, p), map(Np::zerosLike, p)),
                (u, s, p) -> {
                    var st = stateOf("scale_by_amsgrad", ScaleByAmsgradState.class, s);
                    Object mu = updateMoment(u, st.mu(), b1, 1);
                    Object nu = updateMoment(u, st.nu(), b2, 2);
                    Array countInc = Optim.safeInt32Increment(st.count());
                    Object muHat = biasCorrectionMu ? biasCorrection(mu, b1, countInc) : mu;
                    Object nuEff = biasCorrectionNu ? biasCorrection(nu, b2, countInc) : nu;
                    Object nuMax = map2(Np::maximum, st.nuMax(), nuEff);
                    Object out = map2((m, v) -> m.div(Np.sqrt(v.add(epsRoot)).add(eps)), muHat, nuMax);
                    return new GradientTransformation.Update(out, new ScaleByAmsgradState(countInc, mu, nu, nuMax));
                });
    }

    static GradientTransformation scaleByAdadelta(double rho, double eps) {
        return GradientTransformation.of(
                p -> new ScaleByAdaDeltaState(map(Np::zerosLike, p), map(Np::zerosLike, p)),
                (u, s, p) -> {
                    var st = stateOf("scale_by_adadelta", ScaleByAdaDeltaState.class, s);
                    Object eG = updateMoment(u, st.eG(), rho, 2);
                    Object out = Tree.map(xs -> {
                        Array g = (Array) xs.get(0), curEg = (Array) xs.get(1), prevEx = (Array) xs.get(2);
                        return Np.sqrt(prevEx.add(eps)).div(Np.sqrt(curEg.add(eps))).mul(g);
                    }, u, eG, st.eX());
                    Object eX = updateMoment(out, st.eX(), rho, 2);
                    return new GradientTransformation.Update(out, new ScaleByAdaDeltaState(eG, eX));
                });
    }

    static GradientTransformation scaleByRprop(double learningRate, double etaMinus, double etaPlus, double minStepSize, double maxStepSize) {
        return GradientTransformation.of(
                p -> new ScaleByRpropState(map(x -> Np.fullLike(x, learningRate), p), map(Np::zerosLike, p)),
                (u, s, p) -> {
                    var st = stateOf("scale_by_rprop", ScaleByRpropState.class, s);
                    Object sign = map2(Array::mul, u, st.prevUpdates());
                    Object stepSizes = map2((sg, size) -> Np.where(sg.eq(0), size,
                            Np.clip(size.mul(Np.where(sg.gt(0), w(etaPlus), w(etaMinus))), minStepSize, maxStepSize)), sign, st.stepSizes());
                    Object prevUpdates = Tree.map(xs -> {
                        Array sg = (Array) xs.get(0), g = (Array) xs.get(1), size = (Array) xs.get(2);
                        return Np.where(sg.lt(0), Np.zerosLike(g), size.mul(Np.sign(g)));
                    }, sign, u, stepSizes);
                    Object out = Tree.map(xs -> {
                        Array sg = (Array) xs.get(0), next = (Array) xs.get(1), prev = (Array) xs.get(2);
                        return Np.where(sg.lt(0), Np.zerosLike(prev), next);
                    }, sign, prevUpdates, st.prevUpdates());
                    return new GradientTransformation.Update(out, new ScaleByRpropState(stepSizes, prevUpdates));
                });
    }
}
