package io.jax4j.autodiff;

import io.jax4j.Array;
import io.jax4j.Lax;
import io.jax4j.ShapedArray;
import io.jax4j.core.ArrayImpl;
import io.jax4j.core.StagingTrace;
import io.jax4j.core.Trace;
import io.jax4j.ir.ClosedJaxpr;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The flat cores of the transformations, over lists of arrays. {@code linearize} is JVP plus partial
 * evaluation: the JVP runs with known primals and unknown tangents (tracers of a partial-evaluation
 * trace), so primal work happens now and only the tangent work is staged, into a linear jaxpr whose
 * constants are the residuals. {@code vjp} transposes that jaxpr.
 */
final class Linearize {
    private Linearize() {}

    record JvpOut(List<Array> primals, List<Array> tangents) {}

    /** Forward mode: outputs and their tangents ({@code null} entries of {@code tangents} are zero). */
    static JvpOut jvp(String name, Function<List<Array>, List<Array>> f, List<Array> primals, List<Array> tangents) {
        JvpTrace trace = new JvpTrace("jvp(" + name + ")");
        List<Array> in = new ArrayList<>(primals.size());
        for (int i = 0; i < primals.size(); i++) in.add(trace.wrap(primals.get(i), tangents.get(i)));
        List<Array> out = trace.run(() -> f.apply(in));
        List<Array> po = new ArrayList<>(out.size()), to = new ArrayList<>(out.size());
        for (Array o : out) {
            po.add(trace.primalOf(o));
            to.add(trace.tangentOf(o));
        }
        trace.finish();
        return new JvpOut(po, to);
    }

    /** The primal outputs and the linear map from input tangents to output tangents, as a jaxpr. */
    record Linearized(List<Array> primalsOut, ClosedJaxpr linear, List<ShapedArray> outAvals) {
        /** Applies the linear map (forward). */
        List<Array> apply(List<Array> tangents) {
            return io.jax4j.core.Interpreter.eval(linear.jaxpr(), linear.consts().toJavaList(), tangents);
        }

        /** Applies the transposed map: cotangents of the inputs from cotangents of the outputs. */
        List<Array> transpose(List<Array> cotangents) {
            List<Array> cts = Transpose.backwardPass(linear.jaxpr(), linear.consts().toJavaList(), cotangents);
            List<Array> out = new ArrayList<>(cts.size());
            for (int i = 0; i < cts.size(); i++) {
                Array c = cts.get(i);
                out.add(c != null ? c : zeros(linear.jaxpr().invars().get(i).aval()));
            }
            return out;
        }
    }

    static Linearized linearize(String name, Function<List<Array>, List<Array>> f, List<Array> primals) {
        StagingTrace pe = new StagingTrace("linearize(" + name + ")", true);
        List<Array> tangentsIn = new ArrayList<>(primals.size());
        for (Array p : primals) tangentsIn.add(pe.newArg(p.aval().strong()));
        JvpOut out = pe.run(() -> jvp(name, f, primals, tangentsIn));
        List<Array> tangentsOut = new ArrayList<>(out.tangents().size());
        List<ShapedArray> outAvals = new ArrayList<>();
        for (int i = 0; i < out.tangents().size(); i++) {
            Array t = out.tangents().get(i);
            ShapedArray aval = out.primals().get(i).aval();
            outAvals.add(aval);
            tangentsOut.add(t != null ? t : pe.inParent(() -> zeros(aval.strong())));
        }
        ClosedJaxpr linear = pe.build(tangentsOut);
        return new Linearized(out.primals(), linear, outAvals);
    }

    /** A zero array of this aval (built on the current trace). */
    static Array zeros(ShapedArray aval) {
        Array scalar = ArrayImpl.ofDoubles(new ShapedArray(aval.dtype(), io.jax4j.Shape.scalar(), aval.weakType()), new double[]{0});
        return aval.ndim() == 0 ? scalar : Lax.broadcastInDim(scalar, aval.dims(), new int[0]);
    }

    static boolean inEagerMode() { return Trace.current() instanceof io.jax4j.core.EvalTrace; }
}
