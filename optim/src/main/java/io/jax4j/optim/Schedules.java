package io.jax4j.optim;

import io.jax4j.Array;
import io.jax4j.Np;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Optax's schedules ({@code optax/schedules/_schedule.py}, {@code _join.py}) with their exact
 * arithmetic: integer clipping of the step, true division to float32, {@code floor} for staircase
 * decay, {@code where} to join. All are traceable functions of an int32 step.
 */
public final class Schedules {
    private Schedules() {}

    private static Array w(double v) { return Array.weak(v); }

    private static Array w(int v) { return Array.weak(v); }

    /** {@code constant_schedule(value)}. */
    public static Schedule constant(double value) {
        return step -> w(value);
    }

    /**
     * {@code polynomial_schedule}: {@code (init - end) * (1 - clip(t - begin, 0, T) / T)^power + end}.
     * {@code transitionSteps <= 0} gives the constant {@code init}; a negative begin counts as 0.
     */
    public static Schedule polynomial(double init, double end, double power, int transitionSteps, int transitionBegin) {
        if (transitionSteps <= 0) return constant(init);
        int begin = Math.max(0, transitionBegin);
        return step -> {
            Array count = Np.clip(step.sub(begin), w(0), w(transitionSteps));
            Array frac = count.div(transitionSteps).rsub(1);
            Array p = power == Math.rint(power) ? Np.power(frac, (int) power) : Np.power(frac, power);
            return p.mul(init - end).add(end);
        };
    }

    public static Schedule polynomial(double init, double end, double power, int transitionSteps) {
        return polynomial(init, end, power, transitionSteps, 0);
    }

    /** {@code linear_schedule}: polynomial with power 1. */
    public static Schedule linear(double init, double end, int transitionSteps, int transitionBegin) {
        return polynomial(init, end, 1, transitionSteps, transitionBegin);
    }

    public static Schedule linear(double init, double end, int transitionSteps) { return linear(init, end, transitionSteps, 0); }

    /**
     * {@code cosine_decay_schedule}: {@code init * ((1 - alpha) * (0.5 * (1 + cos(pi * min(t, T) / T)))^exponent + alpha)}.
     *
     * @throws IllegalArgumentException unless {@code decaySteps > 0} (as Optax)
     */
    public static Schedule cosineDecay(double init, int decaySteps, double alpha, double exponent) {
        if (decaySteps <= 0) {
            throw new IllegalArgumentException("Schedules.cosineDecay requires positive decaySteps, got decaySteps=" + decaySteps);
        }
        return step -> {
            Array count = Np.minimum(step, w((double) decaySteps));
            Array cosine = Np.cos(count.mul(Math.PI).div((double) decaySteps)).add(1).mul(0.5);
            Array p = exponent == 1.0 ? cosine : Np.power(cosine, exponent);
            return p.mul(1 - alpha).add(alpha).mul(init);
        };
    }

    public static Schedule cosineDecay(double init, int decaySteps, double alpha) { return cosineDecay(init, decaySteps, alpha, 1.0); }

    public static Schedule cosineDecay(double init, int decaySteps) { return cosineDecay(init, decaySteps, 0.0, 1.0); }

    /**
     * {@code warmup_cosine_decay_schedule}: a linear warm-up from {@code init} to {@code peak} over
     * {@code warmupSteps}, then a cosine decay to {@code end} until step {@code decaySteps} (which
     * includes the warm-up).
     */
    public static Schedule warmupCosineDecay(double init, double peak, int warmupSteps, int decaySteps, double end, double exponent) {
        double alpha = peak == 0.0 ? 0.0 : end / peak;
        if (decaySteps - warmupSteps <= 0) {
            throw new IllegalArgumentException("Schedules.warmupCosineDecay requires decaySteps > warmupSteps (the cosine part has decaySteps - warmupSteps"
                    + " steps), got warmupSteps=" + warmupSteps + ", decaySteps=" + decaySteps);
        }
        return joinSchedules(List.of(linear(init, peak, warmupSteps), cosineDecay(peak, decaySteps - warmupSteps, alpha, exponent)),
                new int[]{warmupSteps});
    }

    public static Schedule warmupCosineDecay(double init, double peak, int warmupSteps, int decaySteps, double end) {
        return warmupCosineDecay(init, peak, warmupSteps, decaySteps, end, 1.0);
    }

    public static Schedule warmupCosineDecay(double init, double peak, int warmupSteps, int decaySteps) {
        return warmupCosineDecay(init, peak, warmupSteps, decaySteps, 0.0, 1.0);
    }

