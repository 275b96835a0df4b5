package io.jax4j.optim;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Np;
import io.jax4j.tree.Tree;

import java.util.Map;

/** Optax's {@code contrib.reduce_on_plateau}, as optax/contrib/_reduce_on_plateau.py computes it (both cond branches, selected). */
final class ReduceOnPlateau {
    private ReduceOnPlateau() {}

    static GradientTransformation of(double factor, int patience, double rtol, double atol, int cooldown, int accumulationSize, double minScale) {
        if (!(factor > 0 && factor < 1)) throw new IllegalArgumentException("reduce_on_plateau: factor must be in the range (0, 1), got factor = " + factor);
        if (rtol < 0 || atol < 0) {
            throw new IllegalArgumentException("reduce_on_plateau: both rtol and atol must be non-negative, got rtol = " + rtol + " and atol = " + atol);
        }
        if (rtol == 0 && atol == 0) {
            throw new IllegalArgumentException("reduce_on_plateau: at least one of rtol or atol must be positive, got rtol = 0 and atol = 0");
        }
        if (rtol > 1) throw new IllegalArgumentException("reduce_on_plateau: rtol must be less than or equal to 1.0, got rtol = " + rtol);
        return new GradientTransformation() {
            @Override
            public Object init(Object params) {
                DType lowest = dtypeOf(params, true), highest = dtypeOf(params, false);
                return new ReduceOnPlateauState(Array.scalar(1.0, lowest), Array.scalar(Double.POSITIVE_INFINITY, highest), Array.scalar(0),
                        Array.scalar(0), Array.scalar(0), Array.scalar(0.0, highest));
            }

            @Override
            public Update update(Object updates, Object state, Object params) {
                throw new IllegalArgumentException("reduce_on_plateau.update: needs the value to watch (the loss): "
                        + "call update(updates, state, params, Map.of(\"value\", loss))");
            }

            @Override
            public Update update(Object updates, Object state, Object params, Map<String, ?> extraArgs) {
                if (!(extraArgs.get("value") instanceof Array value)) {
                    return update(updates, state, params);
                }
                var s = Optim.stateOf("reduce_on_plateau", ReduceOnPlateauState.class, state);
                Array newCount = Optim.safeInt32Increment(s.count());
                Array avg = s.count().astype(s.avgValue().dtype()).mul(s.avgValue()).add(value.astype(s.avgValue().dtype()))
                        .div(newCount.astype(s.avgValue().dtype()));
                var accumulated = new ReduceOnPlateauState(s.scale(), s.bestValue(), s.plateauCount(), s.cooldownCount(), newCount,
                        avg.astype(s.avgValue().dtype()));
                ReduceOnPlateauState next = select(newCount.eq(accumulationSize), updateScale(accumulated), accumulated);
                Object out = Optim.map(g -> next.scale().mul(g), updates);
                return new Update(out, next);
            }

            private ReduceOnPlateauState updateScale(ReduceOnPlateauState s) {
                Array avg = s.avgValue();
                Array improved = avg.lt(s.bestValue().mul(1 - rtol).sub(atol));
                Array best = Np.where(improved, avg.astype(s.bestValue().dtype()), s.bestValue());
                Array plateau = Np.where(improved, Array.scalar(0), Optim.safeInt32Increment(s.plateauCount()));
                Array hit = plateau.eq(patience);
                Array inCooldown = s.cooldownCount().gt(0);
                Array notCoolPlateau = Np.where(hit, Array.scalar(0), plateau);
                Array notCoolScale = Np.maximum(Np.where(hit, s.scale().mul(factor), s.scale()), Array.weak(minScale)).astype(s.scale().dtype());
                Array notCoolCooldown = Np.where(hit, Array.scalar(cooldown), Array.scalar(0)).astype(DType.I32);
                return new ReduceOnPlateauState(
                        Np.where(inCooldown, s.scale(), notCoolScale).astype(s.scale().dtype()),
                        best.astype(s.bestValue().dtype()),
                        Np.where(inCooldown, Array.scalar(0), notCoolPlateau).astype(DType.I32),
                        Np.where(inCooldown, s.cooldownCount().sub(1), notCoolCooldown).astype(DType.I32),
                        Array.scalar(0),
                        Array.scalar(0.0, avg.dtype()));
            }
        };
    }

    private static ReduceOnPlateauState select(Array c, ReduceOnPlateauState a, ReduceOnPlateauState b) {
        return new ReduceOnPlateauState(Np.where(c, a.scale(), b.scale()).astype(b.scale().dtype()),
                Np.where(c, a.bestValue(), b.bestValue()).astype(b.bestValue().dtype()),
                Np.where(c, a.plateauCount(), b.plateauCount()).astype(DType.I32),
                Np.where(c, a.cooldownCount(), b.cooldownCount()).astype(DType.I32),
                Np.where(c, a.count(), b.count()).astype(DType.I32),
                Np.where(c, a.avgValue(), b.avgValue()).astype(b.avgValue().dtype()));
    }

    /** The lowest or highest float dtype among the params' leaves (float32 when there are none). */
    private static DType dtypeOf(Object params, boolean lowest) {
        DType out = null;
        for (Array a : Tree.leavesOfType(params, Array.class)) {
            if (!a.dtype().isFloating()) continue;
            if (out == null || (lowest ? a.dtype().byteSize() < out.byteSize() : a.dtype().byteSize() > out.byteSize())) out = a.dtype();
        }
        return out == null ? DType.F32 : out;
    }
}
