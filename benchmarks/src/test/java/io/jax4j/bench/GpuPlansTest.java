package io.jax4j.bench;

import io.jax4j.ir.Jaxpr;
import io.jax4j.xla.cuda.LaunchPlan;
import io.jax4j.xla.internal.CudaDialect;
import io.jax4j.xla.internal.Lowering;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The train steps W1–W3 and W4's value and gradient, as the cuda backend would run them on an
 * H200 (132 multiprocessors): no op leaves the GPU, and each step is one capturable body (one CUDA
 * graph once its buffers repeat). Checked without a GPU, from the launch plans.
 */
class GpuPlansTest {
    private static LaunchPlan plan(String name, Jaxpr j, boolean donateFirst) {
        Jaxpr closed = j.constvarsAsInvars();
        boolean[] donated = new boolean[closed.invars().size()];
        if (donateFirst) for (int i = j.constvars().size(); i < donated.length; i++) donated[i] = true;
        return LaunchPlan.of(Lowering.lower(closed, donated, name, CudaDialect.INSTANCE), 132);
    }

    @Test
    void theTrainStepsRunWhollyOnTheGpu() {
        for (var w : List.of(java.util.Map.entry("W1", Workloads.w1()), java.util.Map.entry("W2", Workloads.w2()),
                java.util.Map.entry("W3", Workloads.w3()))) {
            LaunchPlan p = plan(w.getKey(), w.getValue().jaxpr(), false);
            assertEquals(List.of(), p.hostOps(), w.getKey() + " has host ops:\n" + p);
            assertTrue(p.capturable(), w.getKey());
            assertTrue(p.launches() > 0, w.getKey());
        }
    }

    @Test
    void theMainJobsTrainAndEvalStepsRunWhollyOnTheGpu() {
        var model = io.jax4j.examples.train.Cnn.tutorial();
        var state = io.jax4j.examples.train.Training.createTrainState(model, io.jax4j.Random.key(0), io.jax4j.Random.key(1),
                new int[]{128, 28, 28, 1}, io.jax4j.examples.train.Training.sgd(io.jax4j.optim.Schedules.constant(0.1), 0.9));
        io.jax4j.Array images = io.jax4j.Array.zeros(128, 28, 28, 1), labels = io.jax4j.Array.zeros(io.jax4j.DType.I32, 128);
        var args = io.vavr.Tuple.of(state, images, labels);
        Jaxpr train = io.jax4j.autodiff.Jax.makeJaxpr((io.vavr.Tuple3<io.jax4j.linen.TrainState<io.jax4j.examples.train.Training.Extra>,
                io.jax4j.Array, io.jax4j.Array> t) -> io.jax4j.examples.train.Training.trainStepBody(model, t._1(), t._2(), t._3())).apply(args).jaxpr();
        LaunchPlan p = plan("train_step", train, false);
        assertEquals(List.of(), p.hostOps(), p.toString());
        assertTrue(p.capturable());
        assertTrue(p.toString().contains("gemm     conv_general_dilated"), "convolutions on cuBLAS:\n" + p);
        Jaxpr eval = io.jax4j.autodiff.Jax.makeJaxpr((io.vavr.Tuple3<io.jax4j.linen.TrainState<io.jax4j.examples.train.Training.Extra>,
                io.jax4j.Array, io.jax4j.Array> t) -> io.jax4j.examples.train.Training.evalStep(model).apply(t._1(), t._2(), t._3())).apply(args).jaxpr();
        assertEquals(List.of(), plan("eval_step", eval, false).hostOps(), "argmax for the accuracy is a kernel");
    }

    @Test
    void w4IsOneReductionKernelWithTheGradientAsASideOutput() {
        Jaxpr j = io.jax4j.autodiff.Jax.makeJaxpr(io.jax4j.autodiff.Jax.valueAndGrad((io.jax4j.Array x) -> W4.f(x))).apply(W4.input(1 << 10)).jaxpr();
        LaunchPlan p = plan("W4", j, false);
        assertEquals(List.of(), p.hostOps(), p.toString());
        assertEquals(1, p.launches(), "value and gradient in one pass over x (a side output of the sum):\n" + p);
    }
}
