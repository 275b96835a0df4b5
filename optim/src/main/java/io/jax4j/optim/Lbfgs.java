package io.jax4j.optim;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Lax;
import io.jax4j.Np;
import io.jax4j.autodiff.Jax;
import io.jax4j.autodiff.ValueAndGrad;
import io.jax4j.tree.Tree;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Optax's L-BFGS ({@code optax/_src/transform.py} {@code scale_by_lbfgs}) and zoom line search
 * ({@code optax/_src/linesearch.py}), computed as Optax computes them: the two-loop recursion over
 * the memory in Optax's order, the scaled identity γ (the capped inverse gradient norm at the first
 * step), and the line search's interval search and zoom with cubic, quadratic and bisection steps,
 * its decrease (Armijo or Hager–Zhang's approximate one) and curvature criteria, and the safe step
 * it falls back to. Everything is traceable: the search is one {@code lax.while_loop}, so a whole
 * L-BFGS step runs under {@code jit}.
 */
final class Lbfgs {
    private Lbfgs() {}

    // ---------------------------------------------------------------- tree arithmetic

    static Array vdot(Object a, Object b) {
        List<Object> as = Tree.leaves(a), bs = Tree.leaves(b);
        Array sum = null;
        for (int i = 0; i < as.size(); i++) {
            Array term = Np.sum(Np.multiply((Array) as.get(i), (Array) bs.get(i)));
            sum = sum == null ? term : Np.add(sum, term);
        }
        return sum == null ? Array.scalar(0f) : sum;
    }

    /** {@code tree + scalar * other}, cast to the tree's dtypes. */
    static Object addScale(Object tree, Array scalar, Object other) {
        return Tree.<Array, Array, Object>map2((x, y) -> Np.add(x, Np.multiply(scalar, y)).astype(x.dtype()), tree, other);
    }

    static Object sub(Object a, Object b) { return Tree.<Array, Array, Object>map2(Np::subtract, a, b); }

    static Object scale(Array s, Object tree) { return Optim.map(x -> Np.multiply(s, x).astype(x.dtype()), tree); }

    static Object zerosLike(Object tree) { return Optim.map(Np::zerosLike, tree); }

    /** {@code optax.tree.cast_like}: each leaf of {@code tree} in the dtype (and weak type) of {@code like}'s. */
    @SuppressWarnings("unchecked")
    static <T> T castLike(T tree, T like) {
        return (T) Tree.<Array, Array, Object>map2((x, l) -> Lax.convertElementType(x, l.dtype(), l.aval().weakType()), tree, like);
    }

    static DType realDtype(Object params) {
        for (Object leaf : Tree.leaves(params)) if (leaf instanceof Array a && a.dtype().isFloating()) return a.dtype();
        return DType.F32;
    }

    private static Array bool(boolean v) { return Lax.convertElementType(Array.scalar(v ? 1 : 0), DType.BOOL); }

    // ---------------------------------------------------------------- scale_by_lbfgs

    static GradientTransformation scaleByLbfgs(int memorySize, boolean scaleInitPrecond) {
        if (memorySize < 1) throw new IllegalArgumentException("scale_by_lbfgs: memory_size must be >= 1, got " + memorySize);
        return new GradientTransformation() {
            @Override
            public Object init(Object params) {
                Object stacked = Optim.map(x -> Np.broadcastTo(Np.zerosLike(x), prepend(memorySize, x.shape())), params);
                return new ScaleByLbfgsState(Array.scalar(0), zerosLike(params), zerosLike(params), stacked, stacked,
                        Array.full(realDtype(params), 0.0, memorySize));
            }

            @Override
            public Update update(Object updates, Object state, Object params) {
                if (params == null) throw new IllegalArgumentException("scale_by_lbfgs.update: needs params (the current parameters)");
                ScaleByLbfgsState s = Optim.stateOf("scale_by_lbfgs", ScaleByLbfgsState.class, state);
                Array memoryIdx = Np.remainder(s.count(), Array.scalar(memorySize));
                Array prevMemoryIdx = Np.remainder(Np.subtract(s.count(), Array.scalar(1)), Array.scalar(memorySize));
                Array started = s.count().gt(0);
                // 1. the memory buffers take the fresh differences (zero at the first iteration)
                Object diffParams = sub(params, s.params());
                Object diffUpdates = sub(updates, s.updates());
                Array vdotDiff = vdot(diffUpdates, diffParams);
                Array weight = Np.where(vdotDiff.eq(0.0), Array.scalar(0.0, vdotDiff.dtype()), Np.divide(Array.scalar(1.0, vdotDiff.dtype()), vdotDiff));
                diffParams = Optim.map(x -> Np.where(started, x, Np.zerosLike(x)), diffParams);
                diffUpdates = Optim.map(x -> Np.where(started, x, Np.zerosLike(x)), diffUpdates);
                weight = Np.where(started, weight, Np.zerosLike(weight));
                Object dpMemory = setRow(s.diffParamsMemory(), prevMemoryIdx, diffParams);
                Object duMemory = setRow(s.diffUpdatesMemory(), prevMemoryIdx, diffUpdates);
                Array weights = s.weightsMemory().at(prevMemoryIdx).set(weight.astype(s.weightsMemory().dtype()));
                // 2. the scaled identity γ
                Array identityScale;
                if (scaleInitPrecond) {
                    Array numerator = vdot(diffUpdates, diffParams);
                    Array denominator = vdot(diffUpdates, diffUpdates);
                    Array gamma = Np.where(denominator.gt(0.0), Np.divide(numerator, denominator), Array.scalar(1.0, numerator.dtype()));
                    Object frozen = Optim.map(Lax::stopGradient, updates);
                    Array updateNorm = Np.sqrt(vdot(frozen, frozen));
                    Array cappedInvNorm = Np.minimum(Array.weak(1.0), Np.divide(Array.weak(1.0), updateNorm));
                    identityScale = Np.where(started, gamma, cappedInvNorm);
                } else {
                    identityScale = Array.weak(1.0);
                }
                // 3. P_k u_k by the two-loop recursion
                Object precond = precondition(updates, dpMemory, duMemory, weights, identityScale, memoryIdx, memorySize);
                return new Update(precond, new ScaleByLbfgsState(Optim.safeInt32Increment(s.count()), params, updates, dpMemory, duMemory, weights));
            }
        };
    }

    private static int[] prepend(int n, int[] shape) {
        int[] out = new int[shape.length + 1];
        out[0] = n;
        System.arraycopy(shape, 0, out, 1, shape.length);
        return out;
    }

    private static Object setRow(Object memory, Array idx, Object row) {
        return Tree.<Array, Array, Object>map2((m, r) -> m.at(idx).set(r.astype(m.dtype())), memory, row);
    }

    private static Object row(Object memory, Array idx) { return Optim.map(m -> m.get(idx), memory); }

    /** Optax's {@code _precondition_by_lbfgs}: the right products newest first, γ, the left products oldest first. */
    private static Object precondition(Object updates, Object dpMemory, Object duMemory, Array rhos, Array identityScale, Array memoryIdx,
                                       int memorySize) {
        Array[] indices = new Array[memorySize];
        for (int j = 0; j < memorySize; j++) indices[j] = Np.remainder(Np.add(memoryIdx, Array.scalar(j)), Array.scalar(memorySize));
        Array[] alphas = new Array[memorySize];
        Object vec = updates;
        for (int j = memorySize - 1; j >= 0; j--) {           // lax.scan(..., reverse=True)
            Object dwi = row(dpMemory, indices[j]), dui = row(duMemory, indices[j]);
            Array alpha = Np.multiply(rhos.get(indices[j]), vdot(dwi, vec));
            alphas[j] = alpha;
            vec = castLike(addScale(vec, Np.negative(alpha), dui), vec);
        }
        vec = scale(identityScale, vec);
        for (int j = 0; j < memorySize; j++) {
            Object dwi = row(dpMemory, indices[j]), dui = row(duMemory, indices[j]);
            Array beta = Np.multiply(rhos.get(indices[j]), vdot(dui, vec));
            vec = castLike(addScale(vec, Np.subtract(alphas[j], beta), dwi), vec);
        }
        return vec;
    }

    // ---------------------------------------------------------------- zoom line search

    record ZoomOptions(int maxLinesearchSteps, Double maxStepsize, double tol, double increaseFactor, double slopeRtol, double curvRtol,
                       Double approxDecRtol, double intervalThreshold, String initialGuessStrategy) {}

    static GradientTransformation scaleByZoomLinesearch(ZoomOptions o) {
        if (!o.initialGuessStrategy().equals("one") && !o.initialGuessStrategy().equals("keep")) {
            throw new IllegalArgumentException("scale_by_zoom_linesearch: unknown initial guess strategy \"" + o.initialGuessStrategy()
                    + "\" (\"one\" or \"keep\")");
        }
        return new GradientTransformation() {
            @Override
            public Object init(Object params) {
                DType dt = realDtype(params);
                return new ScaleByZoomLinesearchState(Array.scalar(1.0, dt), Array.scalar(Double.POSITIVE_INFINITY, dt), zerosLike(params),
                        new ScaleByZoomLinesearchState.Info(Array.scalar(0), Array.scalar(Float.POSITIVE_INFINITY), Array.scalar(Float.POSITIVE_INFINITY)));
            }

            @Override
            public Update update(Object updates, Object state, Object params) {
                throw new IllegalArgumentException("scale_by_zoom_linesearch.update: needs the objective's value and gradient at params and the "
                        + "objective itself: update(updates, state, params, Map.of(\"value\", value, \"grad\", grad, \"value_fn\", f)) "
                        + "(optax.value_and_grad_from_state is Optim.valueAndGradFromState)");
            }

            @Override
            public Update update(Object updates, Object state, Object params, Map<String, ?> extra) {
                if (!(extra.get("value") instanceof Array value) || extra.get("grad") == null || !(extra.get("value_fn") instanceof Function<?, ?> fn)) {
                    return update(updates, state, params);
                }
                @SuppressWarnings("unchecked")
                Function<Object, Array> valueFn = (Function<Object, Array>) fn;
                ScaleByZoomLinesearchState s = Optim.stateOf("scale_by_zoom_linesearch", ScaleByZoomLinesearchState.class, state);
                ZoomLinesearchState init = initState(o, updates, params, value, extra.get("grad"), s.learningRate());
                ZoomLinesearchState fin = Lax.whileLoop(st -> Np.logicalNot(Np.logicalOr(st.done(), st.failed())),
                        st -> step(o, st, valueFn), init);
                Object scaled = scale(fin.stepsize(), updates);
                var next = new ScaleByZoomLinesearchState(fin.stepsize(), fin.value(), fin.grad(),
                        new ScaleByZoomLinesearchState.Info(fin.count(), fin.decreaseError(), fin.curvatureError()));
                return new Update(scaled, castLike(next, s));
            }
        };
    }

    private static ZoomLinesearchState initState(ZoomOptions o, Object updates, Object params, Array value, Object grad, Array prevStepsize) {
        DType dt = realDtype(params);
        Array v = value.astype(dt);
        Array slope = vdot(updates, grad).astype(dt);
        Array guess = o.initialGuessStrategy().equals("one") ? Array.scalar(1.0, dt) : prevStepsize.astype(dt);
        Array zero = Array.scalar(0.0, dt), inf = Array.scalar(Double.POSITIVE_INFINITY, dt);
        return new ZoomLinesearchState(Array.scalar(0), params, updates, guess, zero, v, grad, slope, v, slope, inf, inf, inf,
                bool(false), bool(false), bool(false), zero, v, slope, zero, v, slope, zero, v, zero, v, grad);
    }

    private record OnLine(Array value, Object grad, Array slope) {}

    private static OnLine valueAndSlopeOnLine(Function<Object, Array> valueFn, Object params, Array stepsize, Object updates) {
        Object step = addScale(params, stepsize, updates);
        ValueAndGrad<Object> vg = Jax.valueAndGrad((Object p) -> valueFn.apply(p)).apply(step);
        return new OnLine(vg.value(), vg.grad(), vdot(vg.grad(), updates));
    }

    private static Array decreaseError(ZoomOptions o, Array stepsize, Array valueStep, Array slopeStep, Array valueInit, Array slopeInit) {
        Array err = Np.subtract(Np.subtract(valueStep, valueInit), Np.multiply(Array.weak(o.slopeRtol()), Np.multiply(stepsize, slopeInit)));
        if (o.approxDecRtol() != null) {
            Array approx = Np.subtract(slopeStep, Np.multiply(Array.weak(2 * o.slopeRtol() - 1.0), slopeInit));
            Array deltaValues = Np.subtract(Np.subtract(valueStep, valueInit), Np.multiply(Array.weak(o.approxDecRtol()), Np.abs(valueInit)));
            approx = Np.maximum(approx, deltaValues);
            err = Np.minimum(approx, err);
        }
        err = Np.maximum(err, Array.weak(0.0));
        return Np.where(Np.isnan(err), Np.fullLike(err, Double.POSITIVE_INFINITY), err);
    }

    private static Array curvatureError(ZoomOptions o, Array slopeStep, Array slopeInit) {
        Array err = Np.maximum(Np.subtract(Np.abs(slopeStep), Np.multiply(Array.weak(o.curvRtol()), Np.abs(slopeInit))), Array.weak(0.0));
        return Np.where(Np.isnan(err), Np.fullLike(err, Double.POSITIVE_INFINITY), err);
    }

    /** Optax's {@code step_fn}: zoom once an interval is found, search for one before; the safe step if the search failed. */
    private static ZoomLinesearchState step(ZoomOptions o, ZoomLinesearchState st, Function<Object, Array> valueFn) {
        ZoomLinesearchState next = Lax.cond(st.intervalFound(), s -> zoomIntoInterval(o, s, valueFn), s -> searchInterval(o, s, valueFn), st);
        next = castLike(next, st);
        return castLike(Lax.cond(next.failed(), Lbfgs::trySafeStep, s -> s, next), st);
    }

    private static ZoomLinesearchState trySafeStep(ZoomLinesearchState s) {
        Array outsideDomain = Np.isinf(s.decreaseError());
        Array useSafe = Np.logicalOr(s.safeStepsize().gt(0.0), outsideDomain);
        return new ZoomLinesearchState(s.count(), s.params(), s.updates(), s.stepsizeGuess(),
                Np.where(useSafe, s.safeStepsize(), s.stepsize()), Np.where(useSafe, s.safeValue(), s.value()),
                Optim.selectTree(useSafe, s.safeGrad(), s.grad()), s.slope(), s.valueInit(), s.slopeInit(), s.decreaseError(),
                s.curvatureError(), s.error(), s.intervalFound(), s.done(), s.failed(), s.low(), s.valueLow(), s.slopeLow(), s.high(),
                s.valueHigh(), s.slopeHigh(), s.cubicRef(), s.valueCubicRef(), s.safeStepsize(), s.safeValue(), s.safeGrad());
    }

    private static ZoomLinesearchState searchInterval(ZoomOptions o, ZoomLinesearchState s, Function<Object, Array> valueFn) {
        Array iterNum = s.count();
        Array larger = Np.multiply(Array.weak(o.increaseFactor()), s.stepsize());
        Array newStepsize = Np.where(iterNum.eq(0), s.stepsizeGuess(), larger);
        Array maxReached;
        if (o.maxStepsize() != null) {
            maxReached = newStepsize.ge(o.maxStepsize());
            newStepsize = Np.minimum(newStepsize, Array.weak(o.maxStepsize()));
        } else {
            maxReached = bool(false);
        }
        OnLine at = valueAndSlopeOnLine(valueFn, s.params(), newStepsize, s.updates());
        Array decErr = decreaseError(o, newStepsize, at.value(), at.slope(), s.valueInit(), s.slopeInit());
        Array curvErr = curvatureError(o, at.slope(), s.slopeInit());
        Array newError = Np.maximum(decErr, curvErr);
        Array safeDecrease = decErr.le(o.tol());
        Array safeStepsize = Np.where(safeDecrease, newStepsize, s.safeStepsize());
        Array safeValue = Np.where(safeDecrease, at.value(), s.safeValue());
        Object safeGrad = Optim.selectTree(safeDecrease, at.grad(), s.safeGrad());
        Array setHighToNew = Np.logicalOr(decErr.gt(0.0), Np.logicalAnd(at.value().ge(s.value()), iterNum.gt(0)));
        Array setLowToNew = Np.logicalAnd(at.slope().ge(0.0), Np.logicalNot(setHighToNew));
        Array low = Np.where(setLowToNew, newStepsize, s.stepsize()), valueLow = Np.where(setLowToNew, at.value(), s.value());
        Array slopeLow = Np.where(setLowToNew, at.slope(), s.slope());
        Array high = Np.where(setLowToNew, s.stepsize(), newStepsize), valueHigh = Np.where(setLowToNew, s.value(), at.value());
        Array slopeHigh = Np.where(setLowToNew, s.slope(), at.slope());
        Array withinTol = newError.le(o.tol());
        Array intervalFound = Np.logicalOr(Np.logicalOr(setHighToNew, setLowToNew), withinTol);
        Array done = Np.logicalOr(withinTol, Np.logicalAnd(maxReached, Np.logicalNot(intervalFound)));
        Array failed = Np.logicalAnd(Np.add(iterNum, Array.scalar(1)).ge(o.maxLinesearchSteps()), Np.logicalNot(done));
        return new ZoomLinesearchState(Optim.safeInt32Increment(iterNum), s.params(), s.updates(), s.stepsizeGuess(), newStepsize, at.value(),
                at.grad(), at.slope(), s.valueInit(), s.slopeInit(), decErr, curvErr, newError, intervalFound, done, failed, low, valueLow,
                slopeLow, high, valueHigh, slopeHigh, low, valueLow, safeStepsize, safeValue, safeGrad);
    }

    private static ZoomLinesearchState zoomIntoInterval(ZoomOptions o, ZoomLinesearchState s, Function<Object, Array> valueFn) {
        Array iterNum = s.count();
        Array low = s.low(), high = s.high();
        Array delta = Np.abs(Np.subtract(high, low));
        Array left = Np.minimum(high, low), right = Np.maximum(high, low);
        Array cubicChk = Np.multiply(Array.weak(0.2), delta), quadChk = Np.multiply(Array.weak(0.1), delta);
        Array tooSmallInt = delta.le(o.intervalThreshold());
        Array middleCubic = cubicMin(low, s.valueLow(), s.slopeLow(), high, s.valueHigh(), s.cubicRef(), s.valueCubicRef());
        Array useCubic = Np.logicalAnd(middleCubic.gt(Np.add(left, cubicChk)), middleCubic.lt(Np.subtract(right, cubicChk)));
        Array middleQuad = quadMin(low, s.valueLow(), s.slopeLow(), high, s.valueHigh());
        Array quadValid = Np.logicalAnd(middleQuad.gt(Np.add(left, quadChk)), middleQuad.lt(Np.subtract(right, quadChk)));
        Array useQuad = Np.logicalAnd(Np.logicalNot(useCubic), quadValid);
        Array middleBisection = Np.divide(Np.add(low, high), Array.weak(2.0));
        Array useBisection = Np.logicalAnd(Np.logicalNot(useCubic), Np.logicalNot(useQuad));
        Array middle = Np.where(useCubic, middleCubic, s.cubicRef());
        middle = Np.where(useQuad, middleQuad, middle);
        middle = Np.where(useBisection, middleBisection, middle);
        OnLine at = valueAndSlopeOnLine(valueFn, s.params(), middle, s.updates());
        Array decErr = decreaseError(o, middle, at.value(), at.slope(), s.valueInit(), s.slopeInit());
        Array curvErr = curvatureError(o, at.slope(), s.slopeInit());
        Array newError = Np.maximum(decErr, curvErr);
        Array safeDecrease = decErr.le(o.tol());
        Array updateSafe = Np.logicalAnd(safeDecrease, at.value().lt(s.safeValue()));
        Array safeStepsize = Np.where(updateSafe, middle, s.safeStepsize());
        Array safeValue = Np.where(updateSafe, at.value(), s.safeValue());
        Object safeGrad = Optim.selectTree(updateSafe, at.grad(), s.safeGrad());
        Array done = newError.le(o.tol());
        Array setHighToMiddle = Np.logicalOr(decErr.gt(0.0), at.value().ge(s.valueLow()));
        Array secantInterval = Np.multiply(at.slope(), Np.subtract(high, low));
        Array setHighToLow = Np.logicalAnd(secantInterval.ge(0.0), Np.logicalNot(setHighToMiddle));
        Array setLowToMiddle = Np.logicalNot(setHighToMiddle);
        Array newHigh = Np.where(setHighToLow, low, Np.where(setHighToMiddle, middle, high));
        Array newValueHigh = Np.where(setHighToLow, s.valueLow(), Np.where(setHighToMiddle, at.value(), s.valueHigh()));
        Array newSlopeHigh = Np.where(setHighToLow, s.slopeLow(), Np.where(setHighToMiddle, at.slope(), s.slopeHigh()));
        Array newLow = Np.where(setLowToMiddle, middle, low);
        Array newValueLow = Np.where(setLowToMiddle, at.value(), s.valueLow());
        Array newSlopeLow = Np.where(setLowToMiddle, at.slope(), s.slopeLow());
        Array highMoved = Np.logicalOr(setHighToMiddle, setHighToLow);
        Array newCubicRef = Np.where(highMoved, high, low);
        Array newValueCubicRef = Np.where(highMoved, s.valueHigh(), s.valueLow());
        Array maxIterReached = Np.add(iterNum, Array.scalar(1)).ge(o.maxLinesearchSteps());
        Array presumablyFailed = Np.logicalOr(maxIterReached, Np.logicalAnd(tooSmallInt, safeStepsize.gt(0.0)));
        Array failed = Np.logicalAnd(presumablyFailed, Np.logicalNot(done));
        return new ZoomLinesearchState(Optim.safeInt32Increment(iterNum), s.params(), s.updates(), s.stepsizeGuess(), middle, at.value(),
                at.grad(), at.slope(), s.valueInit(), s.slopeInit(), decErr, curvErr, newError, s.intervalFound(), done, failed, newLow,
                newValueLow, newSlopeLow, newHigh, newValueHigh, newSlopeHigh, newCubicRef, newValueCubicRef, safeStepsize, safeValue,
                safeGrad);
    }

    /** The critical point of the cubic through (a, fa), (b, fb), (c, fc) with slope fpa at a (NaN when it has none). */
    static Array cubicMin(Array a, Array fa, Array fpa, Array b, Array fb, Array c, Array fc) {
        Array db = Np.subtract(b, a), dc = Np.subtract(c, a);
        Array denom = Np.multiply(Np.square(Np.multiply(db, dc)), Np.subtract(db, dc));
        Array rb = Np.subtract(Np.subtract(fb, fa), Np.multiply(fpa, db));
        Array rc = Np.subtract(Np.subtract(fc, fa), Np.multiply(fpa, dc));
        Array bigA = Np.divide(Np.subtract(Np.multiply(Np.square(dc), rb), Np.multiply(Np.square(db), rc)), denom);
        Array bigB = Np.divide(Np.add(Np.negative(Np.multiply(Np.power(dc, Array.weak(3)), rb)), Np.multiply(Np.power(db, Array.weak(3)), rc)), denom);
        Array radical = Np.subtract(Np.multiply(bigB, bigB), Np.multiply(Np.multiply(Array.weak(3.0), bigA), fpa));
        return Np.add(a, Np.divide(Np.add(Np.negative(bigB), Np.sqrt(radical)), Np.multiply(Array.weak(3.0), bigA)));
    }

    /** The critical point of the quadratic through (a, fa), (b, fb) with slope fpa at a. */
    static Array quadMin(Array a, Array fa, Array fpa, Array b, Array fb) {
        Array db = Np.subtract(b, a);
        Array bigB = Np.divide(Np.subtract(Np.subtract(fb, fa), Np.multiply(fpa, db)), Np.square(db));
        return Np.subtract(a, Np.divide(fpa, Np.multiply(Array.weak(2.0), bigB)));
    }

    // ---------------------------------------------------------------- value_and_grad_from_state

    /** Optax's {@code value_and_grad_from_state}: the line search's value and gradient at params when it stored finite ones, else computed. */
    static ValueAndGrad<Object> valueAndGradFromState(Function<Object, Array> valueFn, Object params, Object state) {
        List<Object> found = Tree.flatten(state, x -> x instanceof ScaleByZoomLinesearchState).leaves().stream()
                .filter(x -> x instanceof ScaleByZoomLinesearchState).toList();
        if (found.isEmpty()) {
            throw new IllegalArgumentException("value_and_grad_from_state: no line search state (value and gradient) in the optimizer state; "
                    + "use it with an optimizer that stores them, such as Optim.lbfgs()");
        }
        ScaleByZoomLinesearchState s = (ScaleByZoomLinesearchState) found.getFirst();
        Array stored = Np.logicalAnd(Np.logicalNot(Np.isinf(s.value())), Np.logicalNot(Np.isnan(s.value())));
        return Lax.cond(stored, p -> new ValueAndGrad<>(s.value(), s.grad()),
                p -> {
                    ValueAndGrad<Object> vg = Jax.valueAndGrad((Object q) -> valueFn.apply(q)).apply(p);
                    return new ValueAndGrad<>(vg.value().astype(s.value().dtype()), castLike(vg.grad(), s.grad()));
                }, params);
    }
}
