package io.jax4j.examples.train;

import io.jax4j.Array;
import io.jax4j.DType;
import io.jax4j.Lax;
import io.jax4j.Nn;
import io.jax4j.Pooling;
import io.jax4j.linen.BatchNorm;
import io.jax4j.linen.Conv;
import io.jax4j.linen.Dense;
import io.jax4j.linen.Dropout;
import io.jax4j.linen.LinenModule;

/**
 * The Flax MNIST example's CNN with BatchNorm (momentum 0.9) after each convolution and Dropout
 * after the 256-wide layer:
 * <pre>
 * Conv(32, 3x3) BatchNorm relu avg_pool(2x2) Conv(64, 3x3) BatchNorm relu avg_pool(2x2)
 * flatten Dense(hidden) relu Dropout(rate) Dense(numClasses)
 * </pre>
 * Parameters are named as Flax names them: {@code Conv_0, BatchNorm_0, Conv_1, BatchNorm_1,
 * Dense_0, Dense_1} ({@code Dense_1} is the head).
 *
 * @param features1 the first convolution's features (32 in the tutorial)
 * @param features2 the second convolution's features (64)
 * @param hidden    the dense layer's width (256)
 * @param numClasses the head's outputs (10)
 * @param dropoutRate the dropout rate after the dense layer (0.5)
 * @param batchAxis   null on one device; in a data-parallel step, the name of the mapped axis that
 *                    splits the batch ({@link #dataParallel}): BatchNorm then takes the statistics of
 *                    the whole batch over it (Flax's {@code axis_name}), and Dropout draws the mask of
 *                    the whole batch and keeps this replica's rows, so that N replicas compute what one
 *                    device computes (as jit over a batch sharded on its first axis draws it)
 */
public record Cnn(int features1, int features2, int hidden, int numClasses, double dropoutRate, String batchAxis) implements LinenModule {

    public Cnn(int features1, int features2, int hidden, int numClasses, double dropoutRate) {
        this(features1, features2, hidden, numClasses, dropoutRate, null);
    }

    /** The tutorial's sizes: 32, 64, 256, 10 classes, dropout 0.5. */
    public static Cnn tutorial() { return new Cnn(32, 64, 256, 10, 0.5); }

    public Cnn withClasses(int n) { return new Cnn(features1, features2, hidden, n, dropoutRate, batchAxis); }

    /** This model inside a pmap over {@code axisName} that splits each batch into equal shards (same parameters, same numbers). */
    public Cnn dataParallel(String axisName) { return new Cnn(features1, features2, hidden, numClasses, dropoutRate, axisName); }

    /** Logits {@code f32[N, numClasses]} of images {@code f32[N, H, W, C]}; {@code train} selects batch statistics and dropout. */
    public Array call(Array x, boolean train) {
        return compact(() -> {
            Array h = block(x, features1, train);
            h = block(h, features2, train);
            h = h.reshape(h.dim(0), -1);
            h = Nn.relu(new Dense(hidden).call(h));
            h = batchAxis == null || !train ? new Dropout(dropoutRate, !train).call(h) : dropoutOverTheWholeBatch(h);
            return new Dense(numClasses).call(h);
        });
    }

    /**
     * The same Dropout module applied to every replica's rows gathered in order, then this replica's
     * rows of it: its rng and mask are those of one device over the whole batch. (The gather's
     * transpose gives each replica exactly its rows' cotangent.)
     */
    private Array dropoutOverTheWholeBatch(Array h) {
        int rows = h.dim(0);
        Array all = Lax.allGather(h, batchAxis, 0, true);
        Array dropped = new Dropout(dropoutRate, false).call(all);
        Array first = Lax.mul(Lax.axisIndex(batchAxis), Lax.scalar(rows, DType.I32));
        return Lax.dynamicSlice(dropped, java.util.List.of(first, Lax.scalar(0, DType.I32)), new int[]{rows, h.dim(1)});
    }

    private Array block(Array x, int features, boolean train) {
        Array h = new Conv(features, 3, 3).call(x);
        h = BatchNorm.builder().useRunningAverage(!train).momentum(0.9).axisName(train ? batchAxis : null).build().call(h);
        h = Nn.relu(h);
        return Pooling.avgPool(h, new int[]{2, 2}, new int[]{2, 2}, "VALID");
    }
}