    /** {@code warmup_constant_schedule}: linear warm-up to {@code peak}, then constant. */
    public static Schedule warmupConstant(double init, double peak, int warmupSteps) { return linear(init, peak, warmupSteps); }

    /**
     * {@code exponential_decay}: {@code init * rate^((t - begin) / T)} for {@code t > begin} (the
     * exponent floored when {@code staircase}), {@code init} before; with {@code endValue} (nullable)
     * a lower bound when {@code rate < 1}, an upper bound otherwise. {@code T <= 0} or
     * {@code rate == 0} give the constant {@code init}, a negative begin counts as 0 (as Optax).
     */
    public static Schedule exponentialDecay(double init, int transitionSteps, double decayRate, int transitionBegin,
                                            boolean staircase, Double endValue) {
        if (transitionSteps <= 0 || decayRate == 0) return constant(init);
        int begin = Math.max(0, transitionBegin);
        return step -> {
            Array decreased = step.sub(begin);
            Array p = decreased.div(transitionSteps);
            if (staircase) p = Np.floor(p);
            Array decayed = Np.where(decreased.le(0), w(init), Np.power(w(decayRate), p).mul(init));
            if (endValue != null) decayed = decayRate < 1.0 ? Np.maximum(decayed, w(endValue)) : Np.minimum(decayed, w(endValue));
            return decayed;
        };
    }

    public static Schedule exponentialDecay(double init, int transitionSteps, double decayRate) {
        return exponentialDecay(init, transitionSteps, decayRate, 0, false, null);
    }

    public static Schedule exponentialDecay(double init, int transitionSteps, double decayRate, boolean staircase) {
        return exponentialDecay(init, transitionSteps, decayRate, 0, staircase, null);
    }

    /**
     * {@code piecewise_constant_schedule}: {@code init} times every scale whose boundary is
     * {@code <= t}.
     *
     * @throws IllegalArgumentException for a negative scale (as Optax)
     */
    public static Schedule piecewiseConstant(double init, Map<Integer, Double> boundariesAndScales) {
        var sorted = new TreeMap<Integer, Double>(Objects.requireNonNull(boundariesAndScales, "boundariesAndScales is null"));
        sorted.forEach((b, s) -> {
            if (!(s >= 0.0)) {
                throw new IllegalArgumentException("Schedules.piecewiseConstant expects non-negative scale factors, got " + s + " at boundary " + b);
            }
        });
        return step -> {
            Array v = w(init);
            for (var e : sorted.entrySet()) {
                // indicator = max(0, sign(boundary - t)): 1 before the boundary, 0 from it on
                Array indicator = Np.maximum(w(0.0), Np.sign(w(e.getKey()).sub(step)));
                v = v.mul(indicator).add(indicator.rsub(1).mul(e.getValue()).mul(v));
            }
            return v;
        };
    }

    /**
     * {@code join_schedules}: schedule {@code i} takes over at {@code boundaries[i-1]} and sees the
     * step counted from there: {@code where(t < b, previous, next(t - b))}.
     */
    public static Schedule joinSchedules(List<Schedule> schedules, int[] boundaries) {
        var list = List.copyOf(Objects.requireNonNull(schedules, "schedules is null"));
        int[] bounds = Objects.requireNonNull(boundaries, "boundaries is null").clone();
        if (list.isEmpty()) throw new IllegalArgumentException("Schedules.joinSchedules: no schedules given");
        if (bounds.length != list.size() - 1) {
            throw new IllegalArgumentException("Schedules.joinSchedules: " + list.size() + " schedules need " + (list.size() - 1)
                    + " boundaries, got " + bounds.length);
        }
        return step -> {
            Array out = list.getFirst().apply(step);
            for (int i = 0; i < bounds.length; i++) {
                out = Np.where(step.lt(bounds[i]), out, list.get(i + 1).apply(step.sub(bounds[i])));
            }
            return out;
        };
    }

    public static Schedule joinSchedules(List<Schedule> schedules, List<Integer> boundaries) {
        return joinSchedules(schedules, boundaries.stream().mapToInt(Integer::intValue).toArray());
    }

    /** One cycle of {@link #sgdr}: the arguments of {@link #warmupCosineDecay}. */
    public record CosineCycle(double init, double peak, int warmupSteps, int decaySteps, double end) {}

