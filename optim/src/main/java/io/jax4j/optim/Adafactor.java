package io.jax4j.optim;

import io.jax4j.Array;
import io.jax4j.Np;
import io.jax4j.tree.Tree;

import java.util.ArrayList;

import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Optax's {@code scale_by_factored_rms} (factorized.py), the core of adafactor: for a leaf whose
 * two largest dims are both at least {@code minDimSizeToFactor}, the second moment is kept as a
 * row and a column mean, otherwise in full; {@code decay_t = 1 - (t + 1)^-decayRate}.
 */
final class Adafactor {
    private Adafactor() {}

    /** The two dims to factor (the second largest, the largest: {@code d1, d0}), or null. */
    static int[] factoredDims(int[] shape, boolean factored, int minDimSizeToFactor) {
        if (!factored || shape.length < 2) return null;
        Integer[] sorted = IntStream.range(0, shape.length).boxed().sorted(Comparator.comparingInt(i -> shape[i])).toArray(Integer[]::new);
        if (shape[sorted[sorted.length - 2]] < minDimSizeToFactor) return null;
        return new int[]{sorted[sorted.length - 2], sorted[sorted.length - 1]};
    }

    private static int[] delete(int[] shape, int axis) {
        int[] out = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) if (i != axis) out[j++] = shape[i];
        return out;
    }

    static GradientTransformation scaleByFactoredRms(boolean factored, double decayRate, int stepOffset, int minDimSizeToFactor, double eps) {
        return GradientTransformation.of(p -> {
            var flat = Tree.flatten(p);
            List<Object> rows = new ArrayList<>(), cols = new ArrayList<>(), vs = new ArrayList<>();
            for (Object leaf : flat.leaves()) {
                Array x = (Array) leaf;
                int[] dims = factoredDims(x.shape(), factored, minDimSizeToFactor);
                if (dims != null) {
                    rows.add(Array.zeros(x.dtype(), delete(x.shape(), dims[1])));
                    cols.add(Array.zeros(x.dtype(), delete(x.shape(), dims[0])));
                    vs.add(Array.zeros(x.dtype(), 1));
                } else {
                    rows.add(Array.zeros(1));
                    cols.add(Array.zeros(1));
                    vs.add(Array.zeros(x.dtype(), x.shape()));
                }
            }
            return new FactoredState(Array.scalar(0), flat.def().unflatten(rows), flat.def().unflatten(cols), flat.def().unflatten(vs));
        }, (u, s, p) -> {
            if (p == null) throw new IllegalArgumentException("scaleByFactoredRms (adafactor): the params are required; pass them to update(updates, state, params)");
            var st = Optim.stateOf("scale_by_factored_rms", FactoredState.class, s);
            var flat = Tree.flatten(u);
            var def = flat.def();
            List<Object> vr = def.flattenUpTo(st.vRow()), vc = def.flattenUpTo(st.vCol()), vv = def.flattenUpTo(st.v()), ps = def.flattenUpTo(p);
            // decay_t = 1 - (step - offset + 1)^-decay_rate, in float32
            Array t = st.count().sub(stepOffset).add(1).astype(io.jax4j.DType.F32);
            Array decay = Np.power(t, -decayRate).rsub(1);
            List<Object> outs = new ArrayList<>(), rows = new ArrayList<>(), cols = new ArrayList<>(), vs = new ArrayList<>();
            for (int i = 0; i < flat.leaves().size(); i++) {
                Array g = (Array) flat.leaves().get(i), param = (Array) ps.get(i);
                int[] dims = factoredDims(param.shape(), factored, minDimSizeToFactor);
                Array gradSqr = g.mul(g).add(eps);
                if (dims != null) {
                    int d1 = dims[0], d0 = dims[1];
                    Array newRow = decay.mul((Array) vr.get(i)).add(decay.rsub(1).mul(Np.mean(gradSqr, d0))).astype(param.dtype());
                    Array newCol = decay.mul((Array) vc.get(i)).add(decay.rsub(1).mul(Np.mean(gradSqr, d1))).astype(param.dtype());
                    int reducedD1 = d1 > d0 ? d1 - 1 : d1;
                    Array rowColMean = Np.mean(newRow, new int[]{reducedD1}, true);
                    Array rowFactor = Np.power(newRow.div(rowColMean), -0.5);
                    Array colFactor = Np.power(newCol, -0.5);
                    outs.add(g.mul(Np.expandDims(rowFactor, d0)).mul(Np.expandDims(colFactor, d1)));
                    rows.add(newRow);
                    cols.add(newCol);
                    vs.add(Array.zeros(param.dtype(), 1));
                } else {
                    Array newV = decay.mul((Array) vv.get(i)).add(decay.rsub(1).mul(gradSqr)).astype(param.dtype());
                    outs.add(g.mul(Np.power(newV, -0.5)));
                    rows.add(Array.zeros(param.dtype(), 1));
                    cols.add(Array.zeros(param.dtype(), 1));
                    vs.add(newV);
                }
            }
            var next = new FactoredState(Optim.safeInt32Increment(st.count()), def.unflatten(rows), def.unflatten(cols), def.unflatten(vs));
            return new GradientTransformation.Update(def.unflatten(outs), next);
        });
    }

}
