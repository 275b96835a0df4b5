package io.jax4j.optim;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Lax;
import io.jax4j.Np;
import io.jax4j.tree.KeyPath;
import io.jax4j.tree.Tree;
import io.jax4j.tree.TreeStructureError;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Optax in Java: gradient transformations over pytrees, optimizers as chains of them, and the
 * combinators ({@code chain}, {@code masked}, {@code multiTransform}, {@code injectHyperparams},
 * {@code applyIfFinite}). Formulas, defaults and state layouts follow Optax 0.2 exactly: counters
 * are int32 scalars incremented with {@code safe_int32_increment} before bias correction, epsilon
 * sits where Optax puts it, and each state record's components, in snake_case, are Optax's field
 * names (so a state serialises in Optax's layout).
 */
public final class Optim {
    private Optim() {}

    // ---------------------------------------------------------------- tree helpers

    static Object map(Function<Array, Array> f, Object tree) {
        return Tree.<Array, Object>map(f, tree);
    }

    /**
     * {@code f} leaf by leaf over two trees whose array leaves have equal shapes (the updates and a state
     * or the params); a leaf of another shape is an error naming its key path and both shapes, instead of
     * a broadcast error deep inside {@code f}.
     */
    static Object map2(BiFunction<Array, Array, Array> f, Object a, Object b) {
        checkLeafShapes(a, b, "optimizer update", "the update (gradient) is", "the matching leaf of the optimizer state or params is");
        return Tree.<Array, Array, Object>map2(f, a, b);
    }

    private static void checkLeafShapes(Object a, Object b, String fn, String aIs, String bIs) {
        List<Tree.PathLeaf> as = Tree.flattenWithPath(a);
        List<Object> bs = Tree.leaves(b);
        if (as.size() != bs.size()) return;                 // Tree.map2 names the structure difference
        for (int i = 0; i < as.size(); i++) {
            if (as.get(i).leaf() instanceof Array x && bs.get(i) instanceof Array y && x.ndim() > 0 && y.ndim() > 0
                    && !Arrays.equals(x.shape(), y.shape())) {
                String path = as.get(i).path().toString();
                throw new IllegalArgumentException(fn + ": at key path " + (path.isEmpty() ? "(the root)" : path) + " " + aIs + " " + x.aval().str()
                        + " but " + bIs + " " + y.aval().str() + "; each gradient must have its parameter's shape"
                        + " (was it computed for another model, or transposed?)");
            }
        }
    }

    static Array w(double v) { return Array.weak(v); }

    static Array zeroCount() { return Array.scalar(0); }

    /** Optax's {@code safe_int32_increment}: {@code count + 1}, saturating at the int32 maximum. */
    public static Array safeInt32Increment(Array count) {
        return Np.where(count.lt(Integer.MAX_VALUE), count.add(1), Array.weak(Integer.MAX_VALUE));
    }

    /** {@code where(c, a, b)} leaf by leaf over two trees of one structure (lax.cond on both branches). */
    static Object selectTree(Array c, Object onTrue, Object onFalse) {
        return Tree.map(xs -> {
            Object a = xs.get(0), b = xs.get(1);
            if (a instanceof Array x && b instanceof Array y) return Np.where(c, x, y).astype(x.dtype());
            return a;
        }, onTrue, onFalse);
    }

    // ---------------------------------------------------------------- core

    /** {@code apply_updates}: {@code p + u}, cast back to p's dtype. */
    public static Object applyUpdates(Object params, Object updates) {
        checkLeafShapes(params, updates, "apply_updates", "the parameter is", "the update is");
        return Tree.<Array, Array, Object>map2((p, u) -> p.add(u).astype(p.dtype()), params, updates);
    }

    /**
     * The state {@code s} of the transformation {@code fn} as its state type; a state of another type (another
     * optimizer's, or a chain's list handed to a single transformation) is an error naming both types.
     */
    static <S> S stateOf(String fn, Class<S> type, Object s) {
        if (type.isInstance(s)) return type.cast(s);
        throw new IllegalArgumentException(fn + ".update: the optimizer state is " + describeState(s) + " but " + fn + " keeps a "
                + type.getSimpleName() + "; was the state made by another optimizer's init? Pass the state that this optimizer's"
                + " init(params) returned");
    }

    /** A state for an error message: its type, and for a chain's list the types of its entries. */
    static String describeState(Object s) {
        if (s == null) return "null";
        if (s instanceof List<?> l) {
            return "a chain state of " + l.size() + " entries " + l.stream().map(e -> e == null ? "null" : e.getClass().getSimpleName()).toList();
        }
        return "a " + s.getClass().getSimpleName();
    }

    /** {@code chain}: applies the transformations in order; the state is the list of their states; extra arguments go to each. */
    public static GradientTransformation chain(GradientTransformation... transforms) {
        var txs = List.of(transforms);
        return new GradientTransformation() {
            @Override
            public Object init(Object params) {
                var states = new Object[txs.size()];
                for (int i = 0; i < states.length; i++) states[i] = txs.get(i).init(params);
                return Collections.unmodifiableList(Arrays.asList(states));
            }

            @Override
            public Update update(Object updates, Object state, Object params) { return update(updates, state, params, Map.of()); }

            @Override
            public Update update(Object updates, Object state, Object params, Map<String, ?> extraArgs) {
                if (!(state instanceof List<?> states)) {
                    throw new IllegalArgumentException("chain.update: the optimizer state is " + describeState(state) + " but this chain of "
                            + txs.size() + " transformations keeps a list of their " + txs.size() + " states; was the state made by another"
                            + " optimizer's init? Pass the state that this optimizer's init(params) returned");
                }
                if (states.size() != txs.size()) {
                    throw new IllegalArgumentException("chain.update: the state has " + states.size() + " entries but the chain has "
                            + txs.size() + " transformations (was it made by this chain's init?)");
                }
                var next = new Object[txs.size()];
                Object u = updates;
                for (int i = 0; i < next.length; i++) {
                    var r = txs.get(i).update(u, states.get(i), params, extraArgs);
                    u = r.updates();
                    next[i] = r.state();
                }
                return new Update(u, Collections.unmodifiableList(Arrays.asList(next)));
            }
        };
    }

    static GradientTransformation stateless(Function<Object, Object> f) {
        return GradientTransformation.of(p -> new EmptyState(), (u, s, p) -> new GradientTransformation.Update(f.apply(u), s));
    }

    static GradientTransformation statelessWithParams(String name, BiFunction<Object, Object, Object> f) {
        return GradientTransformation.of(p -> new EmptyState(), (u, s, p) -> {
            if (p == null) throw new IllegalArgumentException(name + ": this transformation reads the params; pass them to update(updates, state, params)");
            return new GradientTransformation.Update(f.apply(u, p), s);
        });
    }

    /** {@code identity}: updates unchanged, {@link EmptyState}. */
    public static GradientTransformation identity() { return stateless(u -> u); }

    /** {@code set_to_zero}: every update becomes zero (frozen parameters). */
    public static GradientTransformation setToZero() { return stateless(u -> map(Np::zerosLike, u)); }

    /** {@code scale(step_size)}: {@code step_size * g}. */
    public static GradientTransformation scale(double stepSize) { return stateless(u -> map(g -> g.mul(stepSize), u)); }

    /** {@code scale} by an array (a dynamic hyperparameter): {@code step_size * g}. */
    public static GradientTransformation scale(Array stepSize) { return stateless(u -> map(g -> stepSize.mul(g), u)); }

    /** {@code scale_by_schedule}: {@code schedule(count) * g}, then {@code count + 1}. */
    public static GradientTransformation scaleBySchedule(Schedule schedule) {
        Objects.requireNonNull(schedule, "schedule is null");
        return GradientTransformation.of(p -> new ScaleByScheduleState(zeroCount()), (u, s, p) -> {
            Array count = stateOf("scale_by_schedule", ScaleByScheduleState.class, s).count();
            Array stepSize = schedule.apply(count);
            Object out = map(g -> stepSize.astype(g.dtype()).mul(g), u);
            return new GradientTransformation.Update(out, new ScaleByScheduleState(safeInt32Increment(count)));
        });
    }

    /** {@code scale_by_learning_rate}: scales by {@code -lr} (by {@code lr} when {@code flipSign} is false). */
    public static GradientTransformation scaleByLearningRate(LearningRate lr, boolean flipSign) {
        double m = flipSign ? -1 : 1;
        return switch (Objects.requireNonNull(lr, "lr is null")) {
            case LearningRate.Constant c -> scale(m * c.value());
            case LearningRate.Scheduled s -> scaleBySchedule(count -> s.schedule().apply(count).mul(m));
            case LearningRate.Dynamic d -> scale(d.value().mul(m));
        };
    }

    /** {@code scale_by_learning_rate(lr)}: scales the updates by {@code -lr} (a constant or a schedule of the step). */
    public static GradientTransformation scaleByLearningRate(LearningRate lr) { return scaleByLearningRate(lr, true); }

    /** {@code scale_by_learning_rate(lr)}: scales the updates by {@code -lr} (a constant or a schedule of the step). */
    public static GradientTransformation scaleByLearningRate(double lr) { return scaleByLearningRate(LearningRate.of(lr), true); }

    /** {@code scale_by_learning_rate(lr)}: scales the updates by {@code -lr} (a constant or a schedule of the step). */
    public static GradientTransformation scaleByLearningRate(Schedule lr) { return scaleByLearningRate(LearningRate.of(lr), true); }

    // ---------------------------------------------------------------- moments

    /** Optax's {@code update_moment}: {@code (1 - decay) * g^order + decay * t}. */
    static Object updateMoment(Object updates, Object moments, double decay, int order) {
        return map2((g, t) -> Np.integerPow(g, order).mul(1 - decay).add(t.mul(decay)), updates, moments);
    }

    /** Optax's {@code bias_correction}: {@code t / (1 - decay^count)}, the divisor cast to t's dtype. */
    static Object biasCorrection(Object moment, double decay, Array count) {
        Array correction = Np.power(w(decay), count).rsub(1);
        return map(t -> t.div(correction.astype(t.dtype())), moment);
    }

    /**
     * {@code scale_by_adam}: {@code mu_hat / (sqrt(nu_hat + eps_root) + eps)} with
     * {@code mu = b1 mu + (1 - b1) g}, {@code nu = b2 nu + (1 - b2) g^2}, bias-corrected with the
     * incremented count; {@code nesterov} uses {@code b1 mu_hat(t+1) + (1 - b1) g_hat(t)} (NAdam).
     */
    public static GradientTransformation scaleByAdam(double b1, double b2, double eps, double epsRoot, boolean nesterov) {
        return GradientTransformation.of(
                p -> new ScaleByAdamState(zeroCount(), map(Np::zerosLike, p), map(Np::zerosLike, p)),
                (u, s, p) -> {
                    var st = stateOf("scale_by_adam", ScaleByAdamState.class, s);
                    Object mu = updateMoment(u, st.mu(), b1, 1);
                    Object nu = updateMoment(u, st.nu(), b2, 2);
                    Array countInc = safeInt32Increment(st.count());
                    Object muHat = nesterov
                            ? map2((m, g) -> m.mul(b1).add(g.mul(1 - b1)),
                                   biasCorrection(mu, b1, safeInt32Increment(countInc)), biasCorrection(u, b1, countInc))
                            : biasCorrection(mu, b1, countInc);
                    Object nuHat = biasCorrection(nu, b2, countInc);
                    Object out = map2((m, v) -> m.div(Np.sqrt(v.add(epsRoot)).add(eps)), muHat, nuHat);
                    return new GradientTransformation.Update(out, new ScaleByAdamState(countInc, mu, nu));
                });
    }

    /** {@code optax.scale_by_adam()} with Optax's defaults for the other arguments. */
    public static GradientTransformation scaleByAdam() { return scaleByAdam(0.9, 0.999, 1e-8, 0.0, false); }

    /**
     * {@code scale_by_rms}: {@code g / sqrt(nu + eps)} ({@code g / (sqrt(nu) + eps)} when
     * {@code epsInSqrt} is false) with {@code nu = decay nu + (1 - decay) g^2}, nu starting at
     * {@code initialScale}.
     */
    public static GradientTransformation scaleByRms(double decay, double eps, double initialScale, boolean epsInSqrt) {
        return GradientTransformation.of(
                p -> new ScaleByRmsState(map(x -> Np.fullLike(x, initialScale), p)),
                (u, s, p) -> {
                    Object nu = updateMoment(u, stateOf("scale_by_rms", ScaleByRmsState.class, s).nu(), decay, 2);
                    Object out = map2((g, n) -> epsInSqrt ? g.div(Np.sqrt(n.add(eps))) : g.div(Np.sqrt(n).add(eps)), u, nu);
                    return new GradientTransformation.Update(out, new ScaleByRmsState(nu));
                });
    }

    /** {@code optax.scale_by_rms()} with Optax's defaults for the other arguments. */
    public static GradientTransformation scaleByRms() { return scaleByRms(0.9, 1e-8, 0.0, true); }

    /** {@code scale_by_rss} (adagrad): {@code g * rsqrt(sum + eps)} where the sum of squares is positive, else 0. */
    public static GradientTransformation scaleByRss(double initialAccumulatorValue, double eps) {
        return GradientTransformation.of(
                p -> new ScaleByRssState(map(x -> Np.fullLike(x, initialAccumulatorValue), p)),
                (u, s, p) -> {
                    Object sum = map2((g, t) -> g.mul(g).add(t), u, stateOf("scale_by_rss", ScaleByRssState.class, s).sumOfSquares());
                    Object inv = map(t -> Np.where(t.gt(0), Lax.rsqrt(t.add(eps)), w(0.0)), sum);
                    return new GradientTransformation.Update(map2(Array::mul, inv, u), new ScaleByRssState(sum));
                });
    }

    /** {@code trace}: momentum {@code t = g + decay t}; nesterov returns {@code g + decay t_new}. */
    public static GradientTransformation traceMomentum(double decay, boolean nesterov) {
        BiFunction<Array, Array, Array> f = (g, t) -> g.add(t.mul(decay));
        return GradientTransformation.of(
                p -> new TraceState(map(Np::zerosLike, p)),
                (u, s, p) -> {
                    Object trace = map2(f, u, stateOf("trace", TraceState.class, s).trace());
                    Object out = nesterov ? map2(f, u, trace) : trace;
                    return new GradientTransformation.Update(out, new TraceState(trace));
                });
    }

    /** {@code scale_by_lion}: {@code sign((1 - b1) g + b1 mu)}, then {@code mu = b2 mu + (1 - b2) g}. */
    public static GradientTransformation scaleByLion(double b1, double b2) {
        return GradientTransformation.of(
                p -> new ScaleByLionState(zeroCount(), map(Np::zerosLike, p)),
                (u, s, p) -> {
                    var st = stateOf("scale_by_lion", ScaleByLionState.class, s);
                    Object out = map2((g, m) -> Np.sign(g.mul(1 - b1).add(m.mul(b1))), u, st.mu());
                    Object mu = updateMoment(u, st.mu(), b2, 1);
                    return new GradientTransformation.Update(out, new ScaleByLionState(safeInt32Increment(st.count()), mu));
                });
    }

    /** {@code ema}: {@code ema = decay ema + (1 - decay) g}, bias-corrected when {@code debias}. */
    public static GradientTransformation ema(double decay, boolean debias) {
        return GradientTransformation.of(
                p -> new EmaState(zeroCount(), map(Np::zerosLike, p)),
                (u, s, p) -> {
                    var st = stateOf("ema", EmaState.class, s);
                    Object ema = updateMoment(u, st.ema(), decay, 1);
                    Array countInc = safeInt32Increment(st.count());
                    Object out = debias ? biasCorrection(ema, decay, countInc) : ema;
                    return new GradientTransformation.Update(out, new EmaState(countInc, ema));
                });
    }

    // ---------------------------------------------------------------- norms, clipping, weight decay

    /** {@code global_norm}: {@code sqrt(sum over leaves of sum(x^2))}. */
    public static Array globalNorm(Object tree) {
        Array total = null;
        for (Array x : Tree.leavesOfType(tree, Array.class)) {
            Array s = Np.sum(x.mul(x));
            total = total == null ? s : total.add(s);
        }
        return total == null ? Array.scalar(0f) : Np.sqrt(total);
    }

    /** {@code clip_by_global_norm}: {@code g * max_norm / ||g||} when the global norm is at least {@code maxNorm}. */
    public static GradientTransformation clipByGlobalNorm(double maxNorm) {
        return stateless(u -> {
            Array norm = globalNorm(u);
            Array trigger = norm.lt(maxNorm);
            return map(t -> Np.where(trigger, t, t.div(norm.astype(t.dtype())).mul(maxNorm)), u);
        });
    }

    /** {@code clip}: each element into {@code [-maxDelta, maxDelta]}. */
    public static GradientTransformation clip(double maxDelta) {
        return stateless(u -> map(g -> Np.clip(g, -maxDelta, maxDelta), u));
    }

    /** {@code clip_by_block_rms}: {@code u / max(1, rms(u) / threshold)} per leaf. */
    public static GradientTransformation clipByBlockRms(double threshold) {
        return stateless(u -> map(x -> x.div(Np.maximum(w(1.0), Np.sqrt(Np.mean(x.mul(x))).div(threshold))), u));
    }

    /** {@code add_decayed_weights}: {@code g + weight_decay * p}, only where {@code mask} (nullable) holds. */
    public static GradientTransformation addDecayedWeights(double weightDecay, Object mask) {
        var tx = statelessWithParams("addDecayedWeights", (u, p) -> map2((g, x) -> g.add(x.mul(weightDecay)), u, p));
        return mask == null ? tx : masked(tx, mask);
    }

    /** {@code optax.add_decayed_weights(weight_decay)}: every parameter decayed (no mask). */
    public static GradientTransformation addDecayedWeights(double weightDecay) { return addDecayedWeights(weightDecay, null); }

    /** The norm of a leaf, {@code minNorm} where it is at most {@code minNorm} (Optax's {@code safe_norm}). */
    static Array safeNorm(Array x, double minNorm) {
        Array norm = Np.sqrt(Np.sum(x.mul(x)));
        Array small = norm.le(minNorm);
        Array y = Np.where(small, Np.onesLike(x), x);
        return Np.where(small, w(minNorm), Np.sqrt(Np.sum(y.mul(y))));
    }

    /** {@code scale_by_trust_ratio} (LAMB): {@code u * ||p|| / ||u||}, 1 where either norm is 0. */
    public static GradientTransformation scaleByTrustRatio(double minNorm, double trustCoefficient, double eps) {
        return statelessWithParams("scaleByTrustRatio", (u, p) -> map2((g, x) -> {
            Array pn = safeNorm(x, minNorm), un = safeNorm(g, minNorm);
            Array ratio = pn.mul(trustCoefficient).div(un.add(eps));
            Array zero = Np.logicalOr(pn.eq(0.0), un.eq(0.0));
            return g.mul(Np.where(zero, Array.scalar(1.0, x.dtype()), ratio));
        }, u, p));
    }

    /** {@code optax.scale_by_trust_ratio()} with Optax's defaults for the other arguments. */
    public static GradientTransformation scaleByTrustRatio() { return scaleByTrustRatio(0.0, 1.0, 0.0); }

    /** {@code scale_by_param_block_rms}: {@code u * max(rms(p), minScale)} per leaf. */
    public static GradientTransformation scaleByParamBlockRms(double minScale) {
        return statelessWithParams("scaleByParamBlockRms",
                (u, p) -> map2((g, x) -> g.mul(Np.maximum(Np.sqrt(Np.mean(x.mul(x))), w(minScale))), u, p));
    }

    // ---------------------------------------------------------------- masks and partitions

    private static Object resolve(Object treeOrFn, Object arg) {
        if (treeOrFn instanceof Function<?, ?> f) {
            @SuppressWarnings("unchecked") var fn = (Function<Object, Object>) f;
            return fn.apply(arg);
        }
        return treeOrFn;
    }

    /** Replaces the leaves (subtrees) where the mask is false by {@link MaskedNode}. */
    static Object maskTree(String api, Object tree, Object mask) {
        try {
            return Tree.map(xs -> {
                Object m = xs.get(0);
                if (!(m instanceof Boolean b)) {
                    throw new IllegalArgumentException(api + ": mask leaves must be Boolean, got "
                            + (m == null ? "null" : m.getClass().getSimpleName() + " " + m));
                }
                return b ? xs.get(1) : new MaskedNode();
            }, mask, tree);
        } catch (TreeStructureError e) {
            throw new IllegalArgumentException(api + ": the mask's structure differs from the updates/params at key path "
                    + describe(e.path()) + " (" + e.getMessage() + ")", e);
        }
    }

    /**
     * {@code masked}: applies {@code inner} only to the leaves where {@code mask} is true; the others
     * pass through unchanged. {@code mask} is a tree of {@code Boolean} (a prefix of the params) or a
     * {@code Function} of the params (of the updates in {@code update}) returning one.
     */
    public static GradientTransformation masked(GradientTransformation inner, Object mask) {
        Objects.requireNonNull(inner, "inner is null");
        Objects.requireNonNull(mask, "mask is null");
        return GradientTransformation.of(
                p -> new MaskedState(inner.init(maskTree("masked.init", p, resolve(mask, p)))),
                (u, s, p) -> {
                    Object m = resolve(mask, u);
                    Object maskedParams = p == null ? null : maskTree("masked.update", p, m);
                    var r = inner.update(maskTree("masked.update", u, m), stateOf("masked", MaskedState.class, s).innerState(), maskedParams);
                    Object out = Tree.map(xs -> (Boolean) xs.get(0) ? xs.get(1) : xs.get(2), m, r.updates(), u);
                    return new GradientTransformation.Update(out, new MaskedState(r.state()));
                });
    }

    /** {@code optax.transforms.freeze}: zero updates where {@code mask} is true. */
    public static GradientTransformation freeze(Object mask) { return masked(setToZero(), mask); }

    /**
     * {@code multi_transform} / {@code optax.transforms.partition}: each leaf of the params gets the
     * transformation named by its label. {@code labels} is a tree of {@code String} with the params'
     * structure (or a prefix of it), or a {@code Function} of the params returning one.
     *
     * @throws IllegalArgumentException naming the first differing key path when the label tree does
     *         not match the params, or an unknown label and the known ones
     */
    public static GradientTransformation multiTransform(Map<String, GradientTransformation> transforms, Object labels) {
        var txs = new TreeMap<String, GradientTransformation>(Objects.requireNonNull(transforms, "transforms is null"));
        Objects.requireNonNull(labels, "labels is null");
        return GradientTransformation.of(
                p -> {
                    Object l = checkedLabels(resolve(labels, p), p, txs);
                    var states = new TreeMap<String, Object>();
                    txs.forEach((group, tx) -> states.put(group, masked(tx, groupMask(l, group)).init(p)));
                    return new PartitionState(Collections.unmodifiableMap(states));
                },
                (u, s, p) -> {
                    Object l = checkedLabels(resolve(labels, u), u, txs);
                    var inner = stateOf("multi_transform", PartitionState.class, s).innerStates();
                    var states = new TreeMap<String, Object>();
                    Object out = u;
                    for (var e : txs.entrySet()) {
                        var r = masked(e.getValue(), groupMask(l, e.getKey())).update(out, inner.get(e.getKey()), p);
                        out = r.updates();
                        states.put(e.getKey(), r.state());
                    }
                    return new GradientTransformation.Update(out, new PartitionState(Collections.unmodifiableMap(states)));
                });
    }

    private static Object groupMask(Object labels, String group) {
        return Tree.map((Object l) -> group.equals(l), labels);
    }

    private static Object checkedLabels(Object labels, Object params, Map<String, GradientTransformation> txs) {
        try {
            Tree.flattenUpTo(Tree.structure(labels), params);
        } catch (TreeStructureError e) {
            throw new IllegalArgumentException("multiTransform: the label tree's structure differs from the params at key path "
                    + describe(e.path()) + " (" + e.getMessage() + "); labels need one label per parameter, in the params' structure", e);
        }
        for (Tree.PathLeaf pl : Tree.flattenWithPath(labels)) {
            Object l = pl.leaf();
            if (!(l instanceof String name) || !txs.containsKey(name)) {
                throw new IllegalArgumentException("multiTransform: the label " + (l instanceof String ? "'" + l + "'" : String.valueOf(l))
                        + " at key path " + describe(pl.path()) + " has no transformation; known labels: " + new TreeSet<>(txs.keySet()));
            }
        }
        return labels;
    }

    private static String describe(KeyPath path) { return path.isRoot() ? "the root" : path.toString(); }

    // ---------------------------------------------------------------- wrappers

    /**
     * {@code inject_hyperparams}: the hyperparameters live in the state as arrays
     * ({@link InjectHyperparamsState#hyperparams()}), readable and replaceable between steps; a
     * {@link Schedule} value is evaluated at each step (before its counter increments). Values are
     * {@code Number}s (floats are cast to the params' dtype, integers stay int32), {@code Array}s or
     * {@code Schedule}s; {@code factory} builds the inner transformation from their current values.
     */
    public static GradientTransformation injectHyperparams(Function<Map<String, Array>, GradientTransformation> factory,
                                                           Map<String, ?> hyperparams) {
        Objects.requireNonNull(factory, "factory is null");
        var numeric = new TreeMap<String, Object>();
        var scheduled = new TreeMap<String, Schedule>();
        Objects.requireNonNull(hyperparams, "hyperparams is null").forEach((k, v) -> {
            switch (v) {
                case Schedule s -> scheduled.put(k, s);
                case Number n -> numeric.put(k, n);
                case Array a -> numeric.put(k, a);
                case null, default -> throw new IllegalArgumentException("injectHyperparams: hyperparameter '" + k
                        + "' must be a Number, an Array or a Schedule, got " + (v == null ? "null" : v.getClass().getName()));
            }
        });
        return GradientTransformation.of(
                p -> {
                    DType dt = firstDtype(p);
                    var hp = new TreeMap<String, Array>();
                    numeric.forEach((k, v) -> hp.put(k, convertFloats(v instanceof Number n ? (n instanceof Double || n instanceof Float
                            ? Array.scalar(n.doubleValue(), DType.F32) : Array.scalar(n.intValue())) : (Array) v, dt)));
                    var hs = new TreeMap<String, WrappedScheduleState>();
                    scheduled.forEach((k, s) -> {
                        hs.put(k, new WrappedScheduleState(zeroCount()));
                        hp.put(k, convertFloats(s.apply(zeroCount()), dt));
                    });
                    var frozen = Collections.unmodifiableMap(hp);
                    return new InjectHyperparamsState(zeroCount(), frozen, Collections.unmodifiableMap(hs), factory.apply(frozen).init(p));
                },
                (u, s, p) -> {
                    var st = stateOf("inject_hyperparams", InjectHyperparamsState.class, s);
                    DType dt = firstDtype(u);
                    var hp = new TreeMap<String, Array>();
                    st.hyperparams().forEach((k, v) -> hp.put(k, convertFloats(v, dt)));
                    var hs = new TreeMap<String, WrappedScheduleState>();
                    scheduled.forEach((k, sched) -> {
                        Array c = st.hyperparamsStates().get(k).count();
                        hp.put(k, convertFloats(sched.apply(c), dt));
                        hs.put(k, new WrappedScheduleState(safeInt32Increment(c)));
                    });
                    var frozen = Collections.unmodifiableMap(hp);
                    var r = factory.apply(frozen).update(u, st.innerState(), p);
                    return new GradientTransformation.Update(r.updates(),
                            new InjectHyperparamsState(safeInt32Increment(st.count()), frozen, Collections.unmodifiableMap(hs), r.state()));
                });
    }

    /** {@code inject_hyperparams} of a learning rate only: {@code injectHyperparams(lr -> Optim.adam(lr), 1e-3)}. */
    public static GradientTransformation injectHyperparams(Function<LearningRate, GradientTransformation> factory, double learningRate) {
        return injectHyperparams(hp -> factory.apply(LearningRate.of(hp.get("learning_rate"))), Map.of("learning_rate", learningRate));
    }

    /** {@code inject_hyperparams(factory)(learning_rate=schedule)}: the optimizer built with the schedule's current value, the value kept in the state. */
    public static GradientTransformation injectHyperparams(Function<LearningRate, GradientTransformation> factory, Schedule learningRate) {
        return injectHyperparams(hp -> factory.apply(LearningRate.of(hp.get("learning_rate"))), Map.of("learning_rate", learningRate));
    }

    private static DType firstDtype(Object tree) {
        var leaves = Tree.leavesOfType(tree, Array.class);
        return leaves.isEmpty() ? null : leaves.getFirst().dtype();
    }

    private static Array convertFloats(Array v, DType dtype) {
        return dtype != null && v.dtype().isFloating() ? v.astype(dtype) : v;
    }

    /**
     * {@code apply_if_finite}: applies {@code inner} only when every update is finite; otherwise
     * returns zero updates and keeps the inner state, unless more than {@code maxConsecutiveErrors}
     * non-finite steps came in a row.
     */
    public static GradientTransformation applyIfFinite(GradientTransformation inner, int maxConsecutiveErrors) {
        Objects.requireNonNull(inner, "inner is null");
        return GradientTransformation.of(
                p -> new ApplyIfFiniteState(zeroCount(), Array.fromLongs(DType.BOOL, new long[]{1}), zeroCount(), inner.init(p)),
                (u, s, p) -> {
                    var st = stateOf("apply_if_finite", ApplyIfFiniteState.class, s);
                    Array bad = Array.scalar(0);
                    for (Array x : Tree.leavesOfType(u, Array.class)) bad = bad.add(Np.sum(Np.logicalNot(Np.isfinite(x))));
                    Array finite = bad.eq(0);
                    Array notfinite = Np.where(finite, Array.scalar(0), safeInt32Increment(st.notfiniteCount()));
                    var r = inner.update(u, st.innerState(), p);
                    Array apply = Np.logicalOr(finite, notfinite.gt(maxConsecutiveErrors));
                    Object out = selectTree(apply, r.updates(), map(Np::zerosLike, u));
                    Object innerState = selectTree(apply, r.state(), st.innerState());
                    Array total = Np.where(finite, st.totalNotfinite(), safeInt32Increment(st.totalNotfinite()));
                    return new GradientTransformation.Update(out, new ApplyIfFiniteState(notfinite, finite, total, innerState));
                });
    }

    // ---------------------------------------------------------------- optimizers (aliases over chains)

    /** {@code sgd(lr, momentum, nesterov)}: {@code chain(trace(momentum, nesterov) | identity, scale_by_learning_rate(lr))}; null momentum means none. */
    public static GradientTransformation sgd(LearningRate lr, Double momentum, boolean nesterov) {
        return chain(momentum == null ? identity() : traceMomentum(momentum, nesterov), scaleByLearningRate(lr));
    }

    /** {@code optax.sgd(lr)} with Optax's defaults for the other arguments. */
    public static GradientTransformation sgd(double lr) { return sgd(LearningRate.of(lr), null, false); }

    /** {@code optax.sgd(lr)} with Optax's defaults for the other arguments. */
    public static GradientTransformation sgd(LearningRate lr) { return sgd(lr, null, false); }

    /** {@code optax.sgd(lr, momentum)}. */
    public static GradientTransformation sgd(double lr, double momentum) { return sgd(LearningRate.of(lr), momentum, false); }

    /** {@code optax.sgd(lr, momentum, nesterov)}. */
    public static GradientTransformation sgd(double lr, double momentum, boolean nesterov) { return sgd(LearningRate.of(lr), momentum, nesterov); }

    /** {@code optax.sgd(lr)} with Optax's defaults for the other arguments. */
    public static GradientTransformation sgd(Schedule lr) { return sgd(LearningRate.of(lr), null, false); }

    /** {@code optax.sgd(lr, momentum)}. */
    public static GradientTransformation sgd(Schedule lr, double momentum) { return sgd(LearningRate.of(lr), momentum, false); }

    /** {@code optax.sgd(lr, momentum, nesterov)}. */
    public static GradientTransformation sgd(Schedule lr, double momentum, boolean nesterov) { return sgd(LearningRate.of(lr), momentum, nesterov); }

    /** {@code adam}: {@code chain(scale_by_adam(b1, b2, eps, eps_root, nesterov), scale_by_learning_rate(lr))}; defaults 0.9, 0.999, 1e-8, 0. */
    public static GradientTransformation adam(LearningRate lr, double b1, double b2, double eps, double epsRoot, boolean nesterov) {
        return chain(scaleByAdam(b1, b2, eps, epsRoot, nesterov), scaleByLearningRate(lr));
    }

    /** {@code optax.adam(lr)} with Optax's defaults for the other arguments. */
    public static GradientTransformation adam(LearningRate lr) { return adam(lr, 0.9, 0.999, 1e-8, 0.0, false); }

    /** {@code optax.adam(lr)} with Optax's defaults for the other arguments. */
    public static GradientTransformation adam(double lr) { return adam(LearningRate.of(lr)); }

    /** {@code optax.adam(lr)} with Optax's defaults for the other arguments. */
    public static GradientTransformation adam(Schedule lr) { return adam(LearningRate.of(lr)); }

    /** {@code nadam}: adam with Nesterov momentum. */
    public static GradientTransformation nadam(double lr) { return adam(LearningRate.of(lr), 0.9, 0.999, 1e-8, 0.0, true); }

    /**
     * {@code adamw}: {@code chain(scale_by_adam, add_decayed_weights(weight_decay, mask), scale_by_learning_rate)};
     * defaults b1 0.9, b2 0.999, eps 1e-8, eps_root 0, weight_decay 1e-4, mask null (all leaves).
     */
    public static GradientTransformation adamw(LearningRate lr, double b1, double b2, double eps, double epsRoot,
                                               double weightDecay, Object mask, boolean nesterov) {
        return chain(scaleByAdam(b1, b2, eps, epsRoot, nesterov), addDecayedWeights(weightDecay, mask), scaleByLearningRate(lr));
    }

    /** {@code optax.adamw(lr)} with Optax's defaults for the other arguments. */
    public static GradientTransformation adamw(double lr) { return adamw(lr, 1e-4); }

    /** {@code optax.adamw(lr)} with Optax's defaults for the other arguments. */
    public static GradientTransformation adamw(LearningRate lr) { return adamw(lr, 0.9, 0.999, 1e-8, 0.0, 1e-4, null, false); }

    /** {@code optax.adamw(lr, weight_decay)} with Optax's other defaults. */
    public static GradientTransformation adamw(double lr, double weightDecay) {
        return adamw(LearningRate.of(lr), 0.9, 0.999, 1e-8, 0.0, weightDecay, null, false);
    }

    /** {@code optax.adamw(lr, weight_decay)} with Optax's other defaults. */
    public static GradientTransformation adamw(Schedule lr, double weightDecay) {
        return adamw(LearningRate.of(lr), 0.9, 0.999, 1e-8, 0.0, weightDecay, null, false);
    }

    /**
     * {@code rmsprop}: {@code chain(scale_by_rms(decay, eps, initial_scale, eps_in_sqrt), scale_by_learning_rate(lr),
     * trace(momentum, nesterov) | identity)}; defaults decay 0.9, eps 1e-8, initial_scale 0, eps in the sqrt, no momentum.
     */
    public static GradientTransformation rmsprop(LearningRate lr, double decay, double eps, double initialScale, boolean epsInSqrt,
                                                 Double momentum, boolean nesterov) {
        return chain(scaleByRms(decay, eps, initialScale, epsInSqrt), scaleByLearningRate(lr),
                momentum == null ? identity() : traceMomentum(momentum, nesterov));
    }

    /** {@code optax.rmsprop(lr)} with Optax's defaults for the other arguments. */
    public static GradientTransformation rmsprop(double lr) { return rmsprop(LearningRate.of(lr), 0.9, 1e-8, 0.0, true, null, false); }

    /** {@code optax.rmsprop(lr)} with Optax's defaults for the other arguments. */
    public static GradientTransformation rmsprop(LearningRate lr) { return rmsprop(lr, 0.9, 1e-8, 0.0, true, null, false); }

    /** {@code adagrad}: {@code chain(scale_by_rss(initial_accumulator_value, eps), scale_by_learning_rate(lr))}; defaults 0.1, 1e-7. */
    public static GradientTransformation adagrad(LearningRate lr, double initialAccumulatorValue, double eps) {
        return chain(scaleByRss(initialAccumulatorValue, eps), scaleByLearningRate(lr));
    }

    /** {@code optax.adagrad(lr)} with Optax's defaults for the other arguments. */
    public static GradientTransformation adagrad(double lr) { return adagrad(LearningRate.of(lr), 0.1, 1e-7); }

    /** {@code optax.adagrad(lr)} with Optax's defaults for the other arguments. */
    public static GradientTransformation adagrad(LearningRate lr) { return adagrad(lr, 0.1, 1e-7); }

    /**
     * {@code lamb}: {@code chain(scale_by_adam(b1, b2, eps, eps_root), add_decayed_weights(weight_decay, mask),
     * scale_by_trust_ratio(), scale_by_learning_rate(lr))}; defaults 0.9, 0.999, 1e-6, 0, weight decay 0.
     */
    public static GradientTransformation lamb(LearningRate lr, double b1, double b2, double eps, double epsRoot, double weightDecay, Object mask) {
        return chain(scaleByAdam(b1, b2, eps, epsRoot, false), addDecayedWeights(weightDecay, mask), scaleByTrustRatio(), scaleByLearningRate(lr));
    }

    /** {@code optax.lamb(lr)} with Optax's defaults for the other arguments. */
    public static GradientTransformation lamb(double lr) { return lamb(LearningRate.of(lr), 0.9, 0.999, 1e-6, 0.0, 0.0, null); }

    /** {@code optax.lamb(lr)} with Optax's defaults for the other arguments. */
    public static GradientTransformation lamb(LearningRate lr) { return lamb(lr, 0.9, 0.999, 1e-6, 0.0, 0.0, null); }

    /**
     * {@code lion}: {@code chain(scale_by_lion(b1, b2), add_decayed_weights(weight_decay, mask), scale_by_learning_rate(lr))};
     * defaults b1 0.9, b2 0.99, weight decay 1e-3.
     */
    public static GradientTransformation lion(LearningRate lr, double b1, double b2, double weightDecay, Object mask) {
        return chain(scaleByLion(b1, b2), addDecayedWeights(weightDecay, mask), scaleByLearningRate(lr));
    }

    /** {@code optax.lion(lr)} with Optax's defaults for the other arguments. */
    public static GradientTransformation lion(double lr) { return lion(LearningRate.of(lr), 0.9, 0.99, 1e-3, null); }

    /** {@code optax.lion(lr)} with Optax's defaults for the other arguments. */
    public static GradientTransformation lion(LearningRate lr) { return lion(lr, 0.9, 0.99, 1e-3, null); }

    /**
     * {@code adafactor}: {@code chain(scale_by_factored_rms(factored, decay_rate, decay_offset, min_dim_size_to_factor, eps),
     * clip_by_block_rms(clipping_threshold)?, scale_by_learning_rate(lr, flip_sign=False)?, scale_by_param_block_rms()?,
     * ema(momentum, debias=False)?, add_decayed_weights(weight_decay_rate, mask)?, scale(-1))}. Null arguments leave their
     * step out, as Optax's None does (the momentum accumulator keeps the params' dtype here).
     */
    public static GradientTransformation adafactor(LearningRate lr, int minDimSizeToFactor, double decayRate, int decayOffset,
                                                   boolean multiplyByParameterScale, Double clippingThreshold, Double momentum,
                                                   Double weightDecayRate, double eps, boolean factored, Object weightDecayMask) {
        var txs = new ArrayList<GradientTransformation>();
        txs.add(Adafactor.scaleByFactoredRms(factored, decayRate, decayOffset, minDimSizeToFactor, eps));
        if (clippingThreshold != null) txs.add(clipByBlockRms(clippingThreshold));
        if (lr != null) txs.add(scaleByLearningRate(lr, false));
        if (multiplyByParameterScale) txs.add(scaleByParamBlockRms(1e-3));
        if (momentum != null) txs.add(ema(momentum, false));
        if (weightDecayRate != null) txs.add(addDecayedWeights(weightDecayRate, weightDecayMask));
        txs.add(scale(-1));
        return chain(txs.toArray(GradientTransformation[]::new));
    }

    /** {@code adafactor(learning_rate)} with Optax's defaults (factor dims of at least 128, decay 0.8, clipping 1, parameter scale). */
    public static GradientTransformation adafactor(double lr) {
        return adafactor(LearningRate.of(lr), 128, 0.8, 0, true, 1.0, null, null, 1e-30, true, null);
    }

    // ---------------------------------------------------------------- more of Optax (its names)

    /** {@code trace}: Optax's name for {@link #traceMomentum}. */
    public static GradientTransformation trace(double decay, boolean nesterov) { return traceMomentum(decay, nesterov); }

    /** {@code trace(decay)} without Nesterov momentum. */
    public static GradientTransformation trace(double decay) { return traceMomentum(decay, false); }

    /**
     * {@code scale_by_belief} (AdaBelief): Adam's update with the second moment of the prediction
     * error {@code g - mu} (plus {@code epsRoot}) in place of {@code g^2}; defaults 0.9, 0.999, 1e-16, 1e-16.
     */
    public static GradientTransformation scaleByBelief(double b1, double b2, double eps, double epsRoot, boolean nesterov) {
        return Optimizers.scaleByBelief(b1, b2, eps, epsRoot, nesterov);
    }

    /** {@code adabelief(lr, b1, b2, eps, eps_root, weight_decay, nesterov)}; {@code weightDecay} null adds none. */
    public static GradientTransformation adabelief(LearningRate lr, double b1, double b2, double eps, double epsRoot, Double weightDecay,
                                                   boolean nesterov) {
        GradientTransformation belief = scaleByBelief(b1, b2, eps, epsRoot, nesterov);
        return weightDecay == null ? chain(belief, scaleByLearningRate(lr))
                : chain(belief, addDecayedWeights(weightDecay), scaleByLearningRate(lr));
    }

    /** {@code adabelief(lr)} with Optax's defaults. */
    public static GradientTransformation adabelief(double lr) { return adabelief(LearningRate.of(lr), 0.9, 0.999, 1e-16, 1e-16, null, false); }

    /** {@code scale_by_yogi}: Adam with the additive second-moment update {@code v - (1 - b2) sign(v - g^2) g^2}. */
    public static GradientTransformation scaleByYogi(double b1, double b2, double eps, double epsRoot, double initialAccumulatorValue) {
        return Optimizers.scaleByYogi(b1, b2, eps, epsRoot, initialAccumulatorValue);
    }

    /** {@code yogi(lr, b1, b2, eps)}: defaults 0.9, 0.999, 1e-3 (moments start at 1e-6). */
    public static GradientTransformation yogi(LearningRate lr, double b1, double b2, double eps) {
        return chain(scaleByYogi(b1, b2, eps, 0.0, 1e-6), scaleByLearningRate(lr));
    }

    /** {@code yogi(lr)} with Optax's defaults. */
    public static GradientTransformation yogi(double lr) { return yogi(LearningRate.of(lr), 0.9, 0.999, 1e-3); }

    /**
     * {@code scale_by_radam} (Rectified Adam): Adam's step scaled by the variance rectification
     * {@code r} once the SMA length {@code ro} reaches {@code threshold} (5), the bias-corrected
     * momentum before.
     */
    public static GradientTransformation scaleByRadam(double b1, double b2, double eps, double epsRoot, double threshold, boolean nesterov) {
        return Optimizers.scaleByRadam(b1, b2, eps, epsRoot, threshold, nesterov);
    }

    /** {@code radam(lr, b1, b2, eps, eps_root, threshold, nesterov)}. */
    public static GradientTransformation radam(LearningRate lr, double b1, double b2, double eps, double epsRoot, double threshold,
                                               boolean nesterov) {
        return chain(scaleByRadam(b1, b2, eps, epsRoot, threshold, nesterov), scaleByLearningRate(lr));
    }

    /** {@code radam(lr)} with Optax's defaults (0.9, 0.999, 1e-8, 0, threshold 5). */
    public static GradientTransformation radam(double lr) { return radam(LearningRate.of(lr), 0.9, 0.999, 1e-8, 0.0, 5.0, false); }

    /**
     * {@code scale_by_sm3}: per parameter one accumulator per axis (the row and column maxima of the
     * squared gradients for a matrix), {@code g / sqrt(min over axes)}, then momentum {@code b1}.
     */
    public static GradientTransformation scaleBySm3(double b1, double b2, double eps) { return Optimizers.scaleBySm3(b1, b2, eps); }

    /** {@code sm3(lr, momentum)}: {@code chain(scale_by_sm3(momentum), scale(-lr))}; momentum 0.9 by default. */
    public static GradientTransformation sm3(double lr, double momentum) { return chain(scaleBySm3(momentum, 1.0, 1e-8), scale(-lr)); }

    /** {@code sm3(lr)}. */
    public static GradientTransformation sm3(double lr) { return sm3(lr, 0.9); }

    /**
     * {@code scale_by_novograd}: layer-wise second moments of the gradient norm ({@code nu}, one
     * scalar per parameter), {@code mu = b1 mu + g / (sqrt(nu) + eps) + wd p}; needs the params.
     */
    public static GradientTransformation scaleByNovograd(double b1, double b2, double eps, double epsRoot, double weightDecay) {
        return Optimizers.scaleByNovograd(b1, b2, eps, epsRoot, weightDecay);
    }

    /** {@code novograd(lr, b1, b2, eps, eps_root, weight_decay)}. */
    public static GradientTransformation novograd(LearningRate lr, double b1, double b2, double eps, double epsRoot, double weightDecay) {
        return chain(scaleByNovograd(b1, b2, eps, epsRoot, weightDecay), scaleByLearningRate(lr));
    }

    /** {@code novograd(lr)} with Optax's defaults (0.9, 0.25, 1e-6, 0, 0). */
    public static GradientTransformation novograd(double lr) { return novograd(LearningRate.of(lr), 0.9, 0.25, 1e-6, 0.0, 0.0); }

    /**
     * {@code add_noise(eta, gamma, key)}: adds Gaussian noise of variance {@code eta / t^gamma} to
     * every update (one key per leaf from a split of the state's key, as Optax draws it).
     */
    public static GradientTransformation addNoise(double eta, double gamma, Array key) { return Optimizers.addNoise(eta, gamma, key); }

    /** {@code noisy_sgd(lr, eta, gamma, key)}: defaults eta 0.01, gamma 0.55. */
    public static GradientTransformation noisySgd(LearningRate lr, double eta, double gamma, Array key) {
        return chain(addNoise(eta, gamma, key), scaleByLearningRate(lr));
    }

    /** {@code noisy_sgd(lr, key=key)}. */
    public static GradientTransformation noisySgd(double lr, Array key) { return noisySgd(LearningRate.of(lr), 0.01, 0.55, key); }

    /** {@code zero_nans}: NaNs in the updates become 0; the state records, per parameter, whether there were any. */
    public static GradientTransformation zeroNans() { return Optimizers.zeroNans(); }

    /**
     * {@code lars(lr, weight_decay, trust_coefficient, eps, momentum, nesterov)}: decayed weights,
     * the trust ratio ({@code scale_by_trust_ratio}), the learning rate, then momentum ({@code trace});
     * masks as in {@link #addDecayedWeights(double, Object)} and {@link #masked} ({@code null}: all).
     */
    public static GradientTransformation lars(LearningRate lr, double weightDecay, Object weightDecayMask, double trustCoefficient,
                                              double eps, Object trustRatioMask, double momentum, boolean nesterov) {
        GradientTransformation trust = scaleByTrustRatio(0.0, trustCoefficient, eps);
        return chain(addDecayedWeights(weightDecay, weightDecayMask), trustRatioMask == null ? trust : masked(trust, trustRatioMask),
                scaleByLearningRate(lr), traceMomentum(momentum, nesterov));
    }

    /** {@code lars(lr)} with Optax's defaults (no decay, trust coefficient 0.001, momentum 0.9). */
    public static GradientTransformation lars(double lr) { return lars(LearningRate.of(lr), 0.0, null, 0.001, 0.0, null, 0.9, false); }

    /**
     * {@code contrib.reduce_on_plateau(factor, patience, rtol, atol, cooldown, accumulation_size,
     * min_scale)}: scales the updates by a factor that drops by {@code factor} once the average of
     * {@code accumulationSize} reported values has not improved (below {@code (1 - rtol) best - atol})
     * for {@code patience} reports, then waits {@code cooldown} reports. Each update needs the value:
     * {@code tx.update(grads, state, params, Map.of("value", loss))} (also through {@link #chain}).
     */
    public static GradientTransformation reduceOnPlateau(double factor, int patience, double rtol, double atol, int cooldown,
                                                         int accumulationSize, double minScale) {
        return ReduceOnPlateau.of(factor, patience, rtol, atol, cooldown, accumulationSize, minScale);
    }

    /** {@code contrib.reduce_on_plateau()} with Optax's defaults: factor 0.1, patience 10, rtol 1e-4, atol 0, no cooldown. */
    public static GradientTransformation reduceOnPlateau() { return reduceOnPlateau(0.1, 10, 1e-4, 0.0, 0, 1, 0.0); }

    /**
     * {@code scale_by_lbfgs(memory_size, scale_init_precond)}: the L-BFGS direction P_k u_k from the last
     * {@code memorySize} parameter and update differences (two-loop recursion), the identity scaled by
     * ⟨Δw, Δu⟩/⟨Δu, Δu⟩ (or, at the first step, by the capped inverse gradient norm) when
     * {@code scaleInitPrecond}. Needs {@code params} in {@code update}.
     */
    public static GradientTransformation scaleByLbfgs(int memorySize, boolean scaleInitPrecond) {
        return Lbfgs.scaleByLbfgs(memorySize, scaleInitPrecond);
    }

    /** {@code scale_by_lbfgs()}: memory 10, scaled initial preconditioner. */
    public static GradientTransformation scaleByLbfgs() { return scaleByLbfgs(10, true); }

    /**
     * {@code scale_by_zoom_linesearch(max_linesearch_steps, max_learning_rate, tol, increase_factor, slope_rtol,
     * curv_rtol, approx_dec_rtol, stepsize_precision, initial_guess_strategy)}: scales the updates by a step
     * size meeting a sufficient decrease and a small curvature criterion (Nocedal and Wright's zoom, with
     * Hager and Zhang's approximate decrease when {@code approxDecRtol} is not null). {@code update} needs
     * the extra arguments {@code value} and {@code grad} (the objective and its gradient at params) and
     * {@code value_fn} (the objective, a {@code Function<Object, Array>} of the params); its state keeps
     * the value and gradient at the new params for {@link #valueAndGradFromState}. {@code maxLearningRate}
     * may be null (no bound); {@code initialGuessStrategy} is {@code "one"} or {@code "keep"}.
     */
    public static GradientTransformation scaleByZoomLinesearch(int maxLinesearchSteps, Double maxLearningRate, double tol, double increaseFactor,
                                                               double slopeRtol, double curvRtol, Double approxDecRtol, double stepsizePrecision,
                                                               String initialGuessStrategy) {
        if (maxLinesearchSteps < 1) throw new IllegalArgumentException("scale_by_zoom_linesearch: max_linesearch_steps must be >= 1, got " + maxLinesearchSteps);
        return Lbfgs.scaleByZoomLinesearch(new Lbfgs.ZoomOptions(maxLinesearchSteps, maxLearningRate, tol, increaseFactor, slopeRtol, curvRtol,
                approxDecRtol, stepsizePrecision, initialGuessStrategy));
    }

    /** {@code scale_by_zoom_linesearch(max_linesearch_steps)} with Optax's defaults (initial guess "keep"). */
    public static GradientTransformation scaleByZoomLinesearch(int maxLinesearchSteps) {
        return scaleByZoomLinesearch(maxLinesearchSteps, null, 0.0, 2.0, 1e-4, 0.9, 1e-6, 1e-5, "keep");
    }

    /**
     * {@code lbfgs(learning_rate, memory_size, scale_init_precond, linesearch)}: {@link #scaleByLbfgs}, then
     * {@code scale(-1)} (or the learning rate when one is given), then the line search (none when null).
     * As in Optax, each step passes the extra arguments the line search needs:
     * <pre>{@code
     * var opt = Optim.lbfgs();
     * Object state = opt.init(params);
     * var vg = Optim.valueAndGradFromState(f, params, state);
     * var u = opt.update(vg.grad(), state, params, Map.of("value", vg.value(), "grad", vg.grad(), "value_fn", f));
     * params = Optim.applyUpdates(params, u.updates());
     * }</pre>
     */
    public static GradientTransformation lbfgs(LearningRate learningRate, int memorySize, boolean scaleInitPrecond, GradientTransformation linesearch) {
        return chain(scaleByLbfgs(memorySize, scaleInitPrecond), learningRate == null ? scale(-1.0) : scaleByLearningRate(learningRate),
                linesearch == null ? identity() : linesearch);
    }

    /** {@code lbfgs()}: memory 10, scaled initial preconditioner, a zoom line search of at most 20 steps starting from 1. */
    public static GradientTransformation lbfgs() {
        return lbfgs(null, 10, true, scaleByZoomLinesearch(20, null, 0.0, 2.0, 1e-4, 0.9, 1e-6, 1e-5, "one"));
    }

    /**
     * {@code value_and_grad_from_state(value_fn)(params, state=state)}: the value and gradient that the line
     * search stored in {@code state} for these params (it evaluated them while searching), or, where it
     * stored none yet (the first step), computed.
     */
    public static io.jax4j.autodiff.ValueAndGrad<Object> valueAndGradFromState(Function<Object, Array> valueFn, Object params, Object state) {
        return Lbfgs.valueAndGradFromState(valueFn, params, state);
    }

    /** {@code scale_by_adamax}: the bias-corrected first moment over the infinity moment {@code max(|g| + eps, b2 nu)}. */
    public static GradientTransformation scaleByAdamax(double b1, double b2, double eps) { return Optimizers.scaleByAdamax(b1, b2, eps); }

    /** {@code adamax(lr, b1, b2, eps)}. */
    public static GradientTransformation adamax(LearningRate lr, double b1, double b2, double eps) {
        return chain(scaleByAdamax(b1, b2, eps), scaleByLearningRate(lr));
    }

    /** {@code adamax(lr)} with Optax's defaults (0.9, 0.999, 1e-8). */
    public static GradientTransformation adamax(double lr) { return adamax(LearningRate.of(lr), 0.9, 0.999, 1e-8); }

    /** {@code scale_by_amsgrad}: Adam with the running maximum of the (bias-corrected) second moment in the denominator. */
    public static GradientTransformation scaleByAmsgrad(double b1, double b2, double eps, double epsRoot, boolean biasCorrectionMu,
                                                        boolean biasCorrectionNu) {
        return Optimizers.scaleByAmsgrad(b1, b2, eps, epsRoot, biasCorrectionMu, biasCorrectionNu);
    }

    /** {@code amsgrad(lr, b1, b2, eps, eps_root)}. */
    public static GradientTransformation amsgrad(LearningRate lr, double b1, double b2, double eps, double epsRoot) {
        return chain(scaleByAmsgrad(b1, b2, eps, epsRoot, true, true), scaleByLearningRate(lr));
    }

    /** {@code amsgrad(lr)} with Optax's defaults (0.9, 0.999, 1e-8, 0). */
    public static GradientTransformation amsgrad(double lr) { return amsgrad(LearningRate.of(lr), 0.9, 0.999, 1e-8, 0.0); }

    /** {@code scale_by_adadelta}: {@code sqrt(E[dx^2] + eps) / sqrt(E[g^2] + eps) g}, both averages decaying by {@code rho}. */
    public static GradientTransformation scaleByAdadelta(double rho, double eps) { return Optimizers.scaleByAdadelta(rho, eps); }

    /** {@code adadelta(lr, rho, eps, weight_decay)}. */
    public static GradientTransformation adadelta(LearningRate lr, double rho, double eps, double weightDecay) {
        return chain(addDecayedWeights(weightDecay), scaleByAdadelta(rho, eps), scaleByLearningRate(lr));
    }

    /** {@code adadelta(lr)} with Optax's defaults (rho 0.9, eps 1e-6, no decay). */
    public static GradientTransformation adadelta(double lr) { return adadelta(LearningRate.of(lr), 0.9, 1e-6, 0.0); }

    /**
     * {@code scale_by_rprop}: per-element step sizes grown by {@code etaPlus} while the gradient keeps
     * its sign, shrunk by {@code etaMinus} when it flips (that step skipped), within
     * [{@code minStepSize}, {@code maxStepSize}]; the update is the size times the gradient's sign.
     */
    public static GradientTransformation scaleByRprop(double learningRate, double etaMinus, double etaPlus, double minStepSize, double maxStepSize) {
        return Optimizers.scaleByRprop(learningRate, etaMinus, etaPlus, minStepSize, maxStepSize);
    }

    /** {@code rprop(lr, eta_minus, eta_plus, min_step_size, max_step_size)}: {@code chain(scale_by_rprop(...), scale(-1))}. */
    public static GradientTransformation rprop(double lr, double etaMinus, double etaPlus, double minStepSize, double maxStepSize) {
        return chain(scaleByRprop(lr, etaMinus, etaPlus, minStepSize, maxStepSize), scale(-1.0));
    }

    /** {@code rprop(lr)} with Optax's defaults (0.5, 1.2, 1e-6, 50). */
    public static GradientTransformation rprop(double lr) { return rprop(lr, 0.5, 1.2, 1e-6, 50.0); }
}