    /** {@code sgdr_schedule}: warm-up cosine cycles joined end to end (SGD with warm restarts). */
    public static Schedule sgdr(List<CosineCycle> cycles) {
        var schedules = new ArrayList<Schedule>();
        var boundaries = new ArrayList<Integer>();
        int step = 0;
        for (CosineCycle c : cycles) {
            schedules.add(warmupCosineDecay(c.init(), c.peak(), c.warmupSteps(), c.decaySteps(), c.end()));
            step += c.decaySteps();
            boundaries.add(step);
        }
        return joinSchedules(schedules, boundaries.subList(0, Math.max(0, boundaries.size() - 1)));
    }

    // ---------------------------------------------------------------- interpolating schedules and Optax's names

    /**
     * {@code piecewise_interpolate_schedule(type, init, boundaries_and_scales)}: the value at each
     * boundary is {@code init} times the scales up to it (multiplied in float32, as {@code jnp.cumprod}),
     * reached from the previous one by {@code "linear"} or {@code "cosine"} interpolation; constant after
     * the last boundary.
     */
    public static Schedule piecewiseInterpolate(String type, double init, Map<Integer, Double> boundariesAndScales) {
        if (!type.equals("linear") && !type.equals("cosine")) {
            throw new IllegalArgumentException("Schedules.piecewiseInterpolate: type must be \"linear\" or \"cosine\", got \"" + type + "\"");
        }
        var sorted = new TreeMap<Integer, Double>(boundariesAndScales == null ? Map.of() : boundariesAndScales);
        sorted.forEach((b, sc) -> {
            if (!(sc >= 0.0)) throw new IllegalArgumentException("Schedules.piecewiseInterpolate expects non-negative scale factors, got " + sc);
        });
        int n = sorted.size();
        int[] bounds = new int[n + 1];
        float[] values = new float[n + 1];
        values[0] = (float) init;
        int k = 1;
        for (var e : sorted.entrySet()) {
            bounds[k] = e.getKey();
            values[k] = values[k - 1] * (float) (double) e.getValue();
            k++;
        }
        boolean cosine = type.equals("cosine");
        return step -> {
            Array out = Np.where(w(bounds[n]).le(step), w(values[n]), w(0.0));
            for (int i = 0; i < n; i++) {
                int size = Math.max(bounds[i + 1] - bounds[i], 1);
                Array inside = Np.logicalAnd(w(bounds[i]).le(step), step.lt(bounds[i + 1]));
                Array pct = Np.divide(step.sub(bounds[i]), Array.weak(size));
                float start = values[i], end = values[i + 1];
                Array v = cosine
                        ? Np.add(w(end), Np.multiply(w((start - end) / 2.0f), Np.add(Np.cos(Np.multiply(w(Math.PI), pct)), w(1))))
                        : Np.add(Np.multiply(w(end - start), pct), w(start));
                out = Np.add(out, Np.where(inside, v, w(0.0)));
            }
            return out;
        };
    }

    /** {@code cosine_onecycle_schedule(transition_steps, peak_value, pct_start, div_factor, final_div_factor)}. */
    public static Schedule cosineOnecycle(int transitionSteps, double peak, double pctStart, double divFactor, double finalDivFactor) {
        if (transitionSteps <= 0) throw new IllegalArgumentException("A cosine onecycle schedule was set with a non-positive transitionSteps: " + transitionSteps);
        var m = new java.util.LinkedHashMap<Integer, Double>();
        m.put((int) (pctStart * transitionSteps), divFactor);
        m.put(transitionSteps, 1.0 / (divFactor * finalDivFactor));
        return piecewiseInterpolate("cosine", peak / divFactor, m);
    }

    /** {@code cosine_onecycle_schedule(transition_steps, peak_value)}: 30 % warm-up, divided by 25 then 1e4. */
    public static Schedule cosineOnecycle(int transitionSteps, double peak) { return cosineOnecycle(transitionSteps, peak, 0.3, 25.0, 1e4); }

    /** {@code linear_onecycle_schedule(transition_steps, peak_value, pct_start, pct_final, div_factor, final_div_factor)}. */
    public static Schedule linearOnecycle(int transitionSteps, double peak, double pctStart, double pctFinal, double divFactor, double finalDivFactor) {
        if (transitionSteps <= 0) throw new IllegalArgumentException("A linear onecycle schedule was set with a non-positive transitionSteps: " + transitionSteps);
        var m = new java.util.LinkedHashMap<Integer, Double>();
        m.put((int) (pctStart * transitionSteps), divFactor);
        m.put((int) (pctFinal * transitionSteps), 1.0 / divFactor);
        m.put(transitionSteps, 1.0 / finalDivFactor);
        return piecewiseInterpolate("linear", peak / divFactor, m);
    }

