package io.jax4j.checkpoint;

import io.jax4j.linen.TrainState;

import java.nio.file.Path;
import java.util.Map;

/**
 * The second half of a resumed run, in its own JVM: {@code ResumeChild <dir> <step> <end>} restores
 * step {@code step} of {@code dir} into a fresh TrainState, trains to step {@code end} and saves it.
 */
public final class ResumeChild {
    private ResumeChild() {}

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        int from = Integer.parseInt(args[1]);
        int to = Integer.parseInt(args[2]);
        try (CheckpointManager mgr = Checkpoints.manager(dir)) {
            TrainState<TinyTraining.Extra> state = mgr.restore(from, TinyTraining.freshState());
            if (state.step().intValue() != from) throw new AssertionError("restored step " + state.step().intValue() + " != " + from);
            state = TinyTraining.train(state, from, to);
            mgr.save(to, state, Map.of());
        }
        System.out.println("resumed " + from + " -> " + to);
    }
}
