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
    void w4IsAReductionAndAnElementwiseKernel() {
        Jaxpr j = io.jax4j.autodiff.Jax.makeJaxpr(io.jax4j.autodiff.Jax.valueAndGrad((io.jax4j.Array x) -> W4.f(x))).apply(W4.input(1 << 10)).jaxpr();
        LaunchPlan p = plan("W4", j, false);
        assertEquals(List.of(), p.hostOps(), p.toString());
        assertTrue(p.launches() <= 3, p.toString());
    }
}