    /** {@code linear_onecycle_schedule(transition_steps, peak_value)}: 0.3, 0.85, 25, 1e4. */
    public static Schedule linearOnecycle(int transitionSteps, double peak) { return linearOnecycle(transitionSteps, peak, 0.3, 0.85, 25.0, 1e4); }

    /** {@code warmup_exponential_decay_schedule}: linear warm-up to {@code peak}, then {@link #exponentialDecay} from it. */
    public static Schedule warmupExponentialDecay(double init, double peak, int warmupSteps, int transitionSteps, double decayRate,
                                                  int transitionBegin, boolean staircase, Double endValue) {
        return joinSchedules(List.of(linear(init, peak, warmupSteps),
                exponentialDecay(peak, transitionSteps, decayRate, transitionBegin, staircase, endValue)), new int[]{warmupSteps});
    }

    /** {@code warmup_exponential_decay_schedule(init, peak, warmup_steps, transition_steps, decay_rate)}. */
    public static Schedule warmupExponentialDecay(double init, double peak, int warmupSteps, int transitionSteps, double decayRate) {
        return warmupExponentialDecay(init, peak, warmupSteps, transitionSteps, decayRate, 0, false, null);
    }

    /** {@code constant_schedule}: Optax's name for {@link #constant}. */
    public static Schedule constantSchedule(double value) { return constant(value); }

    /** {@code linear_schedule}: Optax's name for {@link #linear(double, double, int, int)}. */
    public static Schedule linearSchedule(double init, double end, int transitionSteps, int transitionBegin) {
        return linear(init, end, transitionSteps, transitionBegin);
    }

    /** {@code linear_schedule(init, end, transition_steps)}. */
    public static Schedule linearSchedule(double init, double end, int transitionSteps) { return linear(init, end, transitionSteps); }

    /** {@code polynomial_schedule}: Optax's name for {@link #polynomial(double, double, double, int, int)}. */
    public static Schedule polynomialSchedule(double init, double end, double power, int transitionSteps, int transitionBegin) {
        return polynomial(init, end, power, transitionSteps, transitionBegin);
    }

    /** {@code cosine_decay_schedule}: Optax's name for {@link #cosineDecay(double, int, double, double)}. */
    public static Schedule cosineDecaySchedule(double init, int decaySteps, double alpha, double exponent) {
        return cosineDecay(init, decaySteps, alpha, exponent);
    }

    /** {@code cosine_decay_schedule(init, decay_steps)}. */
    public static Schedule cosineDecaySchedule(double init, int decaySteps) { return cosineDecay(init, decaySteps); }

    /** {@code warmup_cosine_decay_schedule}: Optax's name for {@link #warmupCosineDecay(double, double, int, int, double)}. */
    public static Schedule warmupCosineDecaySchedule(double init, double peak, int warmupSteps, int decaySteps, double end) {
        return warmupCosineDecay(init, peak, warmupSteps, decaySteps, end);
    }

    /** {@code piecewise_constant_schedule}: Optax's name for {@link #piecewiseConstant}. */
    public static Schedule piecewiseConstantSchedule(double init, Map<Integer, Double> boundariesAndScales) {
        return piecewiseConstant(init, boundariesAndScales);
    }

    /** {@code piecewise_interpolate_schedule}: Optax's name for {@link #piecewiseInterpolate}. */
    public static Schedule piecewiseInterpolateSchedule(String type, double init, Map<Integer, Double> boundariesAndScales) {
        return piecewiseInterpolate(type, init, boundariesAndScales);
    }

    /** {@code sgdr_schedule}: Optax's name for {@link #sgdr}. */
    public static Schedule sgdrSchedule(List<CosineCycle> cycles) { return sgdr(cycles); }

    /** {@code warmup_exponential_decay_schedule}: Optax's full name for {@link #warmupExponentialDecay(double, double, int, int, double)}. */
    public static Schedule warmupExponentialDecaySchedule(double init, double peak, int warmupSteps, int transitionSteps, double decayRate) {
        return warmupExponentialDecay(init, peak, warmupSteps, transitionSteps, decayRate);
    }

    /** {@code cosine_onecycle_schedule}: Optax's full name for {@link #cosineOnecycle(int, double)}. */
    public static Schedule cosineOnecycleSchedule(int transitionSteps, double peak) { return cosineOnecycle(transitionSteps, peak); }

    /** {@code linear_onecycle_schedule}: Optax's full name for {@link #linearOnecycle(int, double)}. */
    public static Schedule linearOnecycleSchedule(int transitionSteps, double peak) { return linearOnecycle(transitionSteps, peak); }
}
